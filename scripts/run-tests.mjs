#!/usr/bin/env node
// Runs the whole test suite with vitest and ends with one plain line, `N passed, N failed`.
// Unit and integration tests run in parallel; the end-to-end tests and the Istio
// conformance suite start real instances (control plane, proxy, workloads, a browser),
// so they run one file at a time, which keeps a 2-core machine from timing them out.
// Arguments are passed to both runs (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const phases = [
  { name: 'unit', dirs: ['src', 'samples', 'console', 'test/integration', 'test/kubernetes'], extra: [] },
  { name: 'e2e', dirs: ['test/e2e', 'test/conformance'], extra: ['--no-file-parallelism', '--retry=1'] },
];
mkdirSync('test-results', { recursive: true });
const filters = process.argv.slice(2);
let passed = 0;
let failed = 0;
let status = 0;
for (const p of phases) {
  const out = `test-results/vitest-${p.name}.json`;
  rmSync(out, { force: true });
  const selected = filters.length > 0 ? filters.filter((f) => p.dirs.some((d) => f.startsWith(d))) : p.dirs;
  if (selected.length === 0) continue;
  const args = ['vitest', 'run', ...selected, ...p.extra, '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`];
  const r = spawnSync('npx', args, { stdio: 'inherit' });
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests ?? 0;
    const f = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
    failed += f;
    if (r.status !== 0 && f === 0) failed += 1;
  } catch {
    failed += 1;
  }
  if (r.status !== 0) status = 1;
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
