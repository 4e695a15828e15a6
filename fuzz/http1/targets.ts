/**
 * The two servers every case is sent to, each on a real socket and kept for
 * the whole run: graymesh's Http1Server, and Node's own http server (llhttp)
 * with its default options. Both answer each request they read with the
 * length of the body they read; on the side, each keeps a log per connection
 * of what it read, so a case's outcome is known from the server itself and
 * not from what made it back over the wire.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Http1Server } from '../../src/dataplane/http1/server.js';

/** One request a server handed to its handler. */
export interface ReadEvent {
  kind: 'read';
  /** Body bytes read so far. */
  length: number;
  /** The whole body was read. */
  complete: boolean;
  version: string;
  /** Connection and Proxy-Connection, as one list. */
  connection: string | undefined;
  upgrade: string | undefined;
  transferEncoding: string | undefined;
}

/** The server refused the connection's next message. */
export interface RejectEvent {
  kind: 'reject';
  /** Why, in the server's words: graymesh's refusal text, llhttp's error code, or Node's own answer. */
  reason: string;
}

export type ServerEvent = ReadEvent | RejectEvent;

/** What a server did on one connection. */
export interface ServerConn {
  socket: net.Socket;
  events: ServerEvent[];
}

export interface Target {
  name: 'graymesh' | 'node';
  port: number;
  /** The server's side of the connection from local port `clientPort`, once it has been accepted. */
  accepted(clientPort: number): ServerConn | undefined;
  /** Forgets a finished connection. */
  forget(clientPort: number): void;
  close(): Promise<void>;
}

class Registry {
  private readonly byPort = new Map<number, ServerConn>();
  private readonly bySocket = new WeakMap<net.Socket, ServerConn>();

  add(socket: net.Socket): void {
    const conn: ServerConn = { socket, events: [] };
    this.byPort.set(socket.remotePort ?? 0, conn);
    this.bySocket.set(socket, conn);
    socket.on('error', () => undefined);
  }

  of(socket: net.Socket): ServerConn | undefined {
    return this.bySocket.get(socket);
  }

  accepted(port: number): ServerConn | undefined {
    return this.byPort.get(port);
  }

  forget(port: number): void {
    this.byPort.delete(port);
  }
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function readEvent(version: string, headers: http.IncomingHttpHeaders): ReadEvent {
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);
  const connection = [one(headers.connection), one(headers['proxy-connection'])].filter((v) => v !== undefined).join(', ');
  return { kind: 'read', length: 0, complete: false, version, connection: connection || undefined, upgrade: one(headers.upgrade), transferEncoding: one(headers['transfer-encoding']) };
}

const answer = (length: number): [Record<string, string>, string] => {
  const body = String(length);
  return [{ 'content-type': 'text/plain', 'content-length': String(body.length), 'x-fuzz-read': '1' }, body];
};

export async function graymeshTarget(): Promise<Target> {
  const reg = new Registry();
  const server = new Http1Server((req, res) => {
    const ev = readEvent(req.httpVersion, req.headers);
    reg.of(req.socket)?.events.push(ev);
    req.pipeTo({
      data: (c) => ((ev.length += c.length), true),
      end: () => {
        ev.complete = true;
        const [headers, body] = answer(ev.length);
        res.writeHead(200, headers);
        res.end(body);
      },
      error: () => undefined,
    });
  });
  server.on('connection', (socket: net.Socket) => reg.add(socket));
  const port = await listen(server);
  return {
    name: 'graymesh',
    port,
    accepted: (p) => reg.accepted(p),
    forget: (p) => reg.forget(p),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

export async function nodeTarget(): Promise<Target> {
  const reg = new Registry();
  /** Notes the answers Node gives by itself (400 to an HTTP/1.1 request without Host, 417), in the order it reads requests. */
  class RecordingResponse extends http.ServerResponse {
    override writeHead(status: number, ...rest: unknown[]): this {
      if (status >= 400) reg.of(this.req.socket)?.events.push({ kind: 'reject', reason: `node answered ${status}` });
      return (super.writeHead as (s: number, ...r: unknown[]) => this)(status, ...rest);
    }
  }
  const server = http.createServer({ ServerResponse: RecordingResponse as typeof http.ServerResponse }, (req, res) => {
    const ev = readEvent(req.httpVersion, req.headers);
    reg.of(req.socket)?.events.push(ev);
    req.on('data', (c: Buffer) => (ev.length += c.length));
    req.on('error', () => undefined);
    req.on('end', () => {
      ev.complete = true;
      const [headers, body] = answer(ev.length);
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  server.on('connection', (socket: net.Socket) => reg.add(socket));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    const conn = reg.of(socket);
    if (conn && !conn.events.some((e) => e.kind === 'reject')) conn.events.push({ kind: 'reject', reason: err.code ?? err.message });
    // As Node's default handling, but a turn later, so the requests llhttp read before the error finish their events.
    setImmediate(() => socket.destroy());
  });
  // Node's default for CONNECT without a listener is to drop the connection: a refusal, noted as one.
  server.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => {
    reg.of(socket)?.events.push({ kind: 'reject', reason: 'CONNECT' });
    socket.destroy();
  });
  const port = await listen(server);
  return {
    name: 'node',
    port,
    accepted: (p) => reg.accepted(p),
    forget: (p) => reg.forget(p),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
