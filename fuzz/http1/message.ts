/**
 * The fuzzer's model of one request on the wire, loose enough to hold any
 * malformed shape: the request line's three parts, field lines as raw text,
 * and a body that is raw bytes or chunked framing whose every part (sizes,
 * extensions, line ends, trailers) can be bent.
 */

export interface Chunk {
  /** The chunk-size as written (hex digits normally). */
  size: string;
  /** Anything between the size and the line end: `;name=value` extensions. */
  ext: string;
  /** The line end after the size line (CRLF normally). */
  eol: string;
  data: string;
  /** What follows the data (CRLF normally). */
  end: string;
}

export interface ChunkedBody {
  kind: 'chunked';
  chunks: Chunk[];
  /** The last-chunk line: size ("0"), extensions and line end. */
  last: { size: string; ext: string; eol: string };
  /** Trailer field lines, without their line ends. */
  trailers: string[];
  /** The line end closing the trailer section (CRLF normally). */
  end: string;
}

export interface RawBody {
  kind: 'raw';
  data: string;
}

export interface Message {
  /** Bytes before the request line (empty lines are allowed there). */
  prefix: string;
  method: string;
  /** Between method and target (one SP normally). */
  sp1: string;
  target: string;
  sp2: string;
  version: string;
  /** The request line's end (CRLF normally). */
  eol: string;
  /** Field lines as raw text, without line ends. */
  fields: string[];
  /** The line end after each field line (CRLF normally); missing entries are CRLF. */
  fieldEols: Record<number, string>;
  /** The empty line ending the head (CRLF normally). */
  headEnd: string;
  body: RawBody | ChunkedBody;
}

/** The message as bytes (latin1: one char per byte). */
export function serialize(m: Message): string {
  let out = `${m.prefix}${m.method}${m.sp1}${m.target}${m.sp2}${m.version}${m.eol}`;
  m.fields.forEach((line, i) => (out += `${line}${m.fieldEols[i] ?? '\r\n'}`));
  out += m.headEnd;
  const b = m.body;
  if (b.kind === 'raw') return out + b.data;
  for (const c of b.chunks) out += `${c.size}${c.ext}${c.eol}${c.data}${c.end}`;
  out += `${b.last.size}${b.last.ext}${b.last.eol}`;
  for (const t of b.trailers) out += `${t}\r\n`;
  return out + b.end;
}

export function request(method: string, target: string, fields: string[], body: RawBody | ChunkedBody = { kind: 'raw', data: '' }, version = 'HTTP/1.1'): Message {
  return { prefix: '', method, sp1: ' ', target, sp2: ' ', version, eol: '\r\n', fields, fieldEols: {}, headEnd: '\r\n', body };
}

export function raw(data: string): RawBody {
  return { kind: 'raw', data };
}

/** A well-formed chunked body of these pieces, with optional extensions per chunk and trailers. */
export function chunked(pieces: string[], opts: { ext?: string[]; trailers?: string[] } = {}): ChunkedBody {
  return {
    kind: 'chunked',
    chunks: pieces.map((data, i) => ({ size: data.length.toString(16), ext: opts.ext?.[i] ?? '', eol: '\r\n', data, end: '\r\n' })),
    last: { size: '0', ext: '', eol: '\r\n' },
    trailers: opts.trailers ?? [],
    end: '\r\n',
  };
}

/** A string as a JSON literal with every byte outside printable ASCII escaped, so nothing in it is invisible. */
export function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u00ff]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** quote(), shortened past 60 bytes to its start and its length. */
export function brief(s: string): string {
  return s.length > 60 ? `${quote(s.slice(0, 40))}…(${s.length} bytes)` : quote(s);
}

/** A deep copy, so a mutation never reaches the corpus. */
export function clone(m: Message): Message {
  return structuredClone(m);
}
