import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Pool, type DispatchOptions } from './client.js';
import { ChunkedDecoder } from './chunked.js';
import { parseRequestHead, parseResponseHead } from './head.js';
import { Http1Server } from './server.js';
import type { Http1Request } from './request.js';
import type { Http1Response } from './response.js';

/** Polls cond until it holds (bounded by 10 s; the test's own timeout is the real bound). */
async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

/** Sends raw bytes on one connection and collects everything the server writes until it closes or `until` matches. */
function raw(port: number, bytes: string | string[], until?: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const parts = Array.isArray(bytes) ? bytes : [bytes];
    s.on('connect', () => {
      let i = 0;
      const next = (): void => {
        if (i < parts.length) {
          s.write(parts[i++]!);
          setTimeout(next, 20);
        }
      };
      next();
    });
    s.on('data', (c) => {
      got += c.toString('latin1');
      if (until?.(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
    setTimeout(() => {
      s.destroy();
      resolve(got);
    }, 3000);
  });
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

/** A server that answers with what it read: method, url, a header and the body. */
async function echoServer(extra?: (req: Http1Request, res: Http1Response) => boolean): Promise<number> {
  const server = new Http1Server((req, res) => {
    if (extra?.(req, res)) return;
    void req.readAll().then((body) => {
      const text = `${req.method} ${req.url} ${req.headers['x-n'] ?? '-'} ${body.toString()}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  return listen(server);
}

describe('HTTP/1.1 heads', () => {
  it('folds repeated fields as Node does: lists joined, cookies with "; ", singletons keep the first, set-cookie a list', () => {
    const h = parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: a\r\nUser-Agent: b\r\nAccept: x\r\naccept: y\r\nCookie: a=1\r\nCookie: b=2\r\nSet-Cookie: s=1\r\nX-Trim:  v \t').headers;
    expect(h).toEqual({ host: 'a', 'user-agent': 'a', accept: 'x, y', cookie: 'a=1; b=2', 'set-cookie': ['s=1'], 'x-trim': 'v' });
  });

  it.each([
    ['both Content-Length and Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked', 400],
    ['a Content-Length that is not a number', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x', 400],
    ['two different Content-Lengths', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4', 400],
    ['two equal Content-Lengths', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3', 400],
    ['a Content-Length followed by HTAB', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\t', 400],
    ['chunked followed by HTAB', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\t', 400],
    ['an empty Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ', 400],
    ['a transfer coding that is not chunked last', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip', 501],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  continued', 400],
    ['a bare LF', 'GET / HTTP/1.1\nHost: a', 400],
    ['a space in the field name', 'GET / HTTP/1.1\r\nHost: a\r\nX A: 1', 400],
    ['HTTP/2.0 in the request line', 'GET / HTTP/2.0', 505],
    ['two Host fields', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b', 400],
    ['a transfer coding other than chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked', 501],
    ['a missing target', 'GET  HTTP/1.1', 400],
    ['an HTTP/1.1 request without Host', 'GET / HTTP/1.1\r\nX-A: 1', 400],
    ['an absolute-form HTTP/1.1 request without Host', 'GET http://a/ HTTP/1.1', 400],
    ['a method llhttp does not know', 'BREW / HTTP/1.1\r\nHost: a', 501],
    ['a method that is not a token', 'GE(T / HTTP/1.1\r\nHost: a', 400],
    ['a fragment in the target', 'GET /a#b HTTP/1.1\r\nHost: a', 400],
    ['a control character in the target', 'GET /a\x01 HTTP/1.1\r\nHost: a', 400],
    ['raw UTF-8 in the target', 'GET /\xc3\xa9 HTTP/1.1\r\nHost: a', 400],
    ['a target in no form of RFC 9112', 'GET foo HTTP/1.1\r\nHost: a', 400],
    ['two spaces after the method', 'GET  / HTTP/1.1\r\nHost: a', 400],
  ])('refuses %s', (_what, text, status) => {
    expect(() => parseRequestHead(text)).toThrow(expect.objectContaining({ status }));
  });

  it.each(['\x01', '\x08', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f'])('refuses the control character %j in a field value, with 400', (ctl) => {
    expect(() => parseRequestHead(`GET / HTTP/1.1\r\nHost: a\r\nX-A: a${ctl}b`)).toThrow(expect.objectContaining({ status: 400, message: 'control character in the value of X-A' }));
    expect(() => parseResponseHead(`HTTP/1.1 200 OK\r\nX-A: a${ctl}b`)).toThrow(expect.objectContaining({ status: 502 }));
  });

  it('takes HTAB and obs-text in a field value', () => {
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nX-A: a\tb \xe9').headers['x-a']).toBe('a\tb \xe9');
  });

  it('takes the request-target forms a proxy is sent: origin-form with a query, absolute-form, asterisk', () => {
    expect(parseRequestHead('GET /a/b?c=d?e HTTP/1.1\r\nHost: a').target).toBe('/a/b?c=d?e');
    expect(parseRequestHead('GET http://u@[::1]:8080/p?q HTTP/1.1\r\nHost: a').target).toBe('http://u@[::1]:8080/p?q');
    expect(parseRequestHead('OPTIONS * HTTP/1.1\r\nHost: a').target).toBe('*');
    expect(parseRequestHead('GET / HTTP/1.0').minor).toBe(0);
  });

  it('keeps HTTP/1.0 connections only when asked, HTTP/1.1 ones unless told to close', () => {
    expect(parseRequestHead('GET / HTTP/1.0').keepAlive).toBe(false);
    expect(parseRequestHead('GET / HTTP/1.0\r\nConnection: keep-alive').keepAlive).toBe(true);
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a').keepAlive).toBe(true);
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: Close').keepAlive).toBe(false);
    // Faulty framing (RFC 9112 §6.1): the connection ends with this message.
    expect(parseRequestHead('POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive').keepAlive).toBe(false);
  });

  it.each([
    ['notclose', true],
    ['closed', true],
    ['x-hop, close', false],
    ['keep-alive, close', false],
    ['CLOSE', false],
    [' , close ,', false],
    ['"close"', true],
    ['keep-alive', true],
  ])('reads Connection: %s on HTTP/1.1 as a token list (kept: %s)', (value, kept) => {
    expect(parseRequestHead(`GET / HTTP/1.1\r\nHost: a\r\nConnection: ${value}`).keepAlive).toBe(kept);
  });

  it.each([
    ['Connection: keep-alive', true],
    ['Connection: Keep-Alive', true],
    ['Connection: x, keep-alive', true],
    ['Connection: keep-alivex', false],
    ['Connection: keep-alive, close', false],
    ['Connection: keep-alive\t', false],
    ['Proxy-Connection: keep-alive', true],
  ])('reads %s on HTTP/1.0 as a token list (kept: %s)', (field, kept) => {
    expect(parseRequestHead(`GET / HTTP/1.0\r\n${field}`).keepAlive).toBe(kept);
  });

  it('reads close from Proxy-Connection and from a second Connection field, and ends the connection after an Upgrade request', () => {
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nProxy-Connection: close').keepAlive).toBe(false);
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: x-a\r\nConnection: close').keepAlive).toBe(false);
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket').keepAlive).toBe(false);
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, upgrade\r\nUpgrade: h2c').keepAlive).toBe(false);
    // Without an Upgrade field there is nothing to switch to.
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade').keepAlive).toBe(true);
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: upgraded\r\nUpgrade: websocket').keepAlive).toBe(true);
  });

  it("reads an answer's Connection as a token list", () => {
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nConnection: notclose').close).toBe(false);
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nConnection: keep-alive, Close').close).toBe(true);
    expect(parseResponseHead('HTTP/1.0 200 OK\r\nConnection: Keep-Alive').close).toBe(false);
    expect(parseResponseHead('HTTP/1.0 200 OK\r\nConnection: keep-alive-ish').close).toBe(true);
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nConnection: x-a, close\r\nX-A: 1\r\nX-B: 2').headers).toEqual(['x-b', '2']);
  });

  it('takes an answer framed by chunks without the Content-Length beside it, and refuses odd status codes', () => {
    const r = parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nX-A: 1');
    expect(r.chunked).toBe(true);
    expect(r.contentLength).toBe(-1);
    expect(r.headers).toEqual(['x-a', '1']);
    expect(() => parseResponseHead('HTTP/1.1 1e2 OK')).toThrow(/status line/);
    expect(() => parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip')).toThrow(expect.objectContaining({ status: 502 }));
  });

  it.each([
    '5\r\r\n', ' 5\r\n', '\v5\r\n', '5\u00a0\r\n', '5;a\rb\r\n', '0x5\r\n', '5 \r\n', '5\t;a\r\n', '5; a\r\n', '5;a =b\r\n',
    '5;a="b\r\n', '5;a=b c\r\n', '5;a\x01\r\n', '5;;\r\n', '5;=b\r\n', '5;a=\r\n', '1000000000000\r\n', '-5\r\n', '\r\n',
  ])('refuses the chunk-size line %j', (line) => {
    expect(() => new ChunkedDecoder().push(Buffer.from(line, 'latin1'), 0, () => undefined)).toThrow(/chunk/);
  });

  it('accepts extensions of tokens and quoted strings after a chunk size, and sizes with leading zeros', () => {
    const out: string[] = [];
    new ChunkedDecoder().push(Buffer.from('0003;name=value;flag;q="a \\"b\\" ;c"\r\nabc\r\n0fffffffffff;x\r\n'), 0, (b) => out.push(b.toString()));
    expect(out.join('')).toBe('abc');
  });

  it.each([
    ['a line that is no field', 'garbage', 400],
    ['a folded line', ' folded', 400],
    ['a control character', 'X-A: a\x01', 400],
    ['Content-Length', 'Content-Length: 5', 400],
    ['Transfer-Encoding', 'Transfer-Encoding: chunked', 400],
    ['more than 16 KiB of fields', Array.from({ length: 5 }, (_, i) => `X-${i}: ${'t'.repeat(4000)}`).join('\r\n'), 431],
  ])('refuses a trailer section with %s', (_what, trailer, status) => {
    const wire = Buffer.from(`1\r\na\r\n0\r\n${trailer}\r\n\r\n`, 'latin1');
    expect(() => new ChunkedDecoder().push(wire, 0, () => undefined)).toThrow(expect.objectContaining({ status }));
  });

  it('drops hop-by-hop fields and those Connection names from an answer, and reads the keep-alive hint', () => {
    const r = parseResponseHead('HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\nX-End: 2\r\nContent-Length: 0');
    expect(r.headers).toEqual(['x-end', '2', 'content-length', '0']);
    expect(r.keepAliveMs).toBe(5000);
    expect(r.close).toBe(false);
    expect(parseResponseHead('HTTP/1.0 200 OK').close).toBe(true);
  });

  it('decodes chunked bodies split anywhere, with extensions and trailers, and says where the body ended', () => {
    const wire = Buffer.from('4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\nNEXT');
    const bodyEnd = wire.indexOf('NEXT');
    for (let cut = 1; cut < bodyEnd; cut++) {
      const d = new ChunkedDecoder();
      const out: Buffer[] = [];
      expect(d.push(wire.subarray(0, cut), 0, (b) => out.push(Buffer.from(b)))).toBe(-1);
      const end = d.push(wire.subarray(cut), 0, (b) => out.push(Buffer.from(b)));
      expect(Buffer.concat(out).toString()).toBe('Wikipedia');
      expect(wire.subarray(cut).subarray(end).toString()).toBe('NEXT');
    }
    expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'), 0, () => undefined)).toThrow(/chunk size/);
  });
});

describe('Http1Server', () => {
  it('answers pipelined requests in order on one connection, bodies and all', async () => {
    const port = await echoServer();
    const text = await raw(
      port,
      'GET /a HTTP/1.1\r\nHost: x\r\nX-N: 1\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-N: 2\r\n\r\nhelloPOST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-N: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      (t) => t.includes('POST /c 3 abc'),
    );
    const a = text.indexOf('GET /a 1 ');
    const b = text.indexOf('POST /b 2 hello');
    const c = text.indexOf('POST /c 3 abc');
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(count(text, 'HTTP/1.1 200 OK')).toBe(3);
  });

  it('frames an answer of unknown length: chunked for HTTP/1.1, by closing for HTTP/1.0', async () => {
    const port = await echoServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part1-');
      res.end('part2');
      return true;
    });
    const t11 = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (t) => t.endsWith('0\r\n\r\n'));
    expect(t11).toMatch(/transfer-encoding: chunked\r\n/);
    expect(t11).toContain('6\r\npart1-\r\n5\r\npart2\r\n0\r\n\r\n');
    const t10 = await raw(port, 'GET / HTTP/1.0\r\nHost: x\r\n\r\n');
    expect(t10).toMatch(/connection: close\r\n/);
    expect(t10).not.toMatch(/transfer-encoding/);
    expect(t10.endsWith('\r\n\r\npart1-part2')).toBe(true);
  });

  it('sends no body for HEAD and keeps the connection for the next request', async () => {
    const port = await echoServer();
    const text = await raw(port, 'HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n', (t) => t.includes('GET /g'));
    expect(text).not.toContain('HEAD /h');
    expect(count(text, 'HTTP/1.1 200 OK')).toBe(2);
  });

  it('says 100 Continue to a client that expects it, and refuses other expectations with 417', async () => {
    const port = await echoServer();
    const text = await raw(port, ['POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n', 'ok'], (t) => t.includes('POST /e - ok'));
    expect(text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK')).toBe(true);
    expect(await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n')).toMatch(/^HTTP\/1.1 417 /);
  });

  it.each([
    ['a smuggling-shaped request', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
    ['a head beyond 16 KiB', `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`, 431],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405],
    ['garbage', 'hello there\r\n\r\n', 400],
  ])('answers %s with %i and closes the connection', async (_what, bytes, status) => {
    const port = await echoServer();
    const text = await raw(port, bytes);
    expect(text.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(text).toContain('connection: close');
  });

  it('closes after the answer when the client asked, and adds Connection: close', async () => {
    const port = await echoServer();
    const text = await raw(port, 'GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(text).toContain('connection: close');
    expect(text).toContain('GET /x');
    expect(text).not.toContain('/never');
  });

  it('answers an HTTP/1.1 request without Host with 400, and a control character in a field value with 400', async () => {
    const port = await echoServer();
    for (const bytes of ['GET / HTTP/1.1\r\nX-N: 1\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nX-N: a\x01b\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nX-N: a\x7fb\r\n\r\n']) {
      const text = await raw(port, bytes);
      expect(text).toMatch(/^HTTP\/1.1 400 /);
      expect(text).not.toContain('GET / ');
    }
    expect(await raw(port, 'GET /kept HTTP/1.0\r\n\r\n')).toContain('GET /kept - ');
  });

  it('keeps a connection whose Connection is a token other than close, and closes on close anywhere in the list', async () => {
    const port = await echoServer();
    const kept = await raw(port, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: notclose\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n', (t) => t.includes('GET /b'));
    expect(count(kept, 'HTTP/1.1 200 OK')).toBe(2);
    const closed = await raw(port, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(closed).toContain('connection: close');
    expect(closed).not.toContain('/never');
  });

  it('closes after an Upgrade request it does not upgrade: nothing sent behind it is read as a request', async () => {
    const port = await echoServer();
    const text = await raw(port, 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(text).toContain('GET /ws - ');
    expect(text).toContain('connection: close');
    expect(text).not.toContain('/smuggled');
  });

  it('reads nothing after an answer that closed the connection, even one written as the body ended', async () => {
    let requests = 0;
    const port = await echoServer((req, res) => {
      requests++;
      req.pipeTo({ data: () => true, end: () => res.end('done'), error: () => undefined });
      return true;
    });
    const text = await raw(port, 'POST /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(text).toContain('connection: close');
    expect(count(text, 'HTTP/1.1 200 OK')).toBe(1);
    expect(requests).toBe(1);
  });

  it('drops a body the handler did not read and serves the next request on the connection', async () => {
    const port = await echoServer((req, res) => {
      if (req.url !== '/early') return false;
      res.writeHead(413, { 'content-length': '0' });
      res.end();
      req.resume();
      return true;
    });
    const text = await raw(port, ['POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234', '56789GET /after HTTP/1.1\r\nHost: x\r\n\r\n'], (t) => t.includes('GET /after'));
    expect(text).toMatch(/^HTTP\/1.1 413 /);
    expect(text).toContain('GET /after - ');
  });

  it('stops reading a body nothing consumes yet once 64 KiB are held', async () => {
    let seen: Http1Request | undefined;
    const port = await echoServer((req) => ((seen = req), true));
    const s = net.connect(port, '127.0.0.1');
    closers.push(() => s.destroy());
    await new Promise((r) => s.once('connect', r));
    s.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 16777216\r\n\r\n');
    for (let i = 0; i < 16; i++) s.write(Buffer.alloc(1 << 20));
    // The listener has paused the socket, and the client is left holding what it cannot send.
    await waitFor(() => seen !== undefined && seen.socket.isPaused(), 'the listener to pause reading');
    await waitFor(() => s.writableNeedDrain, 'the client to be blocked');
    // Kernel buffers take some; the proxy itself holds no more than the limit and a read.
    expect(seen!.socket.bytesRead).toBeLessThan(4 << 20);
  });

  it('tells the answer when the client goes away before it is finished', async () => {
    let closed: (finished: boolean) => void = () => undefined;
    const seen = new Promise<boolean>((r) => (closed = r));
    const port = await echoServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      res.onClose(() => closed(res.writableFinished));
      return true;
    });
    await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (t) => t.includes('partial'));
    expect(await seen).toBe(false);
  });
});

interface Answer {
  status: number;
  headers: string[];
  body: string;
}

function fetchVia(pool: Http1Pool, opts: Partial<DispatchOptions>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: string[] = [];
    const chunks: Buffer[] = [];
    pool.dispatch(
      { method: 'GET', path: '/', headers: { host: 'up' }, body: null, ...opts },
      {
        onConnect: () => undefined,
        onHeaders: (s, h) => ((status = s), (headers = h), true),
        onData: (c) => (chunks.push(Buffer.from(c)), true),
        onComplete: () => resolve({ status, headers, body: Buffer.concat(chunks).toString() }),
        onError: reject,
      },
    );
  });
}

async function nodeUpstream(handler: http.RequestListener, opts: http.ServerOptions = {}): Promise<{ port: number; connections: () => number }> {
  const server = http.createServer(opts, handler);
  let connections = 0;
  server.on('connection', () => connections++);
  const port = await listen(server);
  closers.push(() => server.closeAllConnections());
  return { port, connections: () => connections };
}

/** A listener that streams each request's body to `pool` as a POST and relays the answer. */
async function forwardPosts(pool: Http1Pool): Promise<number> {
  const front = new Http1Server((req, res) => {
    const headers: Record<string, string> = { host: 'up' };
    if (typeof req.headers['content-length'] === 'string') headers['content-length'] = req.headers['content-length'];
    pool.dispatch(
      { method: 'POST', path: '/', headers, body: req },
      {
        onConnect: () => undefined,
        onHeaders: (s, h) => (res.writeHead(s, h), true),
        onData: (c) => res.write(c),
        onComplete: () => res.end(),
        onError: () => res.destroy(),
      },
    );
  });
  return listen(front);
}

describe('Http1Pool', () => {
  it('reuses one kept-alive connection for requests in sequence', async () => {
    const up = await nodeUpstream((req, res) => res.end(`hi ${req.url}`));
    const pool = new Http1Pool('127.0.0.1', up.port);
    closers.push(() => pool.destroy());
    for (let i = 0; i < 5; i++) expect((await fetchVia(pool, { path: `/${i}` })).body).toBe(`hi /${i}`);
    expect(up.connections()).toBe(1);
    expect(pool.size).toBe(1);
  });

  it('reads chunked answers and close-delimited HTTP/1.0 answers', async () => {
    const up = await nodeUpstream((_req, res) => {
      res.write('a'.repeat(10));
      setTimeout(() => res.end('b'.repeat(5)), 10);
    });
    const pool = new Http1Pool('127.0.0.1', up.port);
    closers.push(() => pool.destroy());
    const a = await fetchVia(pool, {});
    expect(a.body).toBe('aaaaaaaaaabbbbb');
    expect(a.headers).not.toContain('transfer-encoding');

    const old = net.createServer((s) => s.once('data', () => s.end('HTTP/1.0 200 OK\r\nX-Old: 1\r\n\r\nuntil the end')));
    const oldPort = await listen(old);
    const oldPool = new Http1Pool('127.0.0.1', oldPort);
    closers.push(() => oldPool.destroy());
    const b = await fetchVia(oldPool, {});
    expect(b).toEqual({ status: 200, headers: ['x-old', '1'], body: 'until the end' });
  });

  it('skips interim answers (103 Early Hints) and passes on the final one', async () => {
    const srv = net.createServer((s) => s.once('data', () => s.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok')));
    const pool = new Http1Pool('127.0.0.1', await listen(srv));
    closers.push(() => pool.destroy());
    expect(await fetchVia(pool, {})).toMatchObject({ status: 201, body: 'ok' });
  });

  it('resends a GET that met a connection the upstream had closed while idle, but not a POST', async () => {
    // Answers once per connection, then closes it without saying so.
    let served = 0;
    const srv = net.createServer((s) =>
      s.once('data', () => {
        served++;
        s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }),
    );
    const pool = new Http1Pool('127.0.0.1', await listen(srv));
    closers.push(() => pool.destroy());
    await fetchVia(pool, {});
    // The close has not been noticed yet: the next request goes out on the same socket.
    const again = await fetchVia(pool, {});
    expect(again.body).toBe('ok');
    expect(served).toBe(2);
    await fetchVia(pool, {});
    const post = fetchVia(pool, { method: 'POST', body: Buffer.from('x'), headers: { host: 'up' } });
    await expect(post).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('never passes on a Content-Length that came beside chunked framing', async () => {
    const srv = net.createServer((s) =>
      s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n33\r\nhelloHTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nPOISONED\r\n0\r\n\r\n')),
    );
    const pool = new Http1Pool('127.0.0.1', await listen(srv));
    closers.push(() => pool.destroy());
    const a = await fetchVia(pool, {});
    expect(a.headers).not.toContain('content-length');
    expect(a.body).toBe('helloHTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nPOISONED');
  });

  it('closes a connection whose request body was cut short by an early answer, and serves the next request', async () => {
    const up = await nodeUpstream((_req, res) => res.writeHead(401, { 'content-length': '0' }).end());
    const pool = new Http1Pool('127.0.0.1', up.port, { connections: 1 });
    closers.push(() => pool.destroy());
    const port = await forwardPosts(pool);
    for (let i = 0; i < 3; i++) {
      const text = await raw(port, ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'], (t) => t.includes('\r\n\r\n'));
      expect(text).toMatch(/^HTTP\/1.1 401 /);
    }
    expect(await fetchVia(pool, {})).toMatchObject({ status: 401 });
  });

  it('reports a refused connection with its code', async () => {
    const srv = net.createServer();
    const port = await listen(srv);
    srv.close();
    const pool = new Http1Pool('127.0.0.1', port);
    closers.push(() => pool.destroy());
    await expect(fetchVia(pool, {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses a header value with a line break (no field injection) and sends nothing', async () => {
    let received = '';
    const srv = net.createServer((s) =>
      s.on('data', (c) => {
        received += c.toString('latin1');
        if (received.endsWith('\r\n\r\n')) s.write('HTTP/1.1 204 No Content\r\n\r\n');
      }),
    );
    const pool = new Http1Pool('127.0.0.1', await listen(srv));
    closers.push(() => pool.destroy());
    await expect(fetchVia(pool, { headers: { host: 'up', 'x-evil': 'a\r\nx-injected: 1' } })).rejects.toThrow(/line break/);
    // A request sent after it arrives first: nothing of the refused one went before it.
    await expect(fetchVia(pool, { path: '/next' })).resolves.toMatchObject({ status: 204 });
    expect(received.startsWith('GET /next HTTP/1.1\r\n')).toBe(true);
    expect(received).not.toContain('x-injected');
  });

  it("does not keep a connection past the upstream's Keep-Alive timeout", async () => {
    const up = await nodeUpstream((_req, res) => res.end('x'), { keepAliveTimeout: 1000 });
    const pool = new Http1Pool('127.0.0.1', up.port);
    closers.push(() => pool.destroy());
    await fetchVia(pool, {});
    await fetchVia(pool, {});
    // timeout=1 leaves no safe idle time: each request has a connection of its own.
    expect(up.connections()).toBe(2);
  });

  it('streams a request body of unknown length as chunked, and one of known length as is', async () => {
    const up = await nodeUpstream((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => res.end(`${req.headers['transfer-encoding'] ?? req.headers['content-length']}:${Buffer.concat(parts).length}`));
    });
    const pool = new Http1Pool('127.0.0.1', up.port);
    closers.push(() => pool.destroy());
    const port = await forwardPosts(pool);
    const big = 'z'.repeat(300_000);
    const chunked = await raw(port, ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', `${(150_000).toString(16)}\r\n${big.slice(0, 150_000)}\r\n`, `${(150_000).toString(16)}\r\n${big.slice(150_000)}\r\n0\r\n\r\n`], (t) => t.includes(':300000'));
    expect(chunked).toContain('chunked:300000');
    const sized = await raw(port, [`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n`, big], (t) => t.includes(':300000'));
    expect(sized).toContain('300000:300000');
  });
});
