/**
 * The HTTP/2 benchmark upstream: cleartext HTTP/2 with prior knowledge (h2c)
 * on node:http2, answering every stream with a fixed 1 KB body after reading
 * the request body. Run as its own process: `node h2-upstream.js PORT [NAME]`;
 * prints `ready PORT` when listening.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.alloc(1024, 'x');

export function startH2Upstream(port: number, name = 'upstream'): Promise<http2.Http2Server> {
  const server = http2.createServer({ peerMaxConcurrentStreams: 1000, settings: { maxConcurrentStreams: 1000 } });
  server.on('stream', (stream) => {
    stream.resume();
    stream.on('end', () => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': BODY.length, 'x-served-by': name });
      stream.end(BODY);
    });
    stream.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1]?.endsWith('h2-upstream.js')) {
  void startH2Upstream(Number(process.argv[2] ?? '0'), process.argv[3]).then((s) => process.stdout.write(`ready ${(s.address() as AddressInfo).port}\n`));
}
