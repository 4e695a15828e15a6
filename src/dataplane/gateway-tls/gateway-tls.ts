/**
 * The node proxy's part of TLS at the gateway: the TLS listener bound through the proxy's
 * binder (so it is handed over between processes like the gateway port, accepting only once
 * the first config is in force when inherited), the decrypted connections handed to the
 * gateway's HTTP/1.1 listener and HTTP/2 sessions, PASSTHROUGH servers piped to their `tls:`
 * route, and the https redirect of plain servers with `tls.httpsRedirect`.
 */
import type { AddressInfo } from 'node:net';
import type { ConfigSnapshot } from '../../config/snapshot.js';
import type { ListenerBinder } from '../handover.js';
import type { Http1Server } from '../http1/server.js';
import type { RedirectAction } from '../policy.js';
import { GatewayTlsListener } from './listener.js';
import { passthrough } from './passthrough.js';
import { TlsServers } from './servers.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';

export class GatewayTls {
  private readonly listener: GatewayTlsListener;
  private deferred = false;
  private servers: TlsServers;

  constructor(
    private readonly wantedPort: number,
    private readonly host: string,
    private readonly binder: ListenerBinder,
    /** The gateway's HTTP/1.1 listener for decrypted connections (not listening itself), with its HTTP/2 sessions. */
    readonly http: Http1Server,
    snapshot: () => ConfigSnapshot | undefined,
    telemetry?: RequestTelemetry,
  ) {
    this.servers = new TlsServers(undefined, wantedPort);
    this.listener = new GatewayTlsListener(
      {
        http1: (s) => http.emit('connection', s),
        http2: (s) => http.http2?.take(s, Buffer.alloc(0)),
        passthrough: (sni, server, socket, hello) => passthrough(snapshot(), sni, server, socket, hello, telemetry),
      },
      wantedPort,
    );
  }

  /** The bound port (the wanted one while an inherited socket waits for the first config). */
  get port(): number {
    if (this.deferred) return this.wantedPort;
    return (this.listener.server.address() as AddressInfo | null)?.port ?? this.wantedPort;
  }

  async start(): Promise<void> {
    if (this.binder.inherited(this.wantedPort, this.host)) this.deferred = true;
    else await this.binder.listen(this.listener.server, this.wantedPort, this.host);
  }

  /** The snapshot now in force: its servers and certificates serve the next handshakes. */
  async apply(snapshot: ConfigSnapshot): Promise<void> {
    this.listener.configure(snapshot);
    this.servers = new TlsServers(snapshot, this.port);
    if (this.deferred) {
      this.deferred = false;
      await this.binder.listen(this.listener.server, this.wantedPort, this.host);
    }
  }

  /** A plain request to a host a server with `tls.httpsRedirect` serves: 301 to the same URL over https. */
  redirect(host: string, path: string): RedirectAction | undefined {
    if (!this.servers.redirects(host)) return undefined;
    const port = this.port === 443 ? '' : `:${this.port}`;
    return { kind: 'redirect', status: 301, location: `https://${host}${port}${path}`, routeName: 'https_redirect' };
  }

  /** Stops accepting; `cut` also ends the connections still in their handshake. */
  close(cut = false): void {
    this.listener.close(cut);
  }
}
