/**
 * A minimal forward proxy that routes absolute-form requests by host name to
 * local ports. It stands in for the node proxy in the samples' tests (and lets
 * Bookinfo run on a laptop without the mesh); it records what it saw so tests
 * can check the request line and the forwarded headers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy received it. */
export interface SeenRequest {
  /** Request method. */
  method: string;
  /** Request target exactly as sent (absolute-form through a proxy). */
  target: string;
  /** Request headers (lower-case names). */
  headers: http.IncomingHttpHeaders;
}

/** A running forward proxy. */
export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, ready for HTTP_PROXY. */
  url: string;
  /** Host name (or `host:port`) → local port; edit it to move or remove a backend. */
  routes: Map<string, number>;
  /** Every request received, oldest first. */
  seen: SeenRequest[];
  /** Stops the proxy. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 and a free port. */
export function startForwardProxy(routes: Record<string, number> = {}): Promise<ForwardProxy> {
  const table = new Map(Object.entries(routes));
  const seen: SeenRequest[] = [];
  const upstreamAgent = new http.Agent({ keepAlive: false });

  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', headers: { ...req.headers } });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('absolute-form request target required\n');
      return;
    }
    const port = table.get(target.host) ?? table.get(target.hostname);
    if (port === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`no route to ${target.host}\n`);
      return;
    }
    const upstream = http.request(
      {
        agent: upstreamAgent,
        host: '127.0.0.1',
        port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    // A caller that gives up (timeout) should not leave the backend working for nobody.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream connect error\n');
      else res.destroy();
    });
    req.pipe(upstream);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        routes: table,
        seen,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            upstreamAgent.destroy();
          }),
      });
    });
  });
}
