/**
 * Istio's tcp-echo server (samples/tcp-echo): answers each line a client sends with the
 * server's prefix, a space and the line (`one hello`), until the client closes. Lines are
 * bounded (64 KiB without a newline closes the connection), so one client cannot grow memory.
 */
import net from 'node:net';
import type { Closable } from '../lib/graceful-shutdown.js';

const MAX_LINE = 64 * 1024;

export interface EchoServer extends Closable {
  /** `host:port` it listens on. */
  address: string;
  port: number;
}

export async function startEcho(opts: { port: number; prefix: string; host?: string }): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        socket.write(`${opts.prefix} ${line}\n`);
      }
      if (pending.length > MAX_LINE) socket.destroy();
    });
    socket.on('end', () => {
      if (pending.length > 0) socket.write(`${opts.prefix} ${pending}\n`);
      socket.end();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.end();
      }),
  };
}
