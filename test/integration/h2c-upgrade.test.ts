/**
 * HTTP/1.1 → HTTP/2 upgrade (h2c, RFC 7540 §3.2) at a real NodeProxy, with
 * curl `--http2` over http:// as the client: the proxy answers 101 and the
 * upgraded request is answered over HTTP/2 as stream 1; the same connection
 * carries the next request as stream 3; a request with a body, and one
 * without HTTP2-Settings, are served as HTTP/1.1.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import { service, snapshot } from '../../src/dataplane/istio/fixtures.js';

const execFileP = promisify(execFile);
const PROJECT = 'demo';
const HOST = `web.${PROJECT}.localhost`;

let web: http.Server;
let proxy: NodeProxy;

beforeAll(async () => {
  web = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`web saw ${req.method} ${req.url} body=${Buffer.concat(chunks).length} x-who=${String(req.headers['x-who'])}\n`);
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  proxy = new NodeProxy({ gatewayPort: 0 });
  await proxy.start();
  await proxy.apply({
    ...snapshot({
      services: [service(PROJECT, 'web', 8000)],
      endpoints: [{ pod: 'web-0', project: PROJECT, workload: 'web', labels: { app: 'web' }, address: '127.0.0.1', port: (web.address() as AddressInfo).port, ready: true }],
    }),
    gatewayPort: 0,
  });
});

afterAll(async () => {
  await proxy.close();
  await new Promise((r) => web.close(r));
});

async function curl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return execFileP('curl', ['-sS', '-v', '-H', `host: ${HOST}`, '-H', 'x-who: curl', ...args]);
}

describe('h2c upgrade from HTTP/1.1', () => {
  it('answers 101 to curl --http2 and the upgraded request over HTTP/2 as stream 1', async () => {
    const { stdout, stderr } = await curl(['--http2', '-w', '%{http_version} %{response_code}\n', `http://127.0.0.1:${proxy.gatewayPort}/first?x=1`]);
    expect(stderr).toContain('> Upgrade: h2c');
    expect(stderr).toContain('< HTTP/1.1 101 Switching Protocols');
    expect(stderr).toContain('< HTTP/2 200');
    expect(stdout).toBe('web saw GET /first?x=1 body=0 x-who=curl\n2 200\n');
  });

  it('carries the next request on the upgraded connection as an HTTP/2 stream', async () => {
    const port = proxy.gatewayPort;
    const { stdout, stderr } = await curl(['--http2', '-w', '%{http_version} %{num_connects}\n', `http://127.0.0.1:${port}/one`, `http://127.0.0.1:${port}/two`]);
    expect(stdout).toBe('web saw GET /one body=0 x-who=curl\n2 1\nweb saw GET /two body=0 x-who=curl\n2 0\n');
    expect(stderr.match(/101 Switching Protocols/g)).toHaveLength(1);
  });

  it('serves an upgrade request with a body as HTTP/1.1', async () => {
    const { stdout } = await curl(['--http2', '-d', 'hello', '-w', '%{http_version} %{response_code}\n', `http://127.0.0.1:${proxy.gatewayPort}/post`]);
    expect(stdout).toBe('web saw POST /post body=5 x-who=curl\n1.1 200\n');
  });

  it('serves an h2c upgrade request without HTTP2-Settings as HTTP/1.1', async () => {
    const answer = await raw(`GET /plain HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('web saw GET /plain body=0');
  });

  it('closes an upgraded connection whose client does not send the HTTP/2 preface, and keeps serving', async () => {
    const answer = await raw(`GET /bad HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\nGET /again HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect(answer).toBe('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    const { stdout } = await curl(['--http2', '-w', '%{http_version}\n', `http://127.0.0.1:${proxy.gatewayPort}/after`]);
    expect(stdout).toBe('web saw GET /after body=0 x-who=curl\n2\n');
  });
});

/** Sends `request` on a new connection and returns all the proxy wrote until it closed. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(proxy.gatewayPort, '127.0.0.1', () => sock.write(request));
    const got: Buffer[] = [];
    sock.on('data', (c: Buffer) => got.push(c));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
  });
}
