/**
 * Cross-object checks, as `istioctl analyze` makes them (IST0101 ReferencedResourceNotFound):
 * references that each object alone cannot vouch for. They are warnings: the other object may
 * simply not be applied yet.
 */
import type { KubeObject } from '../../api/objects.js';
import { at, item, type ValidationIssue } from './issues.js';
import { list, rec, str } from './values.js';

const DOMAIN = 'svc.cluster.local';

/**
 * The fully qualified name of `host` as written in an object of namespace `ns`: `reviews`,
 * `reviews.ns`, `reviews.ns.svc` and `reviews.ns.svc.cluster.local` all name one service.
 */
export function qualifyHost(host: string, ns: string): string {
  if (host.includes('*')) return host;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${ns}.${DOMAIN}`;
  if (parts.length === 2) return `${host}.${DOMAIN}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

// Objects reach analyze after validation; reading them defensively keeps a stray one from throwing.
const nsOf = (o: KubeObject): string => str(rec(o.metadata)?.namespace) ?? 'default';
const nameOf = (o: KubeObject): string => str(rec(o.metadata)?.name) ?? '';
const issue = (o: KubeObject, path: string, message: string): ValidationIssue => ({ kind: o.kind, name: nameOf(o), path, message });

/** Whether `host` (qualified) falls under DestinationRule host `drHost` (qualified, maybe a wildcard). */
function covers(drHost: string, host: string): boolean {
  return drHost === host || (drHost.startsWith('*') && host.endsWith(drHost.slice(1)));
}

export function analyze(objects: KubeObject[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const rules = objects
    .filter((o) => o.kind === 'DestinationRule')
    .map((o) => ({
      name: nameOf(o),
      host: qualifyHost(str(rec(o.spec)?.host) ?? '', nsOf(o)),
      subsets: new Set(list(rec(o.spec)?.subsets).map((s) => str(rec(s)?.name)).filter((s): s is string => s !== undefined)),
    }));
  const gateways = new Set(objects.filter((o) => o.kind === 'Gateway').map((o) => `${nsOf(o)}/${nameOf(o)}`));

  for (const vs of objects.filter((o) => o.kind === 'VirtualService')) {
    const ns = nsOf(vs);
    const spec = rec(vs.spec) ?? {};
    const checkSubset = (dest: unknown, path: string): void => {
      const d = rec(dest);
      const subset = str(d?.subset);
      const host = str(d?.host);
      if (subset === undefined || host === undefined) return;
      const fqdn = qualifyHost(host, ns);
      const matching = rules.filter((dr) => covers(dr.host, fqdn));
      if (matching.some((dr) => dr.subsets.has(subset))) return;
      const fix = matching.length > 0
        ? `add it to the subsets of DestinationRule ${matching.map((dr) => dr.name).join(', ')}`
        : `apply a DestinationRule for host ${host} that defines it`;
      issues.push(issue(vs, at(path, 'subset'), `subset "${subset}" of host ${host} is not defined by any DestinationRule; ${fix}`));
    };
    for (const kind of ['http', 'tcp', 'tls']) {
      list(spec[kind]).forEach((rv, i) => {
        const rule = rec(rv);
        const p = item(at('spec', kind), i);
        list(rule?.route).forEach((d, j) => checkSubset(rec(d)?.destination, at(item(at(p, 'route'), j), 'destination')));
        if (kind !== 'http') return;
        checkSubset(rule?.mirror, at(p, 'mirror'));
        list(rule?.mirrors).forEach((m, j) => checkSubset(rec(m)?.destination, at(item(at(p, 'mirrors'), j), 'destination')));
      });
    }
    const checkGateway = (g: unknown, path: string): void => {
      if (typeof g !== 'string' || g === 'mesh') return;
      const key = gatewayKey(g, ns);
      if (gateways.has(key)) return;
      const [gwNs, gwName] = key.split('/');
      issues.push(issue(vs, path, `gateway "${g}" does not exist (no Gateway ${gwName} in namespace ${gwNs}); apply it, or fix the name`));
    };
    list(spec.gateways).forEach((g, i) => checkGateway(g, item('spec.gateways', i)));
    list(spec.http).forEach((h, i) =>
      list(rec(h)?.match).forEach((m, j) =>
        list(rec(m)?.gateways).forEach((g, k) => checkGateway(g, item(at(item(at(item('spec.http', i), 'match'), j), 'gateways'), k))),
      ),
    );
  }
  return issues;
}

/** `namespace/name` of a gateway reference: "name", "ns/name", or the legacy "name.ns.svc.cluster.local". */
function gatewayKey(ref: string, ns: string): string {
  if (ref.includes('/')) return ref;
  const [name = '', refNs] = ref.split('.');
  return `${refNs ?? ns}/${name}`;
}
