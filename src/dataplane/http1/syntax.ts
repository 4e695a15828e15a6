/**
 * The grammar HTTP/1.1 heads are checked against (RFC 9110, RFC 9112), kept
 * to what llhttp (Node's parser) also accepts, so that no message graymesh
 * reads is one Node's http server would refuse: known methods, the request
 * target's forms, field names and values, and the Connection header's tokens.
 * Where graymesh is stricter than llhttp, docs/HTTP1.md says why.
 */

/** A message the peer sent that cannot be read: the status to answer with (400, 431, 501, 505). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A byte no field value may hold (RFC 9110 §5.5: HTAB, SP, visible ASCII and
 * obs-text): a control character, DEL, and so a CR or LF that is not a
 * line's CRLF. Names and the request line are checked tighter still, so no
 * scan of the whole head is needed.
 */
const NOT_VALUE_BYTE = /[^\t\x20-\x7e\x80-\xff]/;

export function isFieldValue(text: string): boolean {
  return !NOT_VALUE_BYTE.test(text);
}

/**
 * Request methods llhttp knows (its METHODS_HTTP, less PRI, which only opens
 * HTTP/2's preface): Node's http server, which served graymesh's listeners
 * before they were graymesh's own, took no others.
 */
const METHODS = new Set([
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'LINK', 'UNLINK',
  'COPY', 'LOCK', 'MKCOL', 'MOVE', 'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL',
  'REPORT', 'MKACTIVITY', 'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'MKCALENDAR',
  'PURGE', 'QUERY', 'SOURCE',
]);

export function checkMethod(method: string): void {
  if (!TOKEN.test(method)) throw new HttpError(400, 'malformed method');
  if (!METHODS.has(method)) throw new HttpError(501, `method ${method} is not implemented`);
}

/** Path and query bytes (llhttp's URL_CHAR, and `?`): visible ASCII but `#`, so no fragment. */
const PATH_CHARS = "[!\"$%&'()*+,\\-./:;<=>?@[\\\\\\]^_`{|}~0-9A-Za-z]";
/** Authority bytes of an absolute-form target: userinfo, host (IP literals with brackets), port; one `@`. */
const AUTHORITY = "[-_.!~*'()%;:&=+$,0-9A-Za-z[\\]]*(?:@[-_.!~*'()%;:&=+$,0-9A-Za-z[\\]]*)?";
const ORIGIN_FORM = new RegExp(`^/${PATH_CHARS}*$`);
const ABSOLUTE_FORM = new RegExp(`^https?://${AUTHORITY}(?:[/?]${PATH_CHARS}*)?$`, 'i');

/**
 * The request target's forms (RFC 9112 §3.2): origin-form, absolute-form
 * (http and https, as HTTP_PROXY clients send), and `*`. Authority-form goes
 * with CONNECT only, which its own handler reads (egress/connect-target.ts).
 */
export function checkTarget(target: string): void {
  if (target.charCodeAt(0) === 47 /* / */ ? ORIGIN_FORM.test(target) : target === '*' || ABSOLUTE_FORM.test(target)) return;
  throw new HttpError(400, target.includes('#') ? 'fragment in request target' : 'malformed request target');
}

/**
 * Field names already checked, as sent → lowercase: most heads repeat the same
 * few. Bounded: emptied when full, and only names of at most MAX_NAME_CHARS
 * are kept, each as a copy of its own, so a client sending long or ever-new
 * names makes graymesh hold a few KiB, not the heads they came in (a name
 * sliced from a head keeps the whole head alive).
 */
const NAMES = new Map<string, string>();
const MAX_NAMES = 512;
const MAX_NAME_CHARS = 64;

/** A field name as sent, checked (TOKEN) and lowercased; undefined when it is not a token. */
function fieldName(raw: string): string | undefined {
  const known = NAMES.get(raw);
  if (known !== undefined) return known;
  if (!TOKEN.test(raw)) return undefined;
  if (raw.length > MAX_NAME_CHARS) return raw.toLowerCase();
  if (NAMES.size >= MAX_NAMES) NAMES.clear();
  // A token is ASCII, so latin1 copies it exactly, into a string that is no slice of the head.
  const own = Buffer.from(raw, 'latin1').toString('latin1');
  const name = own.toLowerCase();
  NAMES.set(own, name);
  return name;
}

/**
 * Calls fn with each field line's name (lowercase) and value (OWS trimmed)
 * from `pos` on; a malformed line (a control character, a bare CR or LF
 * included) throws HttpError(`status`). `trailingTab` says the value was
 * followed by whitespace holding an HTAB.
 */
export function forEachField(text: string, pos: number, status: number, fn: (name: string, value: string, trailingTab: boolean) => void): void {
  while (pos < text.length) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon > end) throw new HttpError(status, 'malformed header line');
    const first = text.charCodeAt(pos);
    if (first === 32 || first === 9) throw new HttpError(status, 'obsolete line folding');
    const raw = text.slice(pos, colon);
    const name = fieldName(raw);
    if (name === undefined) throw new HttpError(status, 'malformed header name');
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
    let trailingTab = false;
    while (ve > vs && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) if (text.charCodeAt(--ve) === 9) trailingTab = true;
    const value = text.slice(vs, ve);
    if (NOT_VALUE_BYTE.test(value)) throw new HttpError(status, `control character in the value of ${raw}`);
    fn(name, value, trailingTab);
    pos = end + 2;
  }
}

/** The tokens of a comma-separated list (RFC 9110 §5.6.1), lowercase, OWS trimmed, empty elements dropped. */
export function tokenList(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase();
    if (t) out.push(t);
  }
  return out;
}

/** What a message's Connection (and Proxy-Connection) tokens say about its connection. */
export interface ConnectionOptions {
  close: boolean;
  keepAlive: boolean;
  upgrade: boolean;
}

export const noConnectionOptions = (): ConnectionOptions => ({ close: false, keepAlive: false, upgrade: false });

/**
 * Adds one Connection field's tokens, read as a case-insensitive list:
 * `notclose` is not `close`, and `keep-alive, close` closes. `keep-alive`
 * counts only where llhttp 9.3 (Node 20) also sees it, not followed by HTAB
 * (`trailingTab`: the value's trimmed end held one), so a connection is kept
 * only when every reader would keep it. llhttp reads Proxy-Connection the
 * same way, and so does graymesh.
 */
export function readConnection(o: ConnectionOptions, value: string, trailingTab: boolean): void {
  // The values nearly every message sends, read as the general case below reads them.
  if (value === 'keep-alive' || value === 'Keep-Alive') {
    if (!trailingTab) o.keepAlive = true;
    return;
  }
  if (value === 'close') {
    o.close = true;
    return;
  }
  const parts = value.split(',');
  parts.forEach((part, i) => {
    const t = part.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase();
    if (t === 'close') o.close = true;
    else if (t === 'upgrade') o.upgrade = true;
    else if (t === 'keep-alive' && !/\t[ \t]*$/.test(part) && !(i === parts.length - 1 && trailingTab)) o.keepAlive = true;
  });
}
