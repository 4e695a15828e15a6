#!/usr/bin/env node
// Runs the whole test suite with vitest and ends with one plain line, `N passed, N failed`.
// Unit and integration tests run in parallel; the end-to-end tests and the Istio
// conformance suite start real instances (control plane, proxy, workloads, a browser),
// so they run one file at a time. No test is retried inside a run. An end-to-end file
// that fails is run once more on its own (said on the output, with its first failures
// kept in test-results/vitest-e2e-first.json); a second failure is a failure, and a
// file that passes only on that second run is named on a line `flaky: FILE` before the
// closing line: flakiness is a defect to fix, not noise to hide.
// Arguments are passed to both runs (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const phases = [
  { name: 'unit', dirs: ['src/', 'samples/', 'console/src/', 'test/integration', 'test/kubernetes', 'test/engines'], extra: [], rerun: false },
  { name: 'e2e', dirs: ['test/e2e', 'test/conformance', 'test/kubectl'], extra: ['--no-file-parallelism'], rerun: true },
];
mkdirSync('test-results', { recursive: true });
const filters = process.argv.slice(2);

function vitest(files, extra, out) {
  rmSync(out, { force: true });
  const args = ['vitest', 'run', ...files, ...extra, '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`];
  const r = spawnSync('npx', args, { stdio: 'inherit' });
  let report;
  try {
    report = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    report = undefined;
  }
  return { status: r.status, report };
}

/** Passed and failed tests per file of a vitest JSON report. */
function perFile(report) {
  const files = new Map();
  for (const f of report?.testResults ?? []) {
    const passed = f.assertionResults.filter((a) => a.status === 'passed').length;
    let failed = f.assertionResults.filter((a) => a.status === 'failed').length;
    if (f.status === 'failed' && failed === 0) failed = 1;
    files.set(path.relative(process.cwd(), f.name), { passed, failed });
  }
  return files;
}

let passed = 0;
let failed = 0;
const flaky = [];
for (const p of phases) {
  const selected = filters.length > 0 ? filters.filter((f) => p.dirs.some((d) => f.startsWith(d))) : p.dirs;
  if (selected.length === 0) continue;
  const out = `test-results/vitest-${p.name}.json`;
  const first = vitest(selected, p.extra, out);
  const files = perFile(first.report);
  if (!first.report) files.set(`${p.name} run`, { passed: 0, failed: 1 });
  else if (first.status !== 0 && [...files.values()].every((f) => f.failed === 0)) files.set(`${p.name} run`, { passed: 0, failed: 1 });
  const failing = [...files.entries()].filter(([name, f]) => f.failed > 0 && name.endsWith('.ts')).map(([name]) => name);
  if (p.rerun && failing.length > 0) {
    copyFileSync(out, `test-results/vitest-${p.name}-first.json`);
    process.stdout.write(`\nre-running ${failing.length} end-to-end file(s) that failed, one more time: ${failing.join(', ')}\n`);
    const again = perFile(vitest(failing, p.extra, `test-results/vitest-${p.name}-rerun.json`).report);
    for (const name of failing) {
      const result = again.get(name) ?? { passed: 0, failed: 1 };
      if (result.failed === 0 && result.passed > 0) flaky.push(name);
      files.set(name, result);
    }
  }
  for (const f of files.values()) {
    passed += f.passed;
    failed += f.failed;
  }
}
for (const name of flaky) process.stdout.write(`flaky: ${name}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
