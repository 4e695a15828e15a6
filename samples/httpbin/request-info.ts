/**
 * The request facts httpbin echoes back, shaped like httpbin.org's answers:
 * Title-Case header names, a query value as a string (an array when repeated),
 * `origin` from X-Forwarded-For when a proxy set it.
 */
import type { IncomingMessage } from 'node:http';

/** Query parameters: a string, or an array when a name repeats. */
export type Args = Record<string, string | string[]>;

/** Query parameters of `url`. */
export function argsOf(url: URL): Args {
  return multiDict(url.searchParams);
}

/** Groups repeated names into arrays, as httpbin does. */
export function multiDict(params: URLSearchParams): Args {
  const out: Args = {};
  for (const [name, value] of params) {
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  return out;
}

/** Request headers with Title-Case names (`X-Request-Id`). */
export function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[titleCase(name)] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

/** The client address: the first X-Forwarded-For hop when present, else the socket peer. */
export function originOf(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || (req.socket.remoteAddress ?? '');
}

/** The URL the client asked for, with the Host it used. */
export function fullUrlOf(req: IncomingMessage, url: URL): string {
  return `http://${req.headers.host ?? url.host}${url.pathname}${url.search}`;
}

function titleCase(name: string): string {
  return name
    .split('-')
    .map((part) => (part === '' ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('-');
}
