/**
 * Typed reads of unchecked manifest values, and the name and address rules that Kubernetes
 * (apimachinery validation) and Istio (pkg/config/validation/agent) share.
 */
import { isIP } from 'node:net';
import { isRecord } from './schema/schema.js';

export { isRecord };

export const rec = (v: unknown): Record<string, unknown> | undefined => (isRecord(v) ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A field is set when present and not null, as protobuf and Kubernetes read it. */
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;
/** The string entries of a map; non-strings were reported by the schema check. */
export const stringMap = (v: unknown): [string, string][] =>
  Object.entries(rec(v) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

export const isDns1123Label = (s: string): boolean => s.length <= 63 && DNS1123_LABEL.test(s);

/** Istio's validateDNS1123Labels: dot-separated labels, a numeric top-level label refused. */
function labelsError(domain: string, whole: string): string | undefined {
  const parts = domain.split('.');
  const tld = parts[parts.length - 1] ?? '';
  if (/^\d+$/.test(tld)) return `"${whole}" is not a valid host: the top-level label "${tld}" cannot be all digits`;
  for (const [i, label] of parts.entries()) {
    if (i === parts.length - 1 && label === '') return undefined; // trailing dot, as in istio.io.
    if (!isDns1123Label(label)) {
      return `"${whole}" is not a valid host: "${label}" must be lowercase letters, digits and '-'`;
    }
  }
  return undefined;
}

/** Istio's ValidateFQDN. */
export function fqdnError(host: string): string | undefined {
  if (host === '') return 'the host is empty; name a service, e.g. reviews';
  if (host.length > 255) return `"${host.slice(0, 20)}..." is longer than 255 characters`;
  return labelsError(host, host);
}

/** Istio's ValidateWildcardDomain: an FQDN whose first label may be a wildcard ("*", "*.example.com"). */
export function wildcardDomainError(host: string): string | undefined {
  if (host === '') return 'the host is empty; name a service, e.g. reviews';
  if (host.length > 255) return `"${host.slice(0, 20)}..." is longer than 255 characters`;
  const dot = host.indexOf('.');
  const first = dot < 0 ? host : host.slice(0, dot);
  if (!WILDCARD_LABEL.test(first)) {
    return `"${host}" is not a valid host: use lowercase letters, digits, '-' and '.', with "*" only as the first label`;
  }
  return dot < 0 ? undefined : labelsError(host.slice(dot + 1), host);
}

export const isIpAddress = (s: string): boolean => isIP(s) !== 0;

/** Istio's ValidateIPSubnet: an IP address or a CIDR block. */
export function subnetError(s: string): string | undefined {
  const slash = s.split('/');
  if (slash.length === 2) {
    const [ip = '', bits = ''] = slash;
    const max = isIP(ip) === 4 ? 32 : isIP(ip) === 6 ? 128 : -1;
    if (max < 0 || !/^\d+$/.test(bits) || Number(bits) > max) return `"${s}" is not a valid CIDR block, e.g. 10.0.0.0/16`;
    return undefined;
  }
  return isIpAddress(s) ? undefined : `"${s}" is not a valid IP address or CIDR block`;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes' IsQualifiedName: label and annotation keys, `app` or `app.kubernetes.io/name`. */
export function qualifiedNameError(key: string): string | undefined {
  const parts = key.split('/');
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  const prefix = parts.length === 2 ? (parts[0] ?? '') : undefined;
  if (parts.length > 2) return `"${key}" has more than one "/"; a key is an optional DNS prefix, "/", and a name`;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `the prefix of "${key}" must be a lowercase DNS name, e.g. example.com/${name}`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `"${key}" is not a valid key: up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Kubernetes' IsValidLabelValue. */
export function labelValueError(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `"${value}" is not a valid label value: up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}
