/**
 * HTTP/1.1 message heads and body framing (RFC 9112), as the data plane's own
 * listeners and upstream connections read them: one pass over the head with
 * no intermediate objects beyond the header table, strict where leniency
 * would let a request be read two ways (request smuggling), and Node's rules
 * for folding repeated fields so the router sees what it always saw.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { HOP_BY_HOP } from '../hop-by-hop.js';

/** A message the peer sent that cannot be read: the status to answer with (400, 431, 501, 505). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Request fields by lowercase name, folded as Node's IncomingMessage folds them. */
export type HeaderTable = IncomingHttpHeaders;

/** Largest head read (request line + fields), as Node's default --max-http-header-size. */
export const MAX_HEAD_BYTES = 16 * 1024;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A CR or LF that is not part of a CRLF pair, or a NUL: never valid inside a head. */
const BAD_LINE_BREAK = /\0|\r(?!\n)|(?<!\r)\n/;
/** Fields whose repeats are dropped (Node's IncomingMessage rule: the first value wins). */
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

function addField(table: HeaderTable, name: string, value: string): void {
  const cur = table[name];
  if (cur !== undefined && ((name === 'content-length' && cur !== value) || name === 'host')) throw new HttpError(400, `repeated ${name} field`);
  if (cur === undefined) {
    (table as Record<string, string | string[]>)[name] = name === 'set-cookie' ? [value] : value;
  } else if (name === 'set-cookie') {
    (cur as string[]).push(value);
  } else if (!SINGLE.has(name)) {
    (table as Record<string, string>)[name] = `${cur as string}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
}

export interface RequestHead {
  method: string;
  /** The request target as sent: origin-form, absolute-form, authority-form or `*`. */
  target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  headers: HeaderTable;
  /** Body length from Content-Length; -1 without one. */
  contentLength: number;
  chunked: boolean;
  /** Whether the connection stays open after this exchange, as the client asked. */
  keepAlive: boolean;
}

/**
 * Reads a request head: `text` is the head without its final CRLFCRLF.
 * Throws HttpError for anything malformed or ambiguous.
 */
export function parseRequestHead(text: string): RequestHead {
  if (BAD_LINE_BREAK.test(text)) throw new HttpError(400, 'bare CR or LF in head');
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  const sp1 = text.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || sp2 > lineEnd || sp2 === sp1 + 1) throw new HttpError(400, 'malformed request line');
  const method = text.slice(0, sp1);
  if (!TOKEN.test(method)) throw new HttpError(400, 'malformed method');
  const target = text.slice(sp1 + 1, sp2);
  const version = text.slice(sp2 + 1, lineEnd);
  let minor: number;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (/^HTTP\/\d\.\d$/.test(version)) throw new HttpError(505, 'HTTP version not supported');
  else throw new HttpError(400, 'malformed request line');
  const headers: HeaderTable = {};
  forEachField(text, lineEnd + 2, 400, (name, value) => addField(headers, name, value));
  const framing = bodyFraming(headers, true);
  const conn = headers.connection as string | undefined;
  // An HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112 §6.1): its connection ends with it.
  let keepAlive = minor === 1 || (minor === 0 && headers['transfer-encoding'] === undefined && conn !== undefined && conn.toLowerCase().includes('keep-alive'));
  if (conn !== undefined && conn.toLowerCase().includes('close')) keepAlive = false;
  return { method, target, minor, headers, contentLength: framing.contentLength, chunked: framing.chunked, keepAlive };
}

/**
 * Calls fn with each field line's name (lowercase) and value (trimmed) from
 * `pos` on; a malformed line throws HttpError(`status`).
 */
function forEachField(text: string, pos: number, status: number, fn: (name: string, value: string) => void): void {
  while (pos < text.length) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon > end) throw new HttpError(status, 'malformed header line');
    const first = text.charCodeAt(pos);
    if (first === 32 || first === 9) throw new HttpError(status, 'obsolete line folding');
    const name = text.slice(pos, colon);
    if (!TOKEN.test(name)) throw new HttpError(status, 'malformed header name');
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) ve--;
    fn(name.toLowerCase(), text.slice(vs, ve));
    pos = end + 2;
  }
}

interface Framing {
  contentLength: number;
  chunked: boolean;
}

/**
 * Content-Length and Transfer-Encoding, RFC 9112 §6: a request with both, or
 * with a transfer coding other than a final chunked, is refused (400) since
 * two readers could frame it differently.
 */
function bodyFraming(headers: HeaderTable, request: boolean): Framing {
  const te = headers['transfer-encoding'] as string | undefined;
  const cl = headers['content-length'] as string | undefined;
  if (te !== undefined) {
    if (cl !== undefined && request) throw new HttpError(400, 'both Content-Length and Transfer-Encoding');
    // Only chunked alone is decoded: another coding would reach the next hop unlabelled once
    // Transfer-Encoding (hop-by-hop) is dropped. A response's Content-Length beside it is ignored.
    if (te.trim().toLowerCase() !== 'chunked') throw new HttpError(request ? 501 : 502, `transfer coding "${te}" is not supported`);
    return { contentLength: -1, chunked: true };
  }
  if (cl !== undefined) {
    // Repeats were folded to the first value; a list of equal values is one length.
    if (!/^\d{1,15}$/.test(cl)) throw new HttpError(400, 'malformed Content-Length');
    return { contentLength: Number(cl), chunked: false };
  }
  return { contentLength: -1, chunked: false };
}

export interface ResponseHead {
  status: number;
  minor: number;
  /** End-to-end fields as a flat [name, value, …] list, names lowercase. */
  headers: string[];
  /** -1 when the answer gave none. */
  contentLength: number;
  chunked: boolean;
  /** The upstream will close the connection after this answer. */
  close: boolean;
  /** The upstream's idle limit from `Keep-Alive: timeout=N`, ms; 0 when it gave none. */
  keepAliveMs: number;
}

/** Reads a response head (without its final CRLFCRLF). Throws HttpError(502) for anything malformed. */
export function parseResponseHead(text: string): ResponseHead {
  if (BAD_LINE_BREAK.test(text)) throw new HttpError(502, 'bare CR or LF in response head');
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  if (!text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32) throw new HttpError(502, 'malformed status line');
  const minor = text.charCodeAt(7) - 48;
  const code = text.slice(9, 12);
  const status = Number(code);
  if ((minor !== 0 && minor !== 1) || !/^[1-9]\d\d$/.test(code) || (lineEnd > 12 && text.charCodeAt(12) !== 32)) {
    throw new HttpError(502, 'malformed status line');
  }
  const table: HeaderTable = {};
  const flat: string[] = [];
  let connection: string | undefined;
  let keepAlive: string | undefined;
  forEachField(text, lineEnd + 2, 502, (name, value) => {
    if (name === 'content-length' || name === 'transfer-encoding') addField(table, name, value);
    if (name === 'connection') connection = connection === undefined ? value.toLowerCase() : `${connection},${value.toLowerCase()}`;
    else if (name === 'keep-alive') keepAlive = value;
    if (!HOP_BY_HOP.has(name)) flat.push(name, value);
  });
  if (table['transfer-encoding'] !== undefined && table['content-length'] !== undefined) {
    // Framed by its chunks: a Content-Length beside them must not reach the client (RFC 9112 §6.3).
    for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i] === 'content-length') flat.splice(i, 2);
    delete table['content-length'];
  }
  let out = flat;
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') {
    // Fields the Connection header names are hop-by-hop too.
    const listed = new Set(connection.split(',').map((s) => s.trim()));
    out = [];
    for (let i = 0; i < flat.length; i += 2) if (!listed.has(flat[i]!)) out.push(flat[i]!, flat[i + 1]!);
  }
  let framing: Framing;
  try {
    framing = bodyFraming(table, false);
  } catch (err) {
    throw new HttpError(502, (err as Error).message);
  }
  const close = connection !== undefined ? connection.includes('close') || (minor === 0 && !connection.includes('keep-alive')) : minor === 0;
  const m = keepAlive === undefined ? null : /timeout\s*=\s*(\d+)/i.exec(keepAlive);
  return { status, minor, headers: out, contentLength: framing.contentLength, chunked: framing.chunked, close, keepAliveMs: m ? Number(m[1]) * 1000 : 0 };
}

/**
 * One field line `name: value\r\n`; a value with a CR, LF or NUL is refused
 * (HttpError 400) so no field can be injected.
 */
export function fieldLine(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new HttpError(400, `header "${name}" has a line break in its value`);
  return `${name}: ${value}\r\n`;
}

/** Field lines for every value of a table (repeated for a list). */
export function fieldLines(fields: Record<string, string | string[] | number>): string {
  let out = '';
  for (const name in fields) {
    const v = fields[name]!;
    if (Array.isArray(v)) for (const one of v) out += fieldLine(name, one);
    else out += fieldLine(name, typeof v === 'string' ? v : String(v));
  }
  return out;
}

/** A chunk-size line: hex digits, optional whitespace and extensions (RFC 9112 §7.1.1), nothing else. */
const CHUNK_SIZE = /^([0-9a-fA-F]{1,12})[ \t]*(?:;[^\r\n]*)?$/;

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
  Done,
}

/**
 * Decodes a chunked body (RFC 9112 §7.1) as it arrives, handing on the data
 * and dropping the framing, extensions and trailer section.
 */
export class ChunkedDecoder {
  private state = Chunk.Size;
  private remaining = 0;
  private line = '';

  /**
   * Reads from buf[start..]; returns the offset just past the body's end when
   * the body ended inside buf, else -1 (all of buf was body). Throws HttpError
   * on malformed framing.
   */
  push(buf: Buffer, start: number, onData: (b: Buffer) => void): number {
    let pos = start;
    while (pos < buf.length) {
      switch (this.state) {
        case Chunk.Size:
        case Chunk.Trailer: {
          const nl = buf.indexOf(10, pos);
          const end = nl < 0 ? buf.length : nl + 1;
          this.line += buf.toString('latin1', pos, end);
          pos = end;
          if (this.line.length > 4096) throw new HttpError(400, 'chunk line too long');
          if (nl < 0) break;
          if (!this.line.endsWith('\r\n')) throw new HttpError(400, 'malformed chunk line');
          const line = this.line.slice(0, -2);
          this.line = '';
          if (this.state === Chunk.Trailer) {
            if (line === '') {
              this.state = Chunk.Done;
              return pos;
            }
            continue;
          }
          const m = CHUNK_SIZE.exec(line);
          if (!m) throw new HttpError(400, 'malformed chunk size');
          this.remaining = parseInt(m[1]!, 16);
          this.state = this.remaining === 0 ? Chunk.Trailer : Chunk.Data;
          break;
        }
        case Chunk.Data: {
          const take = Math.min(this.remaining, buf.length - pos);
          onData(pos === 0 && take === buf.length ? buf : buf.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = Chunk.DataEnd;
            this.remaining = 2;
          }
          break;
        }
        case Chunk.DataEnd: {
          const want = this.remaining === 2 ? 13 : 10;
          if (buf[pos] !== want) throw new HttpError(400, 'malformed chunk end');
          pos++;
          if (--this.remaining === 0) this.state = Chunk.Size;
          break;
        }
        case Chunk.Done:
          return pos;
      }
    }
    return -1;
  }
}

const REASONS: Record<number, string> = {
  100: 'Continue',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  417: 'Expectation Failed',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** `HTTP/1.1 200 OK\r\n`, cached per status. */
const statusLines = new Map<number, string>();
export function statusLine(status: number): string {
  let s = statusLines.get(status);
  if (s === undefined) {
    s = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
    statusLines.set(status, s);
  }
  return s;
}

let dateSecond = 0;
let dateValue = '';
/** The Date field's value, formatted once a second. */
export function httpDate(): string {
  const now = Date.now();
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateValue = new Date(now).toUTCString();
  }
  return dateValue;
}
