/**
 * The console's topology at 100 services under live updates, in Debian's
 * Chromium: a stand-in API serves the built console and a 100-service graph
 * whose rates change on every read; the page records its own timings with
 * the Performance API (gm-topology-render: first answer to DOM committed,
 * layout included; gm-topology-update: a new answer with new rates to DOM
 * committed; gm-topology-frame: the same, to the next frame painted).
 */
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ConsoleFiles } from '../src/apiserver/console-static.js';

export interface ConsoleFigure {
  name: string;
  value: number;
  unit: string;
}

const PROJECT = 'bench';
const CHROMIUM = process.env.GRAYMESH_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A versioned-app graph of `services` services: each calls up to two later ones; every fifth has a v2. */
export function syntheticGraph(services: number, tick: number): { nodes: unknown[]; edges: unknown[] } {
  const nodes: unknown[] = [{ id: 'gateway:istio-ingressgateway', kind: 'gateway', app: 'istio-ingressgateway', version: '', workload: 'istio-ingressgateway', rps: 50, successRate: 100, p50: 5, p95: 9, p99: 12, health: 'healthy' }];
  const edges: unknown[] = [];
  const rate = (i: number): number => Math.round((5 + ((i * 7 + tick * 13) % 40)) * 100) / 100;
  const health = (i: number): string => ((i + tick) % 17 === 0 ? 'degraded' : (i + tick) % 29 === 0 ? 'failure' : 'healthy');
  const stats = (i: number) => ({ rps: rate(i), successRate: health(i) === 'healthy' ? 100 : 97.5, p50: 3 + (i % 7), p95: 9 + (i % 11), p99: 14 + (i % 13), health: health(i) });
  for (let i = 0; i < services; i++) {
    const app = `svc-${String(i).padStart(3, '0')}`;
    nodes.push({ id: `service:${app}`, kind: 'service', app, version: '', workload: '', ...stats(i) });
    const versions = i % 5 === 0 ? ['v1', 'v2'] : ['v1'];
    for (const v of versions) {
      nodes.push({ id: `workload:${app}-${v}`, kind: 'workload', app, version: v, workload: `${app}-${v}`, ...stats(i + v.length) });
      edges.push({ source: `service:${app}`, target: `workload:${app}-${v}`, share: 100 / versions.length, ...stats(i) });
      for (const j of [2 * i + 1, 2 * i + 2]) {
        if (j < services) edges.push({ source: `workload:${app}-${v}`, target: `service:svc-${String(j).padStart(3, '0')}`, share: 50, ...stats(j) });
      }
    }
  }
  edges.push({ source: 'gateway:istio-ingressgateway', target: 'service:svc-000', share: 100, ...stats(0) });
  return { nodes, edges };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The stand-in control plane: the built console plus the few API routes the topology page reads. */
function standIn(files: ConsoleFiles, services: number): http.Server {
  let tick = 0;
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/api/v1/projects') return json(res, 200, { items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: PROJECT } }] });
    if (p === '/api/v1/status') return json(res, 200, { controlPlane: { url: '', healthy: true, pid: 0 }, gateway: { url: 'http://127.0.0.1:1' }, configVersion: 1 });
    if (p === `/api/v1/projects/${PROJECT}/graph`) return json(res, 200, syntheticGraph(services, tick++));
    if (p.startsWith('/api/')) return json(res, 404, { error: { code: 'GM_ERR_NOT_FOUND', message: `no API route GET ${p}` } });
    const file = files.resolve(p) ?? (files.dir ? path.join(files.dir, 'index.html') : undefined);
    if (!file) {
      res.writeHead(404);
      return res.end();
    }
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
    res.writeHead(200, { 'content-type': type });
    res.end(readFileSync(file));
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const round = (v: number): number => Math.round(v * 100) / 100;

/** Renders the topology of 100 services, then applies `updates` live updates; returns render and update times. */
export async function benchConsole(opts: { services?: number; updates?: number } = {}): Promise<ConsoleFigure[]> {
  const services = opts.services ?? 100;
  const updates = opts.updates ?? 30;
  const files = ConsoleFiles.find();
  if (!files.dir) throw new Error('the console is not built: run npm run build first');
  const server = standIn(files, services);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const profile = mkdtempSync(path.join(os.tmpdir(), 'graymesh-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1600, height: 1000 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const base = `http://127.0.0.1:${port}`;
    await page.goto(`${base}/login`);
    await page.evaluate(`localStorage.setItem('graymesh.token', 'bench'); localStorage.setItem('graymesh.user', 'bench')`);
    // Refresh off: the bench drives each update itself with "Refresh now".
    await page.goto(`${base}/projects/${PROJECT}/topology?refresh=0`);
    await page.waitForSelector('[data-testid="topology-graph"]', { timeout: 60_000 });
    const count = (name: string): Promise<number> => page.evaluate(`performance.getEntriesByName(${JSON.stringify(name)}).length`) as Promise<number>;
    // Next frame after each commit: mark it from the page (double rAF ≈ after paint).
    await page.evaluate(`(() => {
      const seen = new Set();
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.name !== 'gm-topology-update' || seen.has(e.startTime)) continue;
          seen.add(e.startTime);
          requestAnimationFrame(() => requestAnimationFrame(() => performance.measure('gm-topology-frame', { start: e.startTime, end: performance.now() })));
        }
      }).observe({ entryTypes: ['measure'] });
    })()`);
    for (let i = 0; i < updates; i++) {
      const before = await count('gm-topology-update');
      await page.click('text=Refresh now');
      await page.waitForFunction(`performance.getEntriesByName('gm-topology-update').length > ${before} && performance.getEntriesByName('gm-topology-frame').length > ${before}`, undefined, { timeout: 30_000 });
    }
    const read = async (name: string): Promise<number[]> => (await page.evaluate(`performance.getEntriesByName(${JSON.stringify(name)}).map((e) => e.duration)`)) as number[];
    const render = await read('gm-topology-render');
    const update = await read('gm-topology-update');
    const frame = await read('gm-topology-frame');
    const nodes = (await page.evaluate(`document.querySelectorAll('[data-testid^="node-"]').length`)) as number;
    const label = `${services} services, ${nodes} nodes`;
    return [
      { name: `console topology first render (${label})`, value: round(render[0] ?? NaN), unit: 'ms' },
      { name: `console topology update p50 (${label})`, value: round(quantile(update, 0.5)), unit: 'ms' },
      { name: `console topology update p95 (${label})`, value: round(quantile(update, 0.95)), unit: 'ms' },
      { name: `console topology update to next frame p50 (${label})`, value: round(quantile(frame, 0.5)), unit: 'ms' },
      { name: `console topology update to next frame p95 (${label})`, value: round(quantile(frame, 0.95)), unit: 'ms' },
    ];
  } finally {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    await new Promise<void>((r) => server.close(() => r()));
  }
}
