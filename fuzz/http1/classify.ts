/**
 * The disagreements that are explained: each a place where graymesh is
 * deliberately stricter than llhttp, with the reason in one line (the same
 * list, reasoned at more length, is docs/HTTP1.md). Anything else is
 * unexplained and fails the run. A class matches only where graymesh did
 * less than Node: it refused, naming the rule in its refusal, or closed the
 * connection after a request it recognises, having read a prefix of what
 * Node read, body lengths and all.
 */
import { readsPrefix, type Verdict } from './compare.js';
import type { FuzzCase } from './mutate.js';
import type { ReadEvent } from './targets.js';

export interface Disagreement {
  c: FuzzCase;
  gm: Verdict;
  node: Verdict;
}

export interface ExplainedClass {
  id: string;
  /** Why graymesh is stricter, in one line. */
  reason: string;
  matches(d: Disagreement): boolean;
}

/** Graymesh refused, with a reason matching `pattern`, where Node read at least as much. */
function refusedFor(pattern: RegExp): (d: Disagreement) => boolean {
  return (d) => d.gm.refused !== undefined && pattern.test(d.gm.refused) && (d.node.refused === undefined || d.node.reads.length >= d.gm.reads.length) && readsPrefix(d.gm, d.node);
}

/** Graymesh read fewer requests and closed after the last one it read, which `why` recognises. */
function closedAfter(why: (last: ReadEvent) => boolean): (d: Disagreement) => boolean {
  return (d) => {
    const last = d.gm.reads[d.gm.reads.length - 1];
    return d.gm.refused === undefined && d.gm.closed && last !== undefined && last.complete && why(last) && readsPrefix(d.gm, d.node);
  };
}

const tokens = (v: string | undefined): string[] => (v ?? '').toLowerCase().split(',').map((t) => t.trim());
const isUpgrade = (r: ReadEvent): boolean => r.upgrade !== undefined && tokens(r.connection).includes('upgrade');
/** The request Node read where graymesh stopped. */
const nodeReadNext = (d: Disagreement): ReadEvent | undefined => d.node.reads[d.gm.reads.length];

export const EXPLAINED: readonly ExplainedClass[] = [
  {
    id: 'head-size',
    reason: 'a head or trailer section is held to 16 KiB of raw bytes (431); Node counts only the target, field names and values against that limit',
    matches: refusedFor(/^431 (request head|trailer section) too large/),
  },
  {
    id: 'repeated-host',
    reason: 'a request with two Host fields is answered 400, as RFC 9112 §3.2 requires; llhttp keeps the first',
    matches: refusedFor(/repeated host field/),
  },
  {
    id: 'transfer-coding',
    reason: 'only chunked alone is decoded: Transfer-Encoding is hop-by-hop, so any other coding would reach the next hop unlabelled (501); llhttp reads a list ending in chunked as chunked',
    matches: refusedFor(/^501 transfer coding/),
  },
  {
    id: 'version',
    reason: 'graymesh speaks HTTP/1.0 and 1.1 (505 for others); llhttp also takes HTTP/0.9 and HTTP/2.0 in a request line',
    matches: refusedFor(/^505 /),
  },
  {
    id: 'http09',
    reason: 'a request line without a version (HTTP/0.9) is refused; llhttp reads it as an HTTP/0.9 request',
    matches: (d) => refusedFor(/./)(d) && nodeReadNext(d)?.version === '0.9',
  },
  {
    id: 'protocol',
    reason: 'RTSP/1.0 and ICE/1.0 request lines (and RTSP\'s methods) are refused; llhttp reads them as HTTP requests',
    matches: (d) => refusedFor(/malformed HTTP version|method [A-Z_]+ is not implemented/)(d) && / (RTSP|ICE)\/1\.0\r\n/.test(d.c.bytes),
  },
  {
    id: 'request-line-spaces',
    reason: 'RFC 9112 §3 puts one SP between request-line parts; llhttp skips runs of spaces there',
    matches: refusedFor(/more than one space between request-line parts/),
  },
  {
    id: 'bare-line-break-before-request',
    reason: 'only CRLF pairs are skipped before a request line (RFC 9112 §2.2); llhttp skips any CR or LF there',
    matches: refusedFor(/bare CR or LF before the request line/),
  },
  {
    id: 'request-target',
    reason: 'a request target outside RFC 9112 §3.2 (a fragment, more after `*`, two `@`, a scheme other than http or https) is refused; llhttp\'s URL grammar takes it',
    matches: refusedFor(/(malformed request target|fragment in request target)/),
  },
  {
    id: 'content-length-size',
    reason: 'a Content-Length of more than 15 significant digits (past exact doubles) is refused; llhttp takes up to 2^64 - 1',
    matches: refusedFor(/Content-Length too large/),
  },
  {
    id: 'chunk-size',
    reason: 'a chunk size of more than 12 significant hex digits (2^48 or more) is refused; llhttp takes up to 2^64 - 1',
    matches: refusedFor(/chunk size too large/),
  },
  {
    id: 'chunk-line-length',
    reason: 'a chunk-size line is held to 4 KiB; Node allows 16 KiB of chunk extensions',
    matches: refusedFor(/chunk-size line too long/),
  },
  {
    id: 'chunk-extension-empty',
    reason: 'a chunk extension needs a name, and a value when it has `=` (RFC 9112 §7.1.1); llhttp takes `;;`, `;=v` and `;n=`',
    matches: refusedFor(/chunk extension with an empty name or value/),
  },
  {
    id: 'framing-field-htab',
    reason: 'a Content-Length or Transfer-Encoding value followed by HTAB is refused; llhttp 9.3 reads it as neither a length nor chunked, yet goes on to a later one, where a reader trimming HTAB frames the body by the first',
    matches: refusedFor(/HTAB after the value of (content-length|transfer-encoding)/),
  },
  {
    id: 'empty-transfer-encoding',
    reason: 'an empty Transfer-Encoding field is refused, as a reader that sees only its presence takes the body as coded; llhttp ignores it',
    matches: refusedFor(/empty Transfer-Encoding/),
  },
  {
    id: 'after-upgrade',
    reason: 'a malformed body after an Upgrade request is refused; Node, taking the connection as switched, stops reporting parse errors and waits',
    matches: (d) => {
      const last = d.node.reads[d.node.reads.length - 1];
      return d.gm.refused !== undefined && d.node.refused === undefined && last !== undefined && !last.complete && isUpgrade(last) && readsPrefix(d.gm, d.node);
    },
  },
  {
    id: 'expectation',
    reason: 'an Expect other than exactly 100-continue is answered 417 (RFC 9110 §10.1.1 allows it), on HTTP/1.0 too, as it goes upstream as HTTP/1.1; Node takes any value containing 100-continue and ignores Expect on HTTP/1.0',
    matches: refusedFor(/^417 /),
  },
  {
    id: 'upgrade-closes',
    reason: 'an Upgrade request is its connection\'s last, so bytes meant for the protocol asked for are never read as requests; Node reads on',
    matches: closedAfter(isUpgrade),
  },
  {
    id: 'http10-close',
    reason: 'an HTTP/1.0 request saying both keep-alive and close closes; llhttp keeps an HTTP/1.0 connection on keep-alive alone',
    matches: closedAfter((r) => r.version === '1.0' && tokens(r.connection).includes('close')),
  },
  {
    id: 'http10-transfer-encoding',
    reason: 'an HTTP/1.0 request with Transfer-Encoding closes its connection (faulty framing, RFC 9112 §6.1); llhttp keeps it on keep-alive',
    matches: closedAfter((r) => r.version === '1.0' && r.transferEncoding !== undefined),
  },
  {
    id: 'connection-token-htab',
    reason: 'a close or upgrade token followed by HTAB counts (RFC 9110 §5.6.1 trims it); llhttp 9.3 misses it (fixed in llhttp 9.4)',
    matches: (d) => closedAfter(() => true)(d) && /\r\n(proxy-)?connection:[^\r\n]*(close|upgrade)[ \t]*\t/i.test(d.c.bytes),
  },
];

export function classify(d: Disagreement): ExplainedClass | undefined {
  return EXPLAINED.find((k) => k.matches(d));
}
