/**
 * The proxies graymesh is measured against, each in its own process:
 *   node peers.js fastify|http-proxy PORT UPSTREAM_PORT
 * @fastify/http-proxy (undici underneath) and http-proxy with a keep-alive agent,
 * as a Node user would put them in front of a service.
 */
import http from 'node:http';

async function fastifyProxy(port: number, upstream: number): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { default: proxy } = await import('@fastify/http-proxy');
  const app = Fastify({ logger: false });
  await app.register(proxy, { upstream: `http://127.0.0.1:${upstream}` });
  await app.listen({ port, host: '127.0.0.1' });
}

async function httpProxy(port: number, upstream: number): Promise<void> {
  const { default: httpProxyLib } = await import('http-proxy');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const p = httpProxyLib.createProxyServer({ target: `http://127.0.0.1:${upstream}`, agent });
  p.on('error', (_err, _req, res) => {
    const r = res as http.ServerResponse;
    if (!r.headersSent) r.writeHead(502);
    r.end();
  });
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => p.web(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

if (process.argv[1]?.endsWith('peers.js')) {
  const [kind, port, upstream] = process.argv.slice(2);
  const run = kind === 'fastify' ? fastifyProxy : httpProxy;
  void run(Number(port), Number(upstream)).then(() => process.stdout.write(`ready ${port}\n`));
}
