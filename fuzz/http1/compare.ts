/**
 * What a case's outcome means, and whether the two servers agree on it: the
 * requests each read (their number and body lengths) up to its first
 * refusal, whether it refused, and whether it closed the connection.
 */
import type { Outcome } from './probe.js';
import type { ReadEvent } from './targets.js';

export interface Verdict {
  /** Requests read before any refusal, in order (the last may still be waiting for its body). */
  reads: ReadEvent[];
  /** Why the server refused, or undefined when it did not. */
  refused: string | undefined;
  closed: boolean;
  stuck: boolean;
}

/**
 * The outcome cut at the first refusal. llhttp calls bytes after a message
 * that ends its connection (`Connection: close`, HTTP/1.0) an error,
 * HPE_CLOSED_CONNECTION, where graymesh just stops reading: both read
 * nothing more and close, so that is a close, not a refusal.
 */
export function verdictOf(o: Outcome): Verdict {
  const reads: ReadEvent[] = [];
  let refused: string | undefined;
  let closed = o.closed;
  for (const e of o.events) {
    if (e.kind === 'read') {
      reads.push(e);
      continue;
    }
    if (e.reason === 'HPE_CLOSED_CONNECTION') closed = true;
    else refused = e.reason;
    break;
  }
  return { reads, refused, closed, stuck: o.stuck };
}

const complete = (v: Verdict): number[] => v.reads.filter((r) => r.complete).map((r) => r.length);
const pending = (v: Verdict): string => {
  const last = v.reads[v.reads.length - 1];
  return last && !last.complete ? `waiting after ${last.length} body bytes` : '';
};

export function describe(v: Verdict): string {
  if (v.stuck) return 'stuck';
  const parts = [`read [${complete(v).join(', ')}]`];
  const p = pending(v);
  if (p) parts.push(p);
  if (v.refused !== undefined) parts.push(`refused (${v.refused})`);
  else parts.push(v.closed ? 'closed' : 'open');
  return parts.join(', ');
}

/** Whether the two servers did the same with the case. */
export function agree(gm: Verdict, node: Verdict): boolean {
  if (gm.stuck || node.stuck) return false;
  if ((gm.refused === undefined) !== (node.refused === undefined)) return false;
  if (complete(gm).join() !== complete(node).join()) return false;
  // A message refused part-way may have been started by one and not the other: only what was read counts.
  if (gm.refused !== undefined) return true;
  return pending(gm) === pending(node) && gm.closed === node.closed;
}

/** Graymesh read a prefix of what Node read (the requests both read, same lengths). */
export function readsPrefix(gm: Verdict, node: Verdict): boolean {
  const a = complete(gm);
  const b = complete(node);
  return a.length <= b.length && a.every((n, i) => n === b[i]);
}
