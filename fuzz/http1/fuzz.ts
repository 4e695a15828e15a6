/**
 * The differential fuzzer's core: makes the cases of a seed, sends each to
 * graymesh's listener and to Node's http server (llhttp) over real sockets,
 * several cases at a time, and sorts the disagreements into explained
 * classes and unexplained ones.
 */
import { agree, verdictOf } from './compare.js';
import { classify, type Disagreement, type ExplainedClass } from './classify.js';
import { makeCase } from './mutate.js';
import { probe } from './probe.js';
import { graymeshTarget, nodeTarget } from './targets.js';

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** The first case's index (cases first .. first + cases - 1 are run); 0 unless told. */
  first?: number;
  /** Cases in flight at once (each on a connection to each server). */
  concurrency?: number;
}

export interface ClassCount {
  cls: ExplainedClass;
  count: number;
  /** The class's lowest case. */
  example: Disagreement;
}

export interface FuzzReport {
  cases: number;
  /** Cases where both servers read every request and refused nothing, and where both refused. */
  agreed: { read: number; refused: number };
  disagreements: number;
  explained: ClassCount[];
  unexplained: Disagreement[];
  /** `fuzz http1: N cases, D disagreements, U unexplained` */
  line: string;
}

export async function fuzzHttp1(opts: FuzzOptions): Promise<FuzzReport> {
  const [gmServer, nodeServer] = await Promise.all([graymeshTarget(), nodeTarget()]);
  const explained = new Map<string, ClassCount>();
  const unexplained: Disagreement[] = [];
  const agreed = { read: 0, refused: 0 };
  let disagreements = 0;
  const first = opts.first ?? 0;
  const end = first + opts.cases;
  let next = first;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < end; i = next++) {
      const c = makeCase(opts.seed, i);
      const [gm, node] = await Promise.all([probe(gmServer, c), probe(nodeServer, c)]);
      const d: Disagreement = { c, gm: verdictOf(gm), node: verdictOf(node) };
      if (agree(d.gm, d.node)) {
        if (d.gm.refused === undefined) agreed.read++;
        else agreed.refused++;
        continue;
      }
      disagreements++;
      const cls = classify(d);
      if (!cls) {
        unexplained.push(d);
        continue;
      }
      const seen = explained.get(cls.id);
      if (!seen) explained.set(cls.id, { cls, count: 1, example: d });
      else {
        seen.count++;
        // The lowest case of a class is its example, whatever order the cases finished in.
        if (d.c.index < seen.example.c.index) seen.example = d;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 24 }, worker));
  } finally {
    await Promise.all([gmServer.close(), nodeServer.close()]);
  }
  unexplained.sort((a, b) => a.c.index - b.c.index);
  return {
    cases: opts.cases,
    agreed,
    disagreements,
    explained: [...explained.values()].sort((a, b) => b.count - a.count),
    unexplained,
    line: `fuzz http1: ${opts.cases} cases, ${disagreements} disagreements, ${unexplained.length} unexplained`,
  };
}
