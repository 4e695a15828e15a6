/** The listener of a gateway TCP port (a Gateway server with `protocol: TCP`), with the drain a hand-over asks of every listener. */
import net from 'node:net';

/** A gateway TCP port's listener: each connection to `onConnection`; a drain stops accepting and waits for its connections. */
export function tcpListener(onConnection: (socket: net.Socket) => void): net.Server & { drain(graceMs: number): Promise<void>; closeAllConnections(): void } {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  return Object.assign(server, {
    drain: (graceMs: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    closeAllConnections: () => {
      for (const s of sockets) s.destroy();
    },
  });
}
