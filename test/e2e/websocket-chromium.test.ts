/**
 * A Chromium page's own WebSocket through the gateway: Debian's Chromium
 * (playwright-core, test/helpers/browser.ts) loads a page from httpbin at its
 * gateway host and opens `new WebSocket('ws://' + location.host +
 * '/websocket/echo')` from it; text and binary messages come back, the
 * handshake is routed by the VirtualService's weights, and a weight change
 * leaves the open WebSocket echoing while a new one follows the new weights.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpbin } from '../../samples/httpbin/httpbin.js';
import type { RunningServer } from '../../samples/lib/serve.js';
import type { ConfigSnapshot, EndpointConfig } from '../../src/config/snapshot.js';
import { dr, vs } from '../../src/dataplane/istio/fixtures.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import type { RequestRecord } from '../../src/dataplane/request-record.js';
import { Browser, hasChromium } from '../helpers/browser.js';

const PROJECT = 'demo';
const HOST = `httpbin.${PROJECT}.localhost`;

let bins: RunningServer[] = [];
let proxy: NodeProxy;
let browser: Browser;
let page: Page;
let version = 0;
const records: RequestRecord[] = [];

function endpoint(v: string, port: number): EndpointConfig {
  return { pod: `httpbin-${v}-0`, project: PROJECT, workload: `httpbin-${v}`, labels: { app: 'httpbin', version: v }, address: '127.0.0.1', port, ready: true };
}

async function weights(w1: number, w2: number): Promise<void> {
  const s: ConfigSnapshot = {
    version: ++version,
    gatewayPort: 0,
    projects: [{ name: PROJECT, governance: false }],
    services: [{ project: PROJECT, name: 'httpbin', ports: [{ name: 'http', port: 8000 }], selector: { app: 'httpbin' } }],
    endpoints: bins.map((b, i) => endpoint(`v${i + 1}`, b.port)),
    listeners: [],
    virtualServices: [
      vs(PROJECT, 'httpbin', {
        hosts: ['httpbin'],
        http: [
          {
            route: [
              { destination: { host: 'httpbin', subset: 'v1' }, weight: w1 },
              { destination: { host: 'httpbin', subset: 'v2' }, weight: w2 },
            ],
          },
        ],
      }),
    ],
    destinationRules: [dr(PROJECT, 'httpbin', { host: 'httpbin', subsets: ['v1', 'v2'].map((v) => ({ name: v, labels: { version: v } })) })],
    gateways: [],
    serviceEntries: [],
  };
  await proxy.apply(s);
}

/** The pod that took the last WebSocket handshake the proxy finished. */
function lastUpgradePod(): string | undefined {
  return records.filter((r) => r.status === 101).at(-1)?.upstream?.pod;
}

describe.skipIf(!hasChromium())('a Chromium page opens a WebSocket through the gateway', () => {
  beforeAll(async () => {
    bins = [
      await startHttpbin({ port: 0, version: 'v1', pod: 'httpbin-v1-0', log: () => undefined }),
      await startHttpbin({ port: 0, version: 'v2', pod: 'httpbin-v2-0', log: () => undefined }),
    ];
    proxy = new NodeProxy({ gatewayPort: 0, sinks: [(r) => records.push(r)] });
    await proxy.start();
    await weights(100, 0);
    browser = await Browser.launch();
    page = browser.page;
    // Chromium resolves every *.localhost name to loopback itself.
    const res = await page.goto(`http://${HOST}:${proxy.gatewayPort}/`);
    expect(res?.status()).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    for (const b of bins) await b.close();
  });

  it('echoes text and binary messages from the page', async () => {
    const got = await page.evaluate(async () => {
      const pageHost = (): string => (globalThis as unknown as { location: { host: string } }).location.host;
      const ws = new WebSocket(`ws://${pageHost()}/websocket/echo`);
      ws.binaryType = 'arraybuffer';
      const next = (): Promise<MessageEvent> => new Promise((r) => ws.addEventListener('message', r, { once: true }));
      await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));
      ws.send('hello from the page');
      const text = (await next()).data as string;
      ws.send(new Uint8Array([0, 1, 2, 255]));
      const bin = Array.from(new Uint8Array((await next()).data as ArrayBuffer));
      const closed = new Promise<number>((r) => (ws.onclose = (e) => r(e.code)));
      ws.close(4001, 'done');
      return { text, bin, code: await closed };
    });
    expect(got).toEqual({ text: 'hello from the page', bin: [0, 1, 2, 255], code: 4001 });
    const rec = records.find((r) => r.status === 101 && r.path === '/websocket/echo');
    expect(rec?.userAgent).toContain('HeadlessChrome');
    expect(rec?.upstream?.pod).toBe('httpbin-v1-0');
  });

  it("keeps the page's open WebSocket through a weight change, while a new one follows the new weights", async () => {
    await page.evaluate(async () => {
      const pageHost = (): string => (globalThis as unknown as { location: { host: string } }).location.host;
      const ws = new WebSocket(`ws://${pageHost()}/websocket/echo`);
      (globalThis as unknown as { kept: WebSocket }).kept = ws;
      await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));
    });
    expect(lastUpgradePod()).toBe('httpbin-v1-0');
    await weights(0, 100);
    const after = await page.evaluate(async () => {
      const pageHost = (): string => (globalThis as unknown as { location: { host: string } }).location.host;
      const echo = async (ws: WebSocket, text: string): Promise<string> => {
        const got = new Promise<MessageEvent>((r) => ws.addEventListener('message', r, { once: true }));
        ws.send(text);
        return (await got).data as string;
      };
      const kept = (globalThis as unknown as { kept: WebSocket }).kept;
      const old = await echo(kept, 'still open');
      const fresh = new WebSocket(`ws://${pageHost()}/websocket/echo`);
      await new Promise((r, j) => ((fresh.onopen = r), (fresh.onerror = j)));
      const now = await echo(fresh, 'new one');
      kept.close();
      fresh.close();
      return { old, now };
    });
    expect(after.old).toBe('still open');
    expect(after.now).toBe('new one');
    expect(lastUpgradePod()).toBe('httpbin-v2-0');
  });
});
