/**
 * The differential fuzzer's core as part of the suite: a fixed seed's first
 * few thousand cases sent to graymesh's HTTP/1.1 listener and to Node's http
 * server (llhttp) over real sockets. Every disagreement must fall in a class
 * docs/HTTP1.md explains; an unexplained one fails with the case in full.
 * The long run is `npm run fuzz -- http1 --cases 20000 --seed 1`.
 */
import { describe, expect, it } from 'vitest';
import { EXPLAINED } from '../../fuzz/http1/classify.js';
import { fuzzHttp1 } from '../../fuzz/http1/fuzz.js';
import { formatDisagreement, formatReport } from '../../fuzz/report.js';

const CASES = 3000;
const SEED = 1;

describe('HTTP/1.1 parser against llhttp', () => {
  it(`agrees on ${CASES} fuzzed requests of seed ${SEED}, or is stricter for a documented reason`, async () => {
    const report = await fuzzHttp1({ cases: CASES, seed: SEED });
    const summary = formatReport(report, 0);
    expect(report.unexplained.map(formatDisagreement), summary).toEqual([]);
    expect(report.line).toBe(`fuzz http1: ${CASES} cases, ${report.disagreements} disagreements, 0 unexplained`);
    // Both outcomes were exercised: cases read alike throughout, and cases refused alike.
    expect(report.agreed.read, summary).toBeGreaterThan(CASES / 10);
    expect(report.agreed.refused, summary).toBeGreaterThan(CASES / 10);
    expect(report.agreed.read + report.agreed.refused + report.disagreements).toBe(CASES);
  });

  it('gives every explained class an id of its own and a one-line reason', () => {
    const ids = EXPLAINED.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const k of EXPLAINED) expect(k.reason, k.id).toMatch(/^[^\n]{20,240}$/);
  });
});
