/**
 * HTTP/1.1 message heads and body framing (RFC 9112), as the data plane's own
 * listeners and upstream connections read them: one pass over the head with
 * no intermediate objects beyond the header table, strict where leniency
 * would let a request be read two ways (request smuggling), and Node's rules
 * for folding repeated fields so the router sees what it always saw. Nothing
 * is read that llhttp (Node's parser) would refuse; docs/HTTP1.md lists where
 * graymesh refuses more, and why.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { HOP_BY_HOP } from '../hop-by-hop.js';
import { checkMethod, checkTarget, forEachField, HttpError, isFieldValue, noConnectionOptions, readConnection, tokenList, type ConnectionOptions } from './syntax.js';

/** Request fields by lowercase name, folded as Node's IncomingMessage folds them. */
export type HeaderTable = IncomingHttpHeaders;

/** Largest head read (request line + fields), as Node's default --max-http-header-size. */
export const MAX_HEAD_BYTES = 16 * 1024;

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

/**
 * Adds a field to the table. A second Host (RFC 9112 §3.2) or Content-Length
 * is refused, even one equal to the first: llhttp refuses every repeated
 * Content-Length, and a length given twice is a length two readers may take
 * differently. A framing field whose value ends in HTAB is refused too: llhttp
 * 9.3 (Node 20) reads neither a length nor `chunked` followed by one.
 */
function addField(table: HeaderTable, name: string, value: string, trailingTab: boolean): void {
  const cur = table[name];
  if (cur !== undefined && (name === 'content-length' || name === 'host')) throw new HttpError(400, `repeated ${name} field`);
  if (trailingTab && (name === 'content-length' || name === 'transfer-encoding')) throw new HttpError(400, `HTAB after the value of ${name}`);
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
  /** The protocols an Upgrade request asks for (its Upgrade field, with `upgrade` among the Connection tokens). */
  upgrade: string | undefined;
}

interface RequestLine {
  method: string;
  target: string;
  minor: number;
  /** Where the field lines begin. */
  fieldsAt: number;
}

/** `method SP request-target SP HTTP-version`, one SP each (RFC 9112 §3). */
function parseRequestLine(text: string): RequestLine {
  // Empty lines (CRLF) before a request line were skipped; a CR or LF alone is not an empty line.
  if (text.charCodeAt(0) === 13 || text.charCodeAt(0) === 10) throw new HttpError(400, 'bare CR or LF before the request line');
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  const sp1 = text.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp1 > lineEnd) throw new HttpError(400, 'malformed request line');
  if (sp2 < 0 || sp2 > lineEnd) throw new HttpError(400, 'request line without HTTP version');
  const method = text.slice(0, sp1);
  checkMethod(method);
  if (sp2 === sp1 + 1 || text.charCodeAt(sp2 + 1) === 32) throw new HttpError(400, 'more than one space between request-line parts');
  const target = text.slice(sp1 + 1, sp2);
  // CONNECT's authority-form is checked by whoever takes the CONNECT (egress/connect-target.ts), or it is refused.
  if (method !== 'CONNECT') checkTarget(target);
  const version = text.slice(sp2 + 1, lineEnd);
  let minor: number;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (/^HTTP\/\d\.\d$/.test(version)) throw new HttpError(505, 'HTTP version not supported');
  else throw new HttpError(400, 'malformed HTTP version');
  return { method, target, minor, fieldsAt: lineEnd + 2 };
}

/**
 * Whether the connection stays open after this request. HTTP/1.1 stays
 * unless it says close; HTTP/1.0 only when it says keep-alive, and never with
 * Transfer-Encoding (faulty framing, RFC 9112 §6.1). An Upgrade request is
 * the connection's last: either the connection switches protocols (the
 * upstream answered 101) or it closes after the answer, since bytes the
 * client sends after it may be meant for the protocol it asked for, which a
 * proxy in front could pass through as such; read as requests they would be
 * smuggled past it.
 */
function keepsAlive(minor: number, headers: HeaderTable, conn: ConnectionOptions): boolean {
  if (conn.close || (conn.upgrade && headers.upgrade !== undefined)) return false;
  return minor === 1 || (conn.keepAlive && headers['transfer-encoding'] === undefined);
}

/**
 * Reads a request head: `text` is the head without its final CRLFCRLF.
 * Throws HttpError for anything malformed or ambiguous.
 */
export function parseRequestHead(text: string): RequestHead {
  const line = parseRequestLine(text);
  const headers: HeaderTable = {};
  const conn = noConnectionOptions();
  forEachField(text, line.fieldsAt, 400, (name, value, trailingTab) => {
    addField(headers, name, value, trailingTab);
    if (name === 'connection' || name === 'proxy-connection') readConnection(conn, value, trailingTab);
  });
  if (line.minor === 1 && headers.host === undefined) throw new HttpError(400, 'missing Host field');
  const framing = bodyFraming(headers, true);
  const upgrade = conn.upgrade ? (headers.upgrade as string | undefined) : undefined;
  return {
    method: line.method,
    target: line.target,
    minor: line.minor,
    headers,
    contentLength: framing.contentLength,
    chunked: framing.chunked,
    keepAlive: keepsAlive(line.minor, headers, conn),
    upgrade,
  };
}

interface Framing {
  contentLength: number;
  chunked: boolean;
}

/** Content-Length values graymesh reads: up to 15 digits, exact as a double. */
const MAX_LENGTH_DIGITS = 15;

/**
 * Content-Length and Transfer-Encoding, RFC 9112 §6: a request with both, or
 * with a transfer coding other than a final chunked, is refused (400) since
 * two readers could frame it differently.
 */
function bodyFraming(headers: HeaderTable, request: boolean): Framing {
  const te = headers['transfer-encoding'] as string | undefined;
  const cl = headers['content-length'] as string | undefined;
  if (te !== undefined) {
    // Empty, the field still says the body is coded, to a reader that looks only at its presence.
    if (te === '') throw new HttpError(400, 'empty Transfer-Encoding');
    if (cl !== undefined && request) throw new HttpError(400, 'both Content-Length and Transfer-Encoding');
    // Only chunked alone is decoded: another coding would reach the next hop unlabelled once
    // Transfer-Encoding (hop-by-hop) is dropped. A response's Content-Length beside it is ignored.
    if (te.toLowerCase() !== 'chunked') throw new HttpError(request ? 501 : 502, `transfer coding "${te}" is not supported`);
    return { contentLength: -1, chunked: true };
  }
  if (cl !== undefined) return { contentLength: lengthOf(cl), chunked: false };
  return { contentLength: -1, chunked: false };
}

/** A Content-Length value: digits only (leading zeros allowed), at most MAX_LENGTH_DIGITS after them. */
function lengthOf(cl: string): number {
  if (cl.length === 0) throw new HttpError(400, 'malformed Content-Length');
  let zeros = 0;
  while (zeros < cl.length - 1 && cl.charCodeAt(zeros) === 48) zeros++;
  let n = 0;
  for (let i = 0; i < cl.length; i++) {
    const d = cl.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new HttpError(400, 'malformed Content-Length');
    n = n * 10 + d;
  }
  if (cl.length - zeros > MAX_LENGTH_DIGITS) throw new HttpError(400, 'Content-Length too large');
  return n;
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
  /** The answer's Upgrade field (a 101 names the protocol switched to). */
  upgrade: string | undefined;
}

/** Reads a response head (without its final CRLFCRLF). Throws HttpError(502) for anything malformed. */
export function parseResponseHead(text: string): ResponseHead {
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  if (!text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32) throw new HttpError(502, 'malformed status line');
  const minor = text.charCodeAt(7) - 48;
  const status = statusCode(text);
  if ((minor !== 0 && minor !== 1) || status < 0 || (lineEnd > 12 && (text.charCodeAt(12) !== 32 || !isReason(text, lineEnd)))) {
    throw new HttpError(502, 'malformed status line');
  }
  const table: HeaderTable = {};
  const flat: string[] = [];
  const conn = noConnectionOptions();
  let listed: Set<string> | undefined;
  let keepAlive: string | undefined;
  let upgrade: string | undefined;
  try {
    forEachField(text, lineEnd + 2, 502, (name, value, trailingTab) => {
      if (name === 'content-length' || name === 'transfer-encoding') addField(table, name, value, trailingTab);
      if (name === 'connection') {
        readConnection(conn, value, trailingTab);
        if (value !== 'keep-alive' && value !== 'close') for (const t of tokenList(value)) if (t !== 'close' && t !== 'keep-alive') (listed ??= new Set()).add(t);
      } else if (name === 'keep-alive') keepAlive = value;
      else if (name === 'upgrade') upgrade = value;
      if (!HOP_BY_HOP.has(name)) flat.push(name, value);
    });
  } catch (err) {
    throw new HttpError(502, (err as Error).message);
  }
  if (table['transfer-encoding'] !== undefined && table['content-length'] !== undefined) {
    // Framed by its chunks: a Content-Length beside them must not reach the client (RFC 9112 §6.3).
    for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i] === 'content-length') flat.splice(i, 2);
    delete table['content-length'];
  }
  let out = flat;
  if (listed) {
    // Fields the Connection header names are hop-by-hop too.
    out = [];
    for (let i = 0; i < flat.length; i += 2) if (!listed.has(flat[i]!)) out.push(flat[i]!, flat[i + 1]!);
  }
  let framing: Framing;
  try {
    framing = bodyFraming(table, false);
  } catch (err) {
    throw new HttpError(502, (err as Error).message);
  }
  const close = conn.close || (minor === 0 && !conn.keepAlive);
  return { status, minor, headers: out, contentLength: framing.contentLength, chunked: framing.chunked, close, keepAliveMs: keepAlive === undefined ? 0 : keepAliveMs(keepAlive), upgrade };
}

/** The three digits after `HTTP/1.x ` (100-999), or -1. */
function statusCode(text: string): number {
  const a = text.charCodeAt(9) - 48;
  const b = text.charCodeAt(10) - 48;
  const c = text.charCodeAt(11) - 48;
  if (!(a >= 1 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9)) return -1;
  return a * 100 + b * 10 + c;
}

/** Whether the reason phrase (from offset 13 to the line's end) holds only field-value bytes. */
function isReason(text: string, lineEnd: number): boolean {
  return (lineEnd === 15 && text.charCodeAt(13) === 79 && text.charCodeAt(14) === 75) /* OK */ || isFieldValue(text.slice(13, lineEnd));
}

/** The last Keep-Alive value read and its timeout: upstreams send the same one each time. */
let lastKeepAlive = '';
let lastKeepAliveMs = 0;

/** The idle limit of `Keep-Alive: timeout=N`, ms; 0 when it names none. */
function keepAliveMs(value: string): number {
  if (value !== lastKeepAlive) {
    const m = /timeout\s*=\s*(\d+)/i.exec(value);
    lastKeepAliveMs = m ? Number(m[1]) * 1000 : 0;
    lastKeepAlive = value;
  }
  return lastKeepAliveMs;
}

/**
 * One field line `name: value\r\n`; a value with a CR, LF or NUL is refused
 * (HttpError 400) so no field can be injected.
 */
export function fieldLine(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new HttpError(400, `header "${name}" has a line break in its value`);
  return `${name}: ${value}\r\n`;
}

/**
 * Field lines for every value of a table (repeated for a list). The lines are
 * built first and checked once: a value holding a CR, LF or NUL shows as a
 * NUL, or as more line ends than lines; only then is each value looked at, to
 * name the field (fieldLine's error).
 */
export function fieldLines(fields: Record<string, string | string[] | number>): string {
  let out = '';
  let lines = 0;
  for (const name in fields) {
    const v = fields[name]!;
    if (Array.isArray(v)) {
      for (const one of v) out += `${name}: ${one}\r\n`;
      lines += v.length;
    } else {
      out += `${name}: ${typeof v === 'string' ? v : String(v)}\r\n`;
      lines++;
    }
  }
  if (onlyLineEnds(out, lines)) return out;
  for (const name in fields) for (const v of [fields[name]!].flat()) fieldLine(name, String(v));
  throw new HttpError(400, 'a header name has a line break in it');
}

/** Whether `text` holds no NUL and exactly `lines` CRs and LFs, each CR right before an LF. */
function onlyLineEnds(text: string, lines: number): boolean {
  if (text.indexOf('\0') >= 0) return false;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (text.charCodeAt(i - 1) !== 13) return false;
    n++;
  }
  if (n !== lines) return false;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) n--;
  return n === 0;
}

const REASONS: Record<number, string> = {
  100: 'Continue',
  101: 'Switching Protocols',
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
