/**
 * networking.istio.io VirtualService, after pilot's ValidateVirtualService and
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/.
 */
import { hostWithin } from '../../tenancy/hosts.js';
import { at, item, type Report } from '../issues.js';
import { checkLabelMap } from '../meta.js';
import { addRequiredHints } from '../schema/schema.js';
import { isIpAddress, list, rec, str, subnetError } from '../values.js';
import { checkExportTo, checkGatewayNames, checkPort, hostError } from './common.js';
import { checkHttpRoute, checkWeightedRoutes, type RouteContext } from './http-route.js';

addRequiredHints({
  'Destination.host': 'name the service to send traffic to, e.g. reviews',
  'HTTPRouteDestination.destination': 'add the destination, e.g. host: reviews and subset: v1',
  'RouteDestination.destination': 'add the destination, e.g. host: reviews',
  'HTTPDirectResponse.status': 'add the status to answer with, e.g. 503',
  'TLSRoute.match': 'add a match with sniHosts, e.g. "- sniHosts: [login.example.com]"',
  'TLSMatchAttributes.sniHosts': 'list the SNI names this route takes, e.g. [login.example.com]',
  'HTTPMirrorPolicy.destination': 'add the destination to mirror to, e.g. host: httpbin and subset: v2',
});

export function checkVirtualService(obj: Record<string, unknown>, r: Report): void {
  const spec = rec(obj.spec);
  if (spec === undefined) return;
  const hosts = list(spec.hosts).filter((h): h is string => typeof h === 'string');
  const gateways = list(spec.gateways).filter((g): g is string => typeof g === 'string');
  const delegate = hosts.length === 0;

  if (delegate) {
    // A VirtualService without hosts is a delegate, reached only from another's http[].delegate.
    if (gateways.length > 0) r.error('spec.gateways', 'not allowed in a delegate VirtualService (one without hosts); add hosts, or remove gateways');
    if (list(spec.tls).length > 0) r.error('spec.tls', 'not allowed in a delegate VirtualService (one without hosts); add hosts');
    if (list(spec.tcp).length > 0) r.error('spec.tcp', 'not allowed in a delegate VirtualService (one without hosts); add hosts');
  }
  checkGatewayNames(spec.gateways, 'spec.gateways', r);
  const appliesToMesh = gateways.length === 0 || gateways.includes('mesh');
  const ctx: RouteContext = { delegate, gatewayOnly: !appliesToMesh };

  let allValid = true;
  list(spec.hosts).forEach((h, i) => {
    if (typeof h !== 'string') return;
    const p = item('spec.hosts', i);
    const err = hostError(h);
    if (err !== undefined) {
      r.error(p, err);
      allValid = false;
    } else if (h === '*' && appliesToMesh) {
      r.error(p, '"*" is only allowed for gateways; name the service, e.g. reviews, or bind the VirtualService to a Gateway with spec.gateways');
      allValid = false;
    }
  });
  if (allValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        const a = hosts[i] ?? '';
        const b = hosts[j] ?? '';
        if (hostWithin(a, b) || hostWithin(b, a)) r.error(item('spec.hosts', j), `duplicates host "${a}"; list each host once`);
      }
    }
  }

  if (list(spec.http).length === 0 && list(spec.tcp).length === 0 && list(spec.tls).length === 0) {
    r.error('spec', 'routes nothing; add http rules, e.g. "http: [{route: [{destination: {host: reviews}}]}]"');
  }
  list(spec.http).forEach((h, i) => {
    const http = rec(h);
    if (http !== undefined) checkHttpRoute(http, item('spec.http', i), ctx, r);
  });
  list(spec.tls).forEach((t, i) => checkTlsRoute(rec(t), item('spec.tls', i), hosts, r));
  list(spec.tcp).forEach((t, i) => {
    const tcp = rec(t);
    if (tcp === undefined) return;
    const p = item('spec.tcp', i);
    list(tcp.match).forEach((m, j) => checkL4Match(rec(m), item(at(p, 'match'), j), r));
    if (list(tcp.route).length === 0) r.error(at(p, 'route'), 'required; add a destination, e.g. "- destination: {host: mysql}"');
    checkWeightedRoutes(tcp.route, at(p, 'route'), r, false);
  });
  checkExportTo(spec.exportTo, 'spec.exportTo', r);
  checkUnreachable(list(spec.http), r);
}

function checkL4Match(m: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (m === undefined) return;
  list(m.destinationSubnets).forEach((s, i) => {
    const err = typeof s === 'string' ? subnetError(s) : undefined;
    if (err !== undefined) r.error(item(at(path, 'destinationSubnets'), i), err);
  });
  const source = str(m.sourceSubnet);
  if (source !== undefined) {
    const err = subnetError(source);
    if (err !== undefined) r.error(at(path, 'sourceSubnet'), err);
  }
  checkPort(m.port, at(path, 'port'), r);
  checkLabelMap(m.sourceLabels, at(path, 'sourceLabels'), r);
  checkGatewayNames(m.gateways, at(path, 'gateways'), r);
}

function checkTlsRoute(tls: Record<string, unknown> | undefined, path: string, hosts: string[], r: Report): void {
  if (tls === undefined) return;
  list(tls.match).forEach((m, j) => {
    const match = rec(m);
    const p = item(at(path, 'match'), j);
    checkL4Match(match, p, r);
    list(match?.sniHosts).forEach((s, k) => {
      if (typeof s !== 'string') return;
      const sp = item(at(p, 'sniHosts'), k);
      if (isIpAddress(s)) {
        r.warn(sp, `"${s}" is an IP address; SNI carries names, and most clients send none for IPs`);
        return;
      }
      const err = hostError(s);
      if (err !== undefined) r.error(sp, err);
      else if (!hosts.some((h) => hostWithin(s, h))) {
        r.error(sp, `"${s}" is not within the VirtualService's hosts (${hosts.join(', ')}); add it to spec.hosts`);
      }
    });
  });
  if (list(tls.route).length === 0) r.error(at(path, 'route'), 'required; add a destination, e.g. "- destination: {host: login}"');
  checkWeightedRoutes(tls.route, at(path, 'route'), r, false);
}

/** Istio's analyzeUnreachableHTTPRules: rules after a catch-all, and matches repeated from earlier rules. */
function checkUnreachable(rules: unknown[], r: Report): void {
  let catchAll = -1;
  const seen = new Map<string, number>();
  rules.forEach((rule, i) => {
    const matches = list(rec(rule)?.match);
    const p = item('spec.http', i);
    if (catchAll >= 0) {
      r.warn(p, `never used: spec.http[${catchAll}] has no match and takes all traffic first; move this rule above it`);
      return;
    }
    if (matches.length === 0) {
      catchAll = i;
      return;
    }
    let repeated = 0;
    matches.forEach((m, j) => {
      const { name: _name, ...rest } = rec(m) ?? {};
      const key = JSON.stringify(rest);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else {
        repeated++;
        r.warn(item(at(p, 'match'), j), `never used: spec.http[${first}] has the same match first; remove it`);
      }
    });
    if (repeated > 0 && repeated === matches.length) r.warn(p, 'never used: every match is taken by earlier rules; remove the rule');
  });
}
