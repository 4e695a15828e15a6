#!/usr/bin/env node
// Runs the whole test suite with vitest and ends with one plain line, `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const out = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
rmSync(out, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit' });
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(out, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  if (r.status !== 0 && failed === 0) failed = 1;
} catch {
  failed = Math.max(1, failed);
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
