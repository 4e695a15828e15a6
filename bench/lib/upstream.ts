/**
 * The benchmark upstream: answers every request with a fixed 1 KB body after
 * reading the request body, on keep-alive connections. Run as its own process:
 * `node upstream.js PORT [NAME]`; prints `ready PORT` when listening. Without
 * PORT it listens on $PORT, as a graymesh workload does (`bench -- system`).
 */
import http from 'node:http';

const BODY = Buffer.alloc(1024, 'x');

export function startUpstream(port: number, name = 'upstream'): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length, 'x-served-by': name });
      res.end(BODY);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1]?.endsWith('upstream.js')) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? '0');
  void startUpstream(port, process.argv[3] ?? process.env.SERVICE_NAME).then((s) => {
    const addr = s.address();
    process.stdout.write(`ready ${typeof addr === 'object' && addr ? addr.port : port}\n`);
  });
}
