/** Shared set-up of benchmarks: where the compiled scripts are, and a proxy in its own process. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROXY_NODE_ARGS } from '../../src/dataplane/node-flags.js';
import { startReady, type Proc } from './processes.js';
import { FakeControlPlane } from './fake-control-plane.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/bench/lib → package root. */
export const ROOT = path.resolve(here, '../../..');
export const LIB = here;
export const CLI = path.join(ROOT, 'bin', 'graymesh.js');

export const script = (name: string): string => path.join(LIB, `${name}.js`);

export async function upstream(name = 'upstream'): Promise<Proc> {
  return startReady(script('upstream'), ['0', name]);
}

/** The real node proxy process (`graymesh proxy`), fed by a fake control plane. */
/**
 * Another build of graymesh to measure beside this one in the same run
 * (before/after a change): BENCH_BASELINE=DIR, a checkout with `npm run build` done.
 */
export const BASELINE_ROOT = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : undefined;

/** The proxy's node flags as the build in `root` starts it (none for a build older than the list). */
async function proxyNodeArgs(root: string): Promise<readonly string[]> {
  if (root === ROOT) return PROXY_NODE_ARGS;
  const mod = pathToFileURL(path.join(root, 'dist', 'src', 'dataplane', 'node-flags.js')).href;
  return import(mod).then(
    (m: { PROXY_NODE_ARGS?: readonly string[] }) => m.PROXY_NODE_ARGS ?? [],
    () => [],
  );
}

export async function proxy(
  env: Record<string, string> = {},
  root: string = ROOT,
): Promise<{ proc: Proc; cp: FakeControlPlane; gatewayPort: number }> {
  const cp = new FakeControlPlane();
  await cp.start();
  const home = mkdtempSync(path.join(os.tmpdir(), 'graymesh-bench-'));
  const proc = await startReady(
    path.join(root, 'bin', 'graymesh.js'),
    ['proxy'],
    { GRAYMESH_CP_URL: cp.url, GRAYMESH_TOKEN: 'bench', GRAYMESH_GATEWAY_PORT: '0', GRAYMESH_HOME: home, GRAYMESH_PROXY_NAME: 'bench-proxy', ...env },
    /gateway on [\d.]+:(\d+)/,
    // The flags `graymesh up` gives the proxy, then BENCH_PROXY_NODE_ARGS: profiling
    // ("--cpu-prof --cpu-prof-dir=DIR") or trying a flag (a later flag wins over an earlier one).
    [...(await proxyNodeArgs(root)), ...(process.env.BENCH_PROXY_NODE_ARGS ?? '').split(' ').filter(Boolean)],
  );
  await cp.connected;
  return { proc, cp, gatewayPort: proc.port };
}
