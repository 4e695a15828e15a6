/**
 * httpbin's `/websocket/echo`, as go-httpbin serves it: a WebSocket that
 * sends every message back as it came (text as text, binary as binary), and
 * answers a close with the client's code. `max_message_size` (bytes, default
 * 1 MiB) bounds a message: a larger one closes the socket with 1009. A
 * request to the path that is no WebSocket handshake is answered 400.
 */
import type { IncomingMessage } from 'node:http';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export const WEBSOCKET_ECHO_PATH = '/websocket/echo';
const DEFAULT_MAX_MESSAGE = 1024 * 1024;

/** Serves the echo on `server`'s upgrade requests; returns what closes every open socket. */
export function serveWebSocketEcho(server: http.Server): () => void {
  const servers = new Map<number, WebSocketServer>();
  const serverFor = (maxPayload: number): WebSocketServer => {
    let wss = servers.get(maxPayload);
    if (!wss) servers.set(maxPayload, (wss = new WebSocketServer({ noServer: true, maxPayload })));
    return wss;
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://httpbin');
    const max = maxMessageSize(url);
    if (url.pathname !== WEBSOCKET_ECHO_PATH || max === undefined || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refuse(socket, url.pathname === WEBSOCKET_ECHO_PATH ? 400 : 404);
      return;
    }
    serverFor(max).handleUpgrade(req, socket, head, echo);
  });
  return () => {
    for (const wss of servers.values()) for (const ws of wss.clients) ws.terminate();
  };
}

function echo(ws: WebSocket): void {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => ws.terminate());
}

/** `max_message_size` from the query, or the default; undefined when it is no positive integer. */
function maxMessageSize(url: URL): number | undefined {
  const raw = url.searchParams.get('max_message_size');
  if (raw === null) return DEFAULT_MAX_MESSAGE;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function refuse(socket: Duplex, status: 400 | 404): void {
  const body = status === 400 ? 'not a WebSocket handshake, or max_message_size is no positive integer\n' : 'no such WebSocket endpoint\n';
  const reason = status === 400 ? 'Bad Request' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
