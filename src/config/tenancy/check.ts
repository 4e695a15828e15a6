/**
 * The tenancy check of one traffic object against the others: every host a VirtualService,
 * DestinationRule, Gateway or ServiceEntry of project X names, and every destination it sends
 * traffic to, must be X's or belong to a project that lets X in. A cross-object check: who owns
 * what comes from HostOwners, built from a read-only view of the store.
 *
 * Wildcards are confined rather than refused (the router applies them only to names X may
 * touch), except a wildcard every name of which belongs to one other project
 * (`*.demo.svc.cluster.local` in evil), which can only mean that project's traffic.
 */
import type { KubeObject } from '../../api/objects.js';
import type { ValidationIssue } from '../validate/issues.js';
import { at, item } from '../validate/issues.js';
import { list, rec, str } from '../validate/values.js';
import { namespaceOf, projectOfName, splitServerHost } from './hosts.js';
import type { HostOwners } from './owners.js';

export interface TenancyCheckOptions {
  /**
   * Whether the owner of a host may be named to whoever applies the object. A project the
   * caller cannot see is not named (`belongs to another project`) unless the host names it itself.
   */
  canSee?: (project: string) => boolean;
}

/** The kinds the check reads. */
export const TENANCY_KINDS: ReadonlySet<string> = new Set(['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry']);

interface Ctx {
  obj: KubeObject;
  ns: string;
  owners: HostOwners;
  canSee: (project: string) => boolean;
  issues: ValidationIssue[];
  /** Hosts already refused in `hosts`: a route to one of them is the same problem, reported once. */
  refusedHosts: Set<string>;
}

/** The tenancy problems of one object; none for kinds that name no hosts. */
export function checkTenancy(obj: KubeObject, owners: HostOwners, opts: TenancyCheckOptions = {}): ValidationIssue[] {
  const ctx: Ctx = { obj, ns: namespaceOf(obj), owners, canSee: opts.canSee ?? (() => true), issues: [], refusedHosts: new Set() };
  const spec = rec(obj.spec) ?? {};
  switch (obj.kind) {
    case 'VirtualService':
      checkVirtualService(spec, ctx);
      break;
    case 'DestinationRule': {
      const host = str(spec.host);
      if (host !== undefined) checkHost(host, 'spec.host', ctx);
      break;
    }
    case 'Gateway':
      list(spec.servers).forEach((s, i) =>
        list(rec(s)?.hosts).forEach((h, j) => {
          if (typeof h === 'string') checkHost(splitServerHost(h).host, item(at(item('spec.servers', i), 'hosts'), j), ctx, false);
        }),
      );
      break;
    case 'ServiceEntry':
      eachString(spec.hosts, 'spec.hosts', (h, p) => checkHost(h, p, ctx));
      break;
  }
  return ctx.issues;
}

function checkVirtualService(spec: Record<string, unknown>, ctx: Ctx): void {
  eachString(spec.hosts, 'spec.hosts', (h, p) => checkHost(h, p, ctx));
  const dest = (d: unknown, path: string): void => {
    const host = str(rec(d)?.host);
    if (host !== undefined) checkDestination(host, at(path, 'host'), ctx);
  };
  for (const kind of ['http', 'tcp', 'tls']) {
    list(spec[kind]).forEach((r, i) => {
      const rule = rec(r);
      const p = item(at('spec', kind), i);
      list(rule?.route).forEach((d, j) => dest(rec(d)?.destination, at(item(at(p, 'route'), j), 'destination')));
      if (kind !== 'http') return;
      dest(rule?.mirror, at(p, 'mirror'));
      list(rule?.mirrors).forEach((m, j) => dest(rec(m)?.destination, at(item(at(p, 'mirrors'), j), 'destination')));
      const delegate = rec(rule?.delegate);
      if (delegate !== undefined) checkDelegate(delegate, at(p, 'delegate'), ctx);
    });
  }
}

function eachString(v: unknown, path: string, fn: (s: string, path: string) => void): void {
  list(v).forEach((s, i) => {
    if (typeof s === 'string') fn(s, item(path, i));
  });
}

/** A host the object claims or makes rules for; `qualify` reads short names in the object's namespace (not Gateway hosts). */
function checkHost(written: string, path: string, ctx: Ctx, qualify = true): void {
  const host = qualify ? ctx.owners.qualify(written, ctx.ns) : written.toLowerCase();
  if (ctx.owners.mayName(ctx.ns, host)) return;
  const owner = ctx.owners.ownerOfPattern(host) as string;
  ctx.refusedHosts.add(host);
  refuse(ctx, path, written, host, owner, `name a host of project ${ctx.ns}`);
}

/** A host the object sends traffic to: refused only when it belongs to another project that does not let this one in. */
function checkDestination(written: string, path: string, ctx: Ctx): void {
  const host = ctx.owners.qualify(written, ctx.ns);
  const owner = ctx.owners.ownerOf(host);
  if (owner === undefined || owner === ctx.ns || ctx.owners.allows(owner, ctx.ns) || ctx.refusedHosts.has(host)) return;
  refuse(ctx, path, written, host, owner, `route to a service of project ${ctx.ns}`);
}

/** `delegate: {name, namespace}`: the delegate's rules become this object's, so its namespace must let this one in. */
function checkDelegate(delegate: Record<string, unknown>, path: string, ctx: Ctx): void {
  const target = str(delegate.namespace) ?? ctx.ns;
  if (target === ctx.ns || ctx.owners.allows(target, ctx.ns)) return;
  const name = str(delegate.name) ?? '';
  ctx.issues.push(issue(ctx, path, `${target}/${name} belongs to project ${target}; delegate to a VirtualService of project ${ctx.ns}${letIn(target, ctx.ns)}`));
}

function refuse(ctx: Ctx, path: string, written: string, host: string, owner: string, fix: string): void {
  const shown = written.toLowerCase() === host ? written : `${written} (${host})`;
  const named = projectOfName(host) === owner || ctx.canSee(owner);
  const message = named
    ? `${shown} belongs to project ${owner}; ${fix}${letIn(owner, ctx.ns)}`
    : `${shown} belongs to another project; ${fix}`;
  ctx.issues.push(issue(ctx, path, message));
}

const letIn = (owner: string, ns: string): string =>
  `, or have an admin of project ${owner} let ${ns} in (graymesh project set ${owner} --allow-routes-from ${ns})`;

const issue = (ctx: Ctx, path: string, message: string): ValidationIssue => ({ kind: ctx.obj.kind, name: ctx.obj.metadata.name, path, message });
