/**
 * networking.istio.io ServiceEntry, after pilot's ValidateServiceEntry and
 * https://istio.io/latest/docs/reference/config/networking/service-entry/.
 */
import { at, item, type Report } from '../issues.js';
import { checkLabelMap } from '../meta.js';
import { addRequiredHints } from '../schema/schema.js';
import { fqdnError, isIpAddress, isSet, list, num, rec, str, subnetError, wildcardDomainError } from '../values.js';
import { checkExportTo, checkPort, checkPortName, checkProtocol, isHttpProtocol, isTlsProtocol, parseProtocol } from './common.js';

addRequiredHints({
  'ServiceEntry.hosts': 'list the hosts of the service, e.g. [www.googleapis.com]',
  'ServicePort.number': 'add the port number, e.g. 443',
  'ServicePort.name': 'name the port, e.g. https',
});

export function checkServiceEntry(obj: Record<string, unknown>, r: Report): void {
  const spec = rec(obj.spec);
  if (spec === undefined) return;
  const hosts = list(spec.hosts).filter((h): h is string => typeof h === 'string');
  const resolution = str(spec.resolution) ?? 'NONE';
  const endpoints = list(spec.endpoints);

  if (Array.isArray(spec.hosts) && hosts.length === 0) r.error('spec.hosts', 'must not be empty; list the hosts of the service, e.g. api.example.com');
  list(spec.hosts).forEach((h, i) => {
    if (typeof h !== 'string') return;
    const p = item('spec.hosts', i);
    if (h === '*') r.error(p, '"*" is not allowed; name the hosts, e.g. *.example.com');
    else {
      const err = wildcardDomainError(h);
      if (err !== undefined) r.error(p, err);
      else if (h.startsWith('*') && !h.startsWith('*.')) r.warn(p, `partial wildcard "${h}" is not supported by every proxy; write "*.${h.slice(1).replace(/^[-.]/, '')}"`);
    }
  });
  if (spec.workloadSelector !== undefined && spec.endpoints !== undefined) {
    r.error('spec', 'sets both workloadSelector and endpoints; keep one');
  }
  checkLabelMap(rec(spec.workloadSelector)?.labels, 'spec.workloadSelector.labels', r);

  let cidr = false;
  list(spec.addresses).forEach((a, i) => {
    if (typeof a !== 'string') return;
    cidr ||= a.includes('/');
    const err = subnetError(a);
    if (err !== undefined) r.error(item('spec.addresses', i), err);
  });
  if (cidr && resolution !== 'NONE' && resolution !== 'STATIC') {
    r.error('spec.addresses', `CIDR blocks need resolution NONE or STATIC, not ${resolution}`);
  }

  const portNames = new Set<string>();
  const numbers = new Set<number>();
  list(spec.ports).forEach((pv, i) => {
    const port = rec(pv);
    if (port === undefined) return;
    const p = item('spec.ports', i);
    const n = num(port.number);
    if (n !== undefined) {
      checkPort(n, at(p, 'number'), r);
      if (numbers.has(n)) r.error(at(p, 'number'), `port ${n} is already defined; list each port once`);
      numbers.add(n);
    }
    checkPort(port.targetPort, at(p, 'targetPort'), r);
    const name = str(port.name);
    if (name !== undefined) {
      if (portNames.has(name)) r.error(at(p, 'name'), `port name "${name}" is already defined; port names must be unique`);
      portNames.add(name);
    }
    checkPortName(port.name, at(p, 'name'), r);
    checkProtocol(port.protocol, at(p, 'protocol'), r);
  });

  switch (resolution) {
    case 'NONE':
      if (endpoints.length > 0) r.error('spec.endpoints', 'not allowed with resolution NONE; set resolution STATIC or DNS, or remove the endpoints');
      if (isSet(spec.workloadSelector)) r.warn('spec.workloadSelector', 'has no effect with resolution NONE; set resolution STATIC');
      break;
    case 'STATIC':
      endpoints.forEach((e, i) => checkEndpoint(rec(e), item('spec.endpoints', i), portNames, false, r));
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (endpoints.length === 0) {
        hosts.forEach((h, i) => {
          if (fqdnError(h) !== undefined && wildcardDomainError(h) === undefined) {
            r.error(item('spec.hosts', i), `wildcard hosts need endpoints with resolution ${resolution}; name the host, or add endpoints`);
          }
        });
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) r.error('spec.endpoints', 'DNS_ROUND_ROBIN takes at most one endpoint; use DNS for several');
      endpoints.forEach((e, i) => checkEndpoint(rec(e), item('spec.endpoints', i), portNames, true, r));
      break;
    default:
      break; // DYNAMIC_DNS: no rules beyond the schema.
  }

  if (resolution !== 'NONE' && hosts.length > 1) {
    const plain = list(spec.ports).some((pv) => {
      const proto = parseProtocol(str(rec(pv)?.protocol) ?? '') ?? 'TCP';
      return !isHttpProtocol(proto) && !isTlsProtocol(proto);
    });
    if (plain) r.error('spec.ports', 'several hosts with plain TCP ports cannot be told apart; use one host per ServiceEntry, or HTTP/TLS ports');
  }
  checkExportTo(spec.exportTo, 'spec.exportTo', r, true);
}

function checkEndpoint(e: Record<string, unknown> | undefined, path: string, ports: Set<string>, dns: boolean, r: Report): void {
  if (e === undefined) return;
  const address = str(e.address) ?? '';
  if (address === '') {
    if (!isSet(e.network)) r.error(at(path, 'address'), 'required; add the IP address (or, with DNS resolution, the host name) of the endpoint');
  } else if (address.startsWith('unix://')) {
    if (dns) r.error(at(path, 'address'), 'unix sockets need resolution STATIC');
    else if (!address.slice(7).startsWith('/') && !address.slice(7).startsWith('@')) r.error(at(path, 'address'), `"${address}" needs an absolute path, e.g. unix:///var/run/app.sock`);
  } else if (!isIpAddress(address)) {
    if (!dns) r.error(at(path, 'address'), `"${address}" is not an IP address; resolution STATIC takes IPs, so use resolution DNS for host names`);
    else if (fqdnError(address) !== undefined) r.error(at(path, 'address'), `"${address}" is not a valid host name or IP address`);
  }
  for (const [name, port] of Object.entries(rec(e.ports) ?? {})) {
    const p = at(at(path, 'ports'), name);
    if (!ports.has(name)) r.error(p, `no port named "${name}" in spec.ports; use one of ${[...ports].join(', ') || '(none defined)'}`);
    checkPort(port, p, r);
  }
  checkLabelMap(e.labels, at(path, 'labels'), r);
  const weight = num(e.weight);
  if (weight !== undefined && weight < 0) r.error(at(path, 'weight'), `${weight} is negative; use 0 or more`);
}
