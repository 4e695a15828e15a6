/**
 * The bounds an HTTP/2 client is held to at a real NodeProxy, with raw
 * frames no well-behaved client sends: a flood of streams each reset at once
 * (rapid reset) ends that session with a GOAWAY while other clients are
 * served; streams beyond the concurrent-stream limit are refused and the
 * others answered; a header list with too many fields is reset; a PING flood
 * ends the session. After each, an HTTP/1.1 and an HTTP/2 client are
 * still answered.
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H2_LIMITS } from '../../src/dataplane/http2/sessions.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import { service, snapshot } from '../../src/dataplane/istio/fixtures.js';
import { FrameType, PREFACE, frame, framesIn, getStream, goawayCode, rawH2, rstStream, type Frame } from '../helpers/h2-frames.js';

const PROJECT = 'demo';
const HOST = `web.${PROJECT}.localhost`;
const { NGHTTP2_REFUSED_STREAM } = http2.constants;

let web: http.Server;
/** Requests that reached the upstream, and a way to hold them open. */
let reached = 0;
let holding = false;
const held: http.ServerResponse[] = [];
let proxy: NodeProxy;

beforeAll(async () => {
  web = http.createServer((req, res) => {
    reached++;
    if (holding) {
      held.push(res);
      return;
    }
    res.end('ok\n');
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
  web.closeAllConnections();
  await new Promise((r) => web.close(r));
});

/** An HTTP/1.1 and an HTTP/2 client are both answered 200. */
async function othersServed(): Promise<void> {
  const h1 = await new Promise<number>((resolve, reject) =>
    http.get({ port: proxy.gatewayPort, host: '127.0.0.1', path: '/', headers: { host: HOST }, agent: false }, (res) => (res.resume(), resolve(res.statusCode!))).on('error', reject),
  );
  expect(h1).toBe(200);
  const session = http2.connect(`http://127.0.0.1:${proxy.gatewayPort}`);
  try {
    const req = session.request({ ':path': '/', ':authority': HOST });
    const status = await new Promise<unknown>((resolve, reject) => {
      req.once('response', (h) => resolve(h[':status']));
      req.once('error', reject);
    });
    req.resume();
    expect(status).toBe(200);
  } finally {
    session.close();
  }
}

/** The frames the proxy sent on a raw connection until it closed it. */
async function untilClosed(c: ReturnType<typeof rawH2>): Promise<Frame[]> {
  await c.closed;
  return framesIn(c.received().subarray(0));
}

const settings = frame(FrameType.SETTINGS, 0, 0);

describe('HTTP/2 bounds at the gateway', () => {
  it('ends a session that opens and resets streams in a flood (rapid reset) with a GOAWAY, and serves other clients', async () => {
    const c = rawH2(proxy.gatewayPort);
    const burst: Buffer[] = [PREFACE, settings];
    for (let id = 1; id < 2 * 5000; id += 2) burst.push(getStream(id, HOST), rstStream(id));
    c.socket.write(Buffer.concat(burst));
    const frames = await untilClosed(c);
    const goaway = frames.find((f) => f.type === FrameType.GOAWAY);
    expect(goaway).toBeDefined();
    // nghttp2's rapid-reset limit sends INTERNAL_ERROR; the premature-reset rule then ends the session with ENHANCE_YOUR_CALM.
    expect(frames.filter((f) => f.type === FrameType.GOAWAY).map(goawayCode)).toContain(0xb);
    await othersServed();
  });

  it('refuses streams beyond the concurrent-stream limit with REFUSED_STREAM, and answers the open ones', async () => {
    holding = true;
    reached = 0;
    const c = rawH2(proxy.gatewayPort);
    try {
      const over = 20;
      const burst: Buffer[] = [PREFACE, settings];
      for (let id = 1; id <= 2 * (H2_LIMITS.maxConcurrentStreams + over); id += 2) burst.push(getStream(id, HOST));
      c.socket.write(Buffer.concat(burst));
      const refused = await new Promise<Frame[]>((resolve) => {
        c.socket.on('data', () => {
          const rst = framesIn(c.received()).filter((x) => x.type === FrameType.RST_STREAM);
          if (rst.length === over) resolve(rst);
        });
      });
      expect(refused.map((f) => f.stream)).toEqual(Array.from({ length: over }, (_, i) => 2 * (H2_LIMITS.maxConcurrentStreams + i) + 1));
      expect(new Set(refused.map((f) => f.payload.readUInt32BE(0)))).toEqual(new Set([NGHTTP2_REFUSED_STREAM]));
      // The streams within the limit reached the upstream and are answered once it answers.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => reached >= H2_LIMITS.maxConcurrentStreams && (clearInterval(check), resolve()), 5);
      });
      holding = false;
      for (const res of held.splice(0)) res.end('ok\n');
      const answered = await new Promise<number>((resolve) => {
        const count = (): void => {
          const n = framesIn(c.received()).filter((f) => f.type === FrameType.HEADERS).length;
          if (n === H2_LIMITS.maxConcurrentStreams) resolve(n);
        };
        c.socket.on('data', count);
        count();
      });
      expect(answered).toBe(H2_LIMITS.maxConcurrentStreams);
      expect(reached).toBe(H2_LIMITS.maxConcurrentStreams);
    } finally {
      holding = false;
      for (const res of held.splice(0)) res.end('ok\n');
      c.socket.destroy();
    }
    await othersServed();
  });

  it('resets a stream whose header list has more fields than the limit, and serves the session on', async () => {
    const c = rawH2(proxy.gatewayPort);
    const many: [string, string][] = Array.from({ length: H2_LIMITS.maxHeaderListPairs + 10 }, (_, i) => [`x-f${i}`, 'v']);
    c.socket.write(Buffer.concat([PREFACE, settings, getStream(1, HOST, many), getStream(3, HOST)]));
    const frames = await new Promise<Frame[]>((resolve) => {
      c.socket.on('data', () => {
        const fs = framesIn(c.received());
        if (fs.some((f) => f.type === FrameType.HEADERS && f.stream === 3)) resolve(fs);
      });
    });
    const one = frames.filter((f) => f.stream === 1);
    // Stream 1 gets no answer but a reset (or a 431), stream 3 is answered.
    expect(one.some((f) => f.type === FrameType.RST_STREAM || f.type === FrameType.HEADERS)).toBe(true);
    expect(one.some((f) => f.type === FrameType.DATA)).toBe(false);
    c.socket.destroy();
    await othersServed();
  });

  it('ends a session that floods PINGs without reading the answers, and serves other clients', async () => {
    const c = rawH2(proxy.gatewayPort);
    c.socket.pause();
    const pings: Buffer[] = [PREFACE, settings];
    for (let i = 0; i < 20_000; i++) pings.push(frame(FrameType.PING, 0, 0, Buffer.alloc(8, i & 0xff)));
    c.socket.write(Buffer.concat(pings));
    c.socket.resume();
    const frames = await untilClosed(c);
    const goaway = frames.find((f) => f.type === FrameType.GOAWAY);
    expect(goaway).toBeDefined();
    // nghttp2's outbound-queue flood limit: the session is torn down with INTERNAL_ERROR (or ENHANCE_YOUR_CALM).
    expect([0x2, 0xb]).toContain(goawayCode(goaway!));
    await othersServed();
  });
});
