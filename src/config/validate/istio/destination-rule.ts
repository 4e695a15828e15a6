/**
 * networking.istio.io DestinationRule, after pilot's ValidateDestinationRule and
 * https://istio.io/latest/docs/reference/config/networking/destination-rule/.
 */
import { at, item, type Report } from '../issues.js';
import { checkLabelMap } from '../meta.js';
import { addRequiredHints } from '../schema/schema.js';
import { isDns1123Label, isSet, list, num, rec, str, stringMap, wildcardDomainError } from '../values.js';
import { checkExportTo, checkPort, percentageError } from './common.js';

addRequiredHints({
  'DestinationRule.host': 'name the service these policies apply to, e.g. reviews',
  'Subset.name': 'name the subset, e.g. v1; routes refer to it as destination.subset',
  'HTTPCookie.name': 'name the cookie to hash on, e.g. user',
  'TunnelSettings.targetHost': 'add the host to tunnel to',
  'TunnelSettings.targetPort': 'add the port to tunnel to',
});

export function checkDestinationRule(obj: Record<string, unknown>, r: Report): void {
  const spec = rec(obj.spec);
  if (spec === undefined) return;
  const host = str(spec.host);
  if (host !== undefined) {
    const err = wildcardDomainError(host);
    if (err !== undefined) r.error('spec.host', err);
  }
  checkTrafficPolicy(spec.trafficPolicy, 'spec.trafficPolicy', r, true);
  const names = new Map<string, number>();
  list(spec.subsets).forEach((s, i) => {
    const subset = rec(s);
    if (subset === undefined) return;
    const p = item('spec.subsets', i);
    const name = str(subset.name);
    if (name !== undefined) {
      if (!isDns1123Label(name)) r.error(at(p, 'name'), `"${name}" is not a valid subset name: use lowercase letters, digits and '-', e.g. v1`);
      const first = names.get(name);
      if (first !== undefined) r.error(at(p, 'name'), `duplicate subset "${name}" (also spec.subsets[${first}]); subset names must be unique`);
      else names.set(name, i);
    }
    if (stringMap(subset.labels).length === 0) {
      r.error(at(p, 'labels'), "required; add the labels that select this subset's pods, e.g. version: v1");
    }
    checkLabelMap(subset.labels, at(p, 'labels'), r);
    checkTrafficPolicy(subset.trafficPolicy, at(p, 'trafficPolicy'), r, true);
  });
  checkExportTo(spec.exportTo, 'spec.exportTo', r);
  const selector = rec(spec.workloadSelector);
  if (selector !== undefined) checkLabelMap(selector.matchLabels, 'spec.workloadSelector.matchLabels', r);
}

const POLICY_FIELDS = ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol', 'retryBudget'];

function checkTrafficPolicy(v: unknown, path: string, r: Report, top: boolean): void {
  const policy = rec(v);
  if (policy === undefined) return;
  if (!POLICY_FIELDS.some((k) => isSet(policy[k]))) {
    r.error(path, 'empty; add connectionPool, loadBalancer, outlierDetection or tls, or remove it');
    return;
  }
  checkConnectionPool(rec(policy.connectionPool), at(path, 'connectionPool'), r);
  checkLoadBalancer(rec(policy.loadBalancer), at(path, 'loadBalancer'), r);
  checkOutlierDetection(rec(policy.outlierDetection), at(path, 'outlierDetection'), r);
  checkTls(rec(policy.tls), at(path, 'tls'), r);
  const tunnel = rec(policy.tunnel);
  if (tunnel !== undefined) {
    const protocol = str(tunnel.protocol);
    if (protocol !== undefined && protocol !== 'CONNECT' && protocol !== 'POST') {
      r.error(at(at(path, 'tunnel'), 'protocol'), `unsupported protocol "${protocol}"; use CONNECT or POST`);
    }
    checkPort(tunnel.targetPort, at(at(path, 'tunnel'), 'targetPort'), r);
  }
  const budget = rec(policy.retryBudget);
  const budgetPercent = num(budget?.percent);
  if (budgetPercent !== undefined) {
    const err = percentageError(budgetPercent);
    if (err !== undefined) r.error(at(at(path, 'retryBudget'), 'percent'), err);
  }
  if (!top) return;
  const seen = new Set<number>();
  list(policy.portLevelSettings).forEach((s, i) => {
    const pls = rec(s);
    if (pls === undefined) return;
    const p = item(at(path, 'portLevelSettings'), i);
    const port = num(rec(pls.port)?.number);
    if (port === undefined) r.error(at(p, 'port'), 'required; add the port these settings apply to, e.g. number: 9080');
    else {
      checkPort(port, at(at(p, 'port'), 'number'), r);
      if (seen.has(port)) r.error(at(p, 'port'), `port ${port} already has settings; merge them into one entry`);
      seen.add(port);
    }
    if (!['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'].some((k) => isSet(pls[k]))) {
      r.error(p, 'has no settings; add connectionPool, loadBalancer, outlierDetection or tls');
    }
    checkTrafficPolicy({ ...pls, port: undefined }, p, r, false);
  });
}

function nonNegative(obj: Record<string, unknown>, fields: string[], path: string, r: Report): void {
  for (const f of fields) {
    const n = num(obj[f]);
    if (n !== undefined && n < 0) r.error(at(path, f), `${n} is negative; use 0 or more`);
  }
}

function checkConnectionPool(cp: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (cp === undefined) return;
  const http = rec(cp.http);
  const tcp = rec(cp.tcp);
  if (http === undefined && tcp === undefined) r.error(path, 'empty; add http or tcp limits, or remove it');
  if (http !== undefined) {
    const p = at(path, 'http');
    nonNegative(http, ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'maxConcurrentStreams'], p, r);
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
      r.error(at(p, 'useClientProtocol'), 'cannot be true when h2UpgradePolicy is UPGRADE; keep one');
    }
  }
  if (tcp !== undefined) {
    nonNegative(tcp, ['maxConnections'], at(path, 'tcp'), r);
    const ka = rec(tcp.tcpKeepalive);
    if (ka !== undefined) nonNegative(ka, ['probes'], at(at(path, 'tcp'), 'tcpKeepalive'), r);
  }
}

const HASH_KEYS = ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'];

function checkLoadBalancer(lb: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (lb === undefined) return;
  const hash = rec(lb.consistentHash);
  if (isSet(lb.simple) && hash !== undefined) r.error(path, 'sets both simple and consistentHash; a load balancer uses one, so keep one');
  if (hash !== undefined) {
    const p = at(path, 'consistentHash');
    const keys = HASH_KEYS.filter((k) => isSet(hash[k]) && hash[k] !== false);
    if (keys.length !== 1) {
      r.error(p, keys.length === 0
        ? `says nothing to hash on; set exactly one of ${HASH_KEYS.join(', ')}`
        : `sets ${keys.join(' and ')}; set exactly one of ${HASH_KEYS.join(', ')}`);
    }
    const algos = ['ringHash', 'maglev', 'minimumRingSize'].filter((k) => isSet(hash[k]));
    if (algos.length > 1) r.error(p, `sets ${algos.join(' and ')}; choose one of ringHash or maglev`);
    if (isSet(hash.minimumRingSize)) r.warn(at(p, 'minimumRingSize'), 'deprecated; write ringHash: {minimumRingSize: ...}');
  }
  if (isSet(lb.warmup) && isSet(lb.warmupDurationSecs)) r.error(path, 'sets both warmup and warmupDurationSecs; keep warmup');
  const warmup = rec(lb.warmup);
  if (warmup !== undefined) {
    const aggression = num(warmup.aggression);
    if (aggression !== undefined && aggression < 1) r.error(at(at(path, 'warmup'), 'aggression'), `${aggression} is below 1; use 1 (linear) or more`);
    const min = num(warmup.minimumPercent);
    if (min !== undefined && (min < 0 || min > 100)) r.error(at(at(path, 'warmup'), 'minimumPercent'), `${min} is out of range; use 0 to 100`);
  }
  const locality = rec(lb.localityLbSetting);
  if (locality !== undefined) {
    const p = at(path, 'localityLbSetting');
    const modes = ['distribute', 'failover', 'failoverPriority'].filter((k) => list(locality[k]).length > 0);
    if (modes.includes('distribute') && modes.length > 1) r.error(p, `sets ${modes.join(' and ')}; distribute cannot be combined with failover`);
    list(locality.distribute).forEach((d, i) => {
      const to = Object.values(rec(rec(d)?.to) ?? {});
      const sum = to.reduce<number>((s, w) => s + (typeof w === 'number' ? w : 0), 0);
      if (to.length > 0 && sum !== 100) r.error(at(item(at(p, 'distribute'), i), 'to'), `weights sum to ${sum}, must be 100`);
    });
  }
}

function checkOutlierDetection(od: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (od === undefined) return;
  for (const f of ['maxEjectionPercent', 'minHealthPercent']) {
    const n = num(od[f]);
    if (n !== undefined && (n < 0 || n > 100)) r.error(at(path, f), `${n} is out of range; use a percentage from 0 to 100`);
  }
  nonNegative(od, ['consecutive5xxErrors', 'consecutiveGatewayErrors', 'consecutiveLocalOriginFailures', 'consecutiveErrors'], path, r);
  if (isSet(od.consecutiveErrors)) r.warn(at(path, 'consecutiveErrors'), 'deprecated; use consecutive5xxErrors or consecutiveGatewayErrors');
  if ((num(od.consecutiveLocalOriginFailures) ?? 0) > 0 && od.splitExternalLocalOriginErrors !== true) {
    r.error(at(path, 'consecutiveLocalOriginFailures'), 'takes effect only with splitExternalLocalOriginErrors: true; set it');
  }
}

function checkTls(tls: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (tls === undefined) return;
  const mode = str(tls.mode);
  const hasFiles = ['clientCertificate', 'privateKey', 'caCertificates'].filter((k) => (str(tls[k]) ?? '') !== '');
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && (str(tls.credentialName) ?? '') !== '') {
    if (hasFiles.length > 0) r.error(path, `sets credentialName and ${hasFiles.join(', ')}; credentials come from one place, so keep credentialName`);
    return;
  }
  if (mode === 'MUTUAL') {
    if ((str(tls.clientCertificate) ?? '') === '') r.error(at(path, 'clientCertificate'), 'required for MUTUAL; add the certificate file, or use credentialName');
    if ((str(tls.privateKey) ?? '') === '') r.error(at(path, 'privateKey'), 'required for MUTUAL; add the key file, or use credentialName');
  }
}
