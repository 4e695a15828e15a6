/**
 * networking.istio.io Gateway, after pilot's ValidateGateway and
 * https://istio.io/latest/docs/reference/config/networking/gateway/.
 */
import { at, item, type Report } from '../issues.js';
import { checkLabelMap } from '../meta.js';
import { addRequiredHints } from '../schema/schema.js';
import { isDns1123Label, isIpAddress, isSet, list, num, rec, str, wildcardDomainError } from '../values.js';
import { checkPortName, isHttpProtocol, isTlsProtocol, parseProtocol, portError } from './common.js';

addRequiredHints({
  'Server.port': 'add the port to listen on, e.g. number: 80, name: http, protocol: HTTP',
  'Server.hosts': 'list the hosts this server takes, e.g. ["*"] or ["bookinfo.example.com"]',
  'Port.number': 'add the port number, e.g. 80',
  'Port.name': 'name the port, e.g. http',
  'Port.protocol': 'add the protocol, e.g. HTTP',
});

/** A server host: `host` or `namespace/host`, where namespace is ".", "*" or a name (validateNamespaceSlashWildcardHostname). */
function serverHostError(h: string): string | undefined {
  const slash = h.indexOf('/');
  const ns = slash < 0 ? undefined : h.slice(0, slash);
  const host = slash < 0 ? h : h.slice(slash + 1);
  if (ns !== undefined) {
    if (ns === '' || host === '') return `"${h}" has an empty part; write "namespace/host", e.g. "./bookinfo.example.com"`;
    if (ns !== '.' && ns !== '*' && !isDns1123Label(ns)) return `invalid namespace "${ns}"; use ".", "*" or a namespace name`;
  }
  if (host !== '*' && !host.includes('.')) return `"${host}" is a short name; gateways take fully qualified hosts, e.g. ${host}.example.com, or "*"`;
  if (isIpAddress(host)) return undefined;
  return wildcardDomainError(host);
}

export function checkGateway(obj: Record<string, unknown>, r: Report): void {
  const spec = rec(obj.spec);
  if (spec === undefined) return;
  checkLabelMap(spec.selector, 'spec.selector', r);
  const servers = list(spec.servers);
  if (servers.length === 0) r.error('spec.servers', 'required; add a server, e.g. port {number: 80, name: http, protocol: HTTP} with hosts ["*"]');
  const portNames = new Map<string, number>();
  servers.forEach((s, i) => {
    const server = rec(s);
    if (server === undefined) return;
    const p = item('spec.servers', i);
    const hosts = list(server.hosts);
    if (Array.isArray(server.hosts) && hosts.length === 0) r.error(at(p, 'hosts'), 'must not be empty; list the hosts this server takes, e.g. "*"');
    hosts.forEach((h, j) => {
      const err = typeof h === 'string' ? serverHostError(h) : undefined;
      if (err !== undefined) r.error(item(at(p, 'hosts'), j), err);
    });
    const port = rec(server.port);
    const protocolName = str(port?.protocol);
    const protocol = protocolName === undefined ? undefined : parseProtocol(protocolName);
    if (port !== undefined) {
      const pp = at(p, 'port');
      if (protocolName !== undefined && protocol === undefined) {
        r.error(at(pp, 'protocol'), `unsupported protocol "${protocolName}"; use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS or MYSQL`);
      }
      const n = num(port.number);
      const bind = str(server.bind) ?? '';
      if (n !== undefined && Number.isInteger(n) && !(n === 0 && bind.startsWith('unix://'))) {
        const err = portError(n);
        if (err !== undefined) r.error(at(pp, 'number'), err);
      }
      checkPortName(port.name, at(pp, 'name'), r);
      const name = str(port.name);
      if (name !== undefined) {
        const first = portNames.get(name);
        if (first !== undefined) r.error(at(pp, 'name'), `duplicate port name "${name}" (also spec.servers[${first}]); port names must be unique in a Gateway`);
        else portNames.set(name, i);
      }
    }
    const bind = str(server.bind);
    if (bind !== undefined && bind !== '' && !bind.startsWith('unix://') && !isIpAddress(bind)) {
      r.error(at(p, 'bind'), `"${bind}" is not an IP address; bind to an IP, e.g. 0.0.0.0, or a unix:// path`);
    }
    checkServerTls(rec(server.tls), protocol, at(p, 'tls'), r);
  });
}

function checkServerTls(tls: Record<string, unknown> | undefined, protocol: string | undefined, path: string, r: Report): void {
  if (protocol !== undefined && isTlsProtocol(protocol) && tls === undefined) {
    r.error(path, `required for ${protocol}; add tls with mode SIMPLE and credentialName, e.g. bookinfo-credential`);
    return;
  }
  if (tls === undefined) return;
  if (protocol !== undefined && !isTlsProtocol(protocol)) {
    if (!isHttpProtocol(protocol)) r.error(path, `not allowed on a ${protocol} port; use protocol HTTPS or TLS, or remove tls`);
    else {
      const extra = Object.keys(tls).filter((k) => k !== 'httpsRedirect' && isSet(tls[k]));
      if (extra.length > 0) r.error(path, `plain ${protocol} servers take only httpsRedirect; remove ${extra.join(', ')} or use protocol HTTPS`);
    }
  }
  if (tls.httpsRedirect === true && protocol !== undefined && !isHttpProtocol(protocol)) {
    r.warn(at(path, 'httpsRedirect'), `has no effect on a ${protocol} server; use it on the HTTP server`);
  }
  const mode = str(tls.mode) ?? 'PASSTHROUGH';
  const has = (k: string): boolean => (str(tls[k]) ?? '') !== '' || list(tls[k]).length > 0;
  if (mode === 'ISTIO_MUTUAL') {
    for (const k of ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName']) {
      if (has(k)) r.error(at(path, k), 'not allowed with mode ISTIO_MUTUAL, which uses the mesh certificates; remove it');
    }
    return;
  }
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') {
    if (['serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].some(has)) {
      r.warn(path, `mode ${mode} does not terminate TLS, so its certificates are ignored; remove them`);
    }
    return;
  }
  if (has('credentialName') || has('credentialNames') || has('tlsCertificates')) return;
  if (!has('serverCertificate')) r.error(at(path, 'serverCertificate'), `required for mode ${mode}; add the certificate file, or credentialName with the secret's name`);
  if (!has('privateKey')) r.error(at(path, 'privateKey'), `required for mode ${mode}; add the key file, or credentialName with the secret's name`);
  if ((mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') && !has('caCertificates')) {
    r.error(at(path, 'caCertificates'), `required for mode ${mode}; add the CA bundle that signs client certificates`);
  }
}
