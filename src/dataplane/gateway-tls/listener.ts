/**
 * The gateway's TLS listener (`--gateway-tls-port`, what a Gateway server's port 443 means).
 * Each connection's ClientHello is read before anything is decrypted (client-hello.ts), and its
 * server name picks the Gateway server (servers.ts):
 *
 * - SIMPLE: TLS is terminated with that server's certificate, ALPN offering h2 and http/1.1;
 *   the decrypted connection goes to the gateway's HTTP/2 sessions (h2) or its HTTP/1.1
 *   listener, the same routes as the plain gateway port, with scheme https.
 * - PASSTHROUGH: the bytes, ClientHello first, are handed to `passthrough` untouched.
 * - A name no server serves (or none, or a server whose Secret did not resolve): a fatal
 *   unrecognized_name alert and the connection closed.
 * - Not TLS at all (plaintext HTTP sent to this port): a 400 saying to use https, then close.
 *
 * The listening socket is a plain net.Server, so it is handed over between proxy processes
 * like every other listener (handover.ts). A new snapshot changes the servers and
 * certificates for the next handshake; connections already up keep theirs.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ConfigSnapshot } from '../../config/snapshot.js';
import { MAX_HELLO_BYTES, UNRECOGNIZED_NAME_ALERT, readClientHello } from './client-hello.js';
import { TlsServers, type TlsServer } from './servers.js';

/** A ClientHello that has not arrived by then ends the connection. */
const HELLO_TIMEOUT_MS = 10_000;

const PLAINTEXT_BODY = "this port speaks TLS: send the request with https://, or http:// to the gateway's plain port\n";
const PLAINTEXT_ANSWER = `HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(PLAINTEXT_BODY)}\r\n\r\n${PLAINTEXT_BODY}`;

export interface GatewayTlsHandlers {
  /** A decrypted HTTP/1.1 connection (the gateway's HTTP/1.1 listener takes it). */
  http1(socket: tls.TLSSocket): void;
  /** A decrypted connection that chose h2 by ALPN. */
  http2(socket: tls.TLSSocket): void;
  /** A PASSTHROUGH server's connection: the name it asked for, the socket, and what was read of it. */
  passthrough(sni: string, server: TlsServer, socket: net.Socket, hello: Buffer): void;
}

/**
 * Answers a refused connection and lets go of it once the answer is out: the socket is paused
 * (nothing more is read), so a client that never closes its side would otherwise hold it open.
 */
export function refuse(socket: net.Socket, answer: Buffer | string): void {
  socket.end(answer, () => socket.destroy());
}

export class GatewayTlsListener {
  /** The listening socket (bound by the proxy's binder). */
  readonly server: net.Server;
  private readonly terminator: tls.Server;
  /** MUTUAL servers: a client certificate is required and verified against the Secret's CAs. */
  private readonly mutualTerminator: tls.Server;
  private servers: TlsServers;
  private readonly pending = new Set<net.Socket>();

  constructor(
    private readonly handlers: GatewayTlsHandlers,
    private readonly port: number,
    /** How long a connection has to send its whole ClientHello. */
    private readonly helloTimeoutMs = HELLO_TIMEOUT_MS,
  ) {
    this.servers = new TlsServers(undefined, port);
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    const terminator = (mutual: boolean): tls.Server => {
      const t = tls.createServer({
        ALPNProtocols: ['h2', 'http/1.1'],
        SNICallback: (name, cb) => cb(null, this.servers.lookup(name.toLowerCase())?.context),
        handshakeTimeout: helloTimeoutMs,
        ...(mutual ? { requestCert: true, rejectUnauthorized: true } : {}),
      });
      t.on('secureConnection', (s: tls.TLSSocket) => (s.alpnProtocol === 'h2' ? handlers.http2(s) : handlers.http1(s)));
      t.on('tlsClientError', (_err, s) => s.destroy());
      return t;
    };
    this.terminator = terminator(false);
    this.mutualTerminator = terminator(true);
  }

  /** The servers and certificates of a new snapshot, for the next handshakes. */
  configure(snapshot: ConfigSnapshot): void {
    this.servers = new TlsServers(snapshot, this.port);
  }

  /** Stops accepting; connections whose ClientHello is still coming go on (a drain), or are cut (`cut`). */
  close(cut = false): void {
    if (this.server.listening) this.server.close();
    if (cut) for (const s of this.pending) s.destroy();
  }

  private accept(socket: net.Socket): void {
    this.pending.add(socket);
    let read: Buffer = Buffer.alloc(0);
    // A deadline, not an idle timeout: a hello dripped a byte at a time must not hold the socket.
    const deadline = setTimeout(() => socket.destroy(), this.helloTimeoutMs);
    const done = (): void => {
      this.pending.delete(socket);
      socket.off('data', onData);
      clearTimeout(deadline);
    };
    const onData = (chunk: Buffer): void => {
      read = read.length === 0 ? chunk : Buffer.concat([read, chunk]);
      const hello = readClientHello(read);
      if (hello.kind === 'partial' && read.length < MAX_HELLO_BYTES) return;
      done();
      socket.pause();
      if (hello.kind !== 'hello') {
        refuse(socket, PLAINTEXT_ANSWER);
        return;
      }
      const server = this.servers.lookup(hello.sni);
      if (!server || hello.sni === undefined) {
        refuse(socket, UNRECOGNIZED_NAME_ALERT);
        return;
      }
      if (server.mode === 'PASSTHROUGH') {
        this.handlers.passthrough(hello.sni, server, socket, read);
        return;
      }
      socket.unshift(read);
      (server.mode === 'MUTUAL' ? this.mutualTerminator : this.terminator).emit('connection', socket);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
    socket.once('close', done);
  }
}
