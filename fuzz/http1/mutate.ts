/**
 * Turns the corpus into cases: each case pipelines one to four seed requests,
 * bends each with a few structural mutations (request line, fields, framing,
 * chunks, line ends), may then flip bytes of the whole, and says where the
 * bytes are split into separate writes. Everything is drawn from a Prng of
 * the case's own, so a case is reproduced from (seed, index) alone.
 */
import { BIG_SIZES, BYTES, CHUNK_EXTENSIONS, CHUNK_SIZES, CONNECTIONS, CONTENT_LENGTHS, EOLS, FIELDS, METHODS, SEEDS, TARGETS, TRAILERS, TRANSFER_ENCODINGS, VERSIONS } from './corpus.js';
import { brief, clone, serialize, type ChunkedBody, type Message } from './message.js';
import { Prng } from './prng.js';

export interface FuzzCase {
  index: number;
  /** The bytes sent, latin1. */
  bytes: string;
  /** Offsets where the bytes are cut into separate writes, ascending. */
  splits: number[];
  /** The mutations applied, for a reader of a disagreement. */
  notes: string[];
}

/**
 * Every case ends with an empty line pair: a head left incomplete by a cut is
 * then complete, so each server judges it. llhttp refuses at the first bad
 * byte, graymesh once the head's end has arrived; the empty lines are ignored
 * before a request line, and are body bytes to both for a body still open.
 */
const CLOSER = '\r\n\r\n';

type Mutation = (m: Message, r: Prng) => string | undefined;

/** A field line of `name` (case-insensitive) and its index, or -1. */
function findField(m: Message, name: string): number {
  const want = `${name.toLowerCase()}:`;
  return m.fields.findIndex((f) => f.toLowerCase().startsWith(want));
}

function setField(m: Message, name: string, value: string, r: Prng): void {
  const i = findField(m, name);
  const line = `${name}: ${value}`;
  if (i >= 0 && r.chance(0.7)) m.fields[i] = line;
  else m.fields.splice(r.int(m.fields.length + 1), 0, line);
}

function chunkedBody(m: Message): ChunkedBody | undefined {
  return m.body.kind === 'chunked' ? m.body : undefined;
}

const MUTATIONS: Mutation[] = [
  (m, r) => ((m.method = r.pick(METHODS)), `method ${brief(m.method)}`),
  (m, r) => ((m.target = r.pick(TARGETS)), `target ${brief(m.target)}`),
  (m, r) => ((m.version = r.pick(VERSIONS)), `version ${brief(m.version)}`),
  (m, r) => {
    const which = r.int(2);
    const sp = r.pick(['', '  ', '\t', ' \t', '\x0b']);
    if (which === 0) m.sp1 = sp;
    else m.sp2 = sp;
    return `request-line space ${which + 1} ${brief(sp)}`;
  },
  (m, r) => {
    const v = r.pick(CONTENT_LENGTHS);
    setField(m, r.pick(['Content-Length', 'content-length', 'CONTENT-LENGTH']), v, r);
    return `content-length ${brief(v)}`;
  },
  (m, r) => {
    const v = r.pick(TRANSFER_ENCODINGS);
    setField(m, 'Transfer-Encoding', v, r);
    return `transfer-encoding ${brief(v)}`;
  },
  (m, r) => {
    const v = r.pick(CONNECTIONS);
    setField(m, r.chance(0.8) ? 'Connection' : 'Proxy-Connection', v, r);
    return `connection ${brief(v)}`;
  },
  (m, r) => {
    const f = r.pick(FIELDS);
    m.fields.splice(r.int(m.fields.length + 1), 0, f);
    return `field ${brief(f)}`;
  },
  (m, r) => {
    if (m.fields.length === 0) return undefined;
    const i = r.int(m.fields.length);
    const [gone] = m.fields.splice(i, 1);
    return `drop field ${brief(gone!)}`;
  },
  (m, r) => {
    if (m.fields.length === 0) return undefined;
    const i = r.int(m.fields.length);
    m.fields.splice(i, 0, m.fields[i]!);
    return `repeat field ${brief(m.fields[i]!)}`;
  },
  (m, r) => {
    // Bend a field's name: whitespace before the colon, a separator or control byte, a case change.
    if (m.fields.length === 0) return undefined;
    const i = r.int(m.fields.length);
    const line = m.fields[i]!;
    const colon = line.indexOf(':');
    if (colon < 0) return undefined;
    const bend = r.pick([' ', '\t', '\x00', '(', '"', '\xe9', '', 'upper', 'lower']);
    const name = line.slice(0, colon);
    const bent = bend === 'upper' ? name.toUpperCase() : bend === 'lower' ? name.toLowerCase() : bend === '' ? '' : r.chance(0.5) ? name + bend : bend + name;
    m.fields[i] = bent + line.slice(colon);
    return `field name ${brief(m.fields[i])}`;
  },
  (m, r) => {
    // Bend a field's value: a control byte, obs-text, whitespace around it, or obs-fold.
    if (m.fields.length === 0) return undefined;
    const i = r.int(m.fields.length);
    const add = r.pick(['\x01', '\x00', '\x7f', '\x0b', '\x1f', '\xe9', '\t', ' ', '\r\n ', '\r\n\t', '\r', '\n', '"']);
    const line = m.fields[i]!;
    const at = line.indexOf(':') + 1 + r.int(Math.max(1, line.length - line.indexOf(':')));
    m.fields[i] = line.slice(0, at) + add + line.slice(at);
    return `field value ${brief(m.fields[i])}`;
  },
  (m, r) => {
    const size = r.pick(BIG_SIZES) + r.range(-8, 8);
    m.fields.push(`X-Big: ${'b'.repeat(size)}`);
    return `big field ${size}`;
  },
  (m, r) => {
    // A line end other than CRLF: the request line, a field line, or the head's end.
    const eol = r.pick(EOLS);
    const where = r.int(m.fields.length + 2);
    if (where === 0) m.eol = eol;
    else if (where === 1) m.headEnd = eol;
    else m.fieldEols[where - 2] = eol;
    return `line end ${where} ${brief(eol)}`;
  },
  (m, r) => ((m.prefix = r.pick(['\r\n', '\r\n\r\n', '\n', ' ', '\r'])), `prefix ${brief(m.prefix)}`),
  (m, r) => {
    const b = chunkedBody(m);
    if (!b) return undefined;
    const size = r.pick(CHUNK_SIZES);
    if (b.chunks.length === 0 || r.chance(0.2)) b.last.size = size;
    else r.pick(b.chunks).size = size;
    return `chunk size ${brief(size)}`;
  },
  (m, r) => {
    const b = chunkedBody(m);
    if (!b) return undefined;
    const ext = r.pick(CHUNK_EXTENSIONS);
    if (b.chunks.length === 0 || r.chance(0.3)) b.last.ext = ext;
    else r.pick(b.chunks).ext = ext;
    return `chunk extension ${brief(ext)}`;
  },
  (m, r) => {
    const b = chunkedBody(m);
    if (!b) return undefined;
    const eol = r.pick(EOLS);
    const where = r.int(4);
    if (where === 0 || b.chunks.length === 0) b.last.eol = eol;
    else if (where === 1) b.end = eol;
    else if (where === 2) r.pick(b.chunks).eol = eol;
    else r.pick(b.chunks).end = eol;
    return `chunk line end ${where} ${brief(eol)}`;
  },
  (m, r) => {
    const b = chunkedBody(m);
    if (!b || b.chunks.length === 0) return undefined;
    const c = r.pick(b.chunks);
    c.data = r.chance(0.5) ? `${c.data}X` : c.data.slice(1);
    return 'chunk data off by one';
  },
  (m, r) => {
    const b = chunkedBody(m);
    if (!b) return undefined;
    const t = r.pick(TRAILERS);
    b.trailers.push(t);
    return `trailer ${brief(t)}`;
  },
  (m, r) => {
    // Turn the body into chunks (or chunks into raw bytes) without touching the fields.
    if (m.body.kind === 'raw') {
      const data = m.body.data;
      m.body = { kind: 'chunked', chunks: data ? [{ size: data.length.toString(16), ext: '', eol: '\r\n', data, end: '\r\n' }] : [], last: { size: '0', ext: '', eol: '\r\n' }, trailers: [], end: '\r\n' };
      return 'body as chunks';
    }
    m.body = { kind: 'raw', data: r.pick(['', 'abc', '0\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n']) };
    return `body raw ${brief(m.body.data)}`;
  },
];

/** Byte-level changes to the whole case: insert, replace, delete, repeat a span, or cut it short. */
function flipBytes(text: string, r: Prng, notes: string[]): string {
  const at = r.int(text.length + 1);
  switch (r.int(5)) {
    case 0: {
      const b = r.pick(BYTES);
      notes.push(`insert ${brief(b)} at ${at}`);
      return text.slice(0, at) + b + text.slice(at);
    }
    case 1: {
      const b = r.pick(BYTES);
      notes.push(`replace byte ${at} with ${brief(b)}`);
      return text.slice(0, at) + b + text.slice(at + 1);
    }
    case 2:
      notes.push(`delete byte ${at}`);
      return text.slice(0, at) + text.slice(at + 1);
    case 3: {
      const len = r.range(1, 12);
      notes.push(`repeat ${len} bytes at ${at}`);
      return text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
    }
    default:
      notes.push(`cut at ${at}`);
      return text.slice(0, Math.max(1, at));
  }
}

/** Case `index` of run `seed`. */
export function makeCase(seed: number, index: number): FuzzCase {
  const r = new Prng(seed, index);
  const count = r.chance(0.5) ? 1 : r.chance(0.6) ? 2 : r.range(3, 4);
  const notes: string[] = [];
  let bytes = '';
  for (let k = 0; k < count; k++) {
    const m = clone(r.pick(SEEDS)());
    notes.push(`#${k + 1} ${m.method} ${m.target}`);
    const mutations = r.chance(0.35) ? 0 : r.chance(0.7) ? 1 : r.range(2, 3);
    for (let j = 0; j < mutations; j++) {
      const note = r.pick(MUTATIONS)(m, r);
      if (note) notes.push(`  ${note}`);
    }
    bytes += serialize(m);
  }
  if (r.chance(0.2)) {
    const flips = r.range(1, 2);
    for (let j = 0; j < flips; j++) bytes = flipBytes(bytes, r, notes);
  }
  bytes += CLOSER;
  const splits: number[] = [];
  if (r.chance(0.4)) {
    const pieces = r.range(1, 3);
    for (let j = 0; j < pieces; j++) splits.push(r.range(1, Math.max(1, bytes.length - 1)));
  }
  return { index, bytes, splits: [...new Set(splits)].filter((s) => s < bytes.length).sort((a, b) => a - b), notes };
}
