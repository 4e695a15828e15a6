/**
 * Route parameters are names, checked before anything uses them: DNS-1123
 * where Kubernetes requires it, and for any other parameter a plain charset
 * with no path separators or `..`, so no parameter can reach a file path or a
 * header as anything but a name.
 */
import { invalid } from '../../api/errors.js';
import { dns1123LabelError, dns1123SubdomainError } from '../../api/names.js';

/** Parameters that name projects, workspaces and users: DNS-1123 labels. */
const LABEL_PARAMS = new Set(['project', 'workspace', 'user', 'namespace']);
/** Parameters that name objects: DNS-1123 subdomains. */
const SUBDOMAIN_PARAMS = new Set(['name']);
/** Anything else (ids, kinds, service names): letters, digits and `.-_:@`, no `..`. */
const OTHER = /^[A-Za-z0-9._:@-]{1,253}$/;

/** Why a route parameter is refused, or undefined when it is a name. */
export function paramError(key: string, value: string): string | undefined {
  // Control characters (CR, LF, NUL) and non-ASCII are refused before anything echoes the value.
  if (!/^[\x20-\x7e]*$/.test(value)) return `${key}: not a name: it holds control or non-ASCII characters`;
  if (key === '*') {
    // A wildcard (static files): path segments, none of them `..`, nothing but printable ASCII.
    if (value.includes(' ') || value.split('/').some((s) => s === '..' || s === '.') || value.includes('\\')) {
      return `path: "${value}" is not a file name`;
    }
    return undefined;
  }
  if (LABEL_PARAMS.has(key)) {
    const err = dns1123LabelError(value);
    return err ? `${key}: ${err}` : undefined;
  }
  if (SUBDOMAIN_PARAMS.has(key)) {
    const err = dns1123SubdomainError(value);
    return err ? `${key}: ${err}` : undefined;
  }
  if (!OTHER.test(value) || value.includes('..')) return `${key}: "${value}" is not a name: use letters, digits, '.', '-', '_' and ':'`;
  return undefined;
}

/** Throws 422 for the first parameter that is not a name. */
export function checkParams(params: unknown): void {
  if (!params || typeof params !== 'object') return;
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    if (typeof v !== 'string') continue;
    const err = paramError(k, v);
    if (err) throw invalid(err);
  }
}
