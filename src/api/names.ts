/** Kubernetes name rules (DNS-1123), which graymesh enforces so objects apply to a cluster unchanged. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a DNS-1123 label (projects, services), or undefined when it is one. */
export function dns1123LabelError(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'a name is required';
  if (name.length > 63) return `"${name}" is longer than 63 characters`;
  if (!DNS1123_LABEL.test(name)) {
    return `"${name}" is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `name` is not a DNS-1123 subdomain (most object names), or undefined when it is one. */
export function dns1123SubdomainError(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'a name is required';
  if (name.length > 253) return `"${name}" is longer than 253 characters`;
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return `"${name}" is not a DNS-1123 name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}
