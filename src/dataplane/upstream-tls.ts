/**
 * TLS the proxy originates to an upstream (a DestinationRule's `tls.mode: SIMPLE` or `MUTUAL`
 * for an external host): the server name it sends (SNI) and verifies, the CAs it trusts, a
 * client certificate for MUTUAL. The proxy core knows these settings, not where they came from.
 */
import tls from 'node:tls';
import { isIP } from 'node:net';

export interface UpstreamTls {
  /** Identifies the settings: clusters with the same ones share an endpoint's pool. */
  readonly id: string;
  /** SNI and the name the certificate must carry (unless `subjectAltNames` says otherwise). */
  readonly servername: string;
  /** PEM CAs to trust; absent: Node's bundled roots (and NODE_EXTRA_CA_CERTS). */
  readonly ca?: string;
  /** PEM client certificate and key (MUTUAL). */
  readonly cert?: string;
  readonly key?: string;
  /** Verify the chain and the name (false: insecureSkipVerify). */
  readonly verify: boolean;
  /** Names one of which the certificate must carry, instead of `servername`. */
  readonly subjectAltNames?: readonly string[];
  /** Why these settings cannot be used (a file that cannot be read): every connection fails with it. */
  readonly error?: string;
}

/** The error an upstream TLS failure reports: code ETLS, with the reason (a certificate that does not verify, a handshake refused). */
export function tlsError(reason: string): Error {
  return Object.assign(new Error(`TLS error: ${reason}`), { code: 'ETLS' });
}

/** node:tls options for a connection to `host:port` with these settings. */
export function tlsConnectOptions(t: UpstreamTls, host: string, port: number): tls.ConnectionOptions {
  const opts: tls.ConnectionOptions = { host, port, rejectUnauthorized: t.verify, ALPNProtocols: ['http/1.1'] };
  // An IP address is no server name (RFC 6066 §3): none is sent, and the certificate is checked against the address.
  if (!isIP(t.servername)) opts.servername = t.servername;
  if (t.ca !== undefined) opts.ca = t.ca;
  if (t.cert !== undefined) opts.cert = t.cert;
  if (t.key !== undefined) opts.key = t.key;
  const sans = t.subjectAltNames;
  opts.checkServerIdentity = (_name, cert) => {
    if (!t.verify) return undefined;
    if (!sans || sans.length === 0) return tls.checkServerIdentity(t.servername, cert);
    const names = (cert.subjectaltname ?? '').split(', ').map((n) => n.replace(/^(DNS|IP Address|URI):/, ''));
    return sans.some((s) => names.includes(s)) ? undefined : tlsError(`certificate of ${host} carries none of subjectAltNames ${sans.join(', ')} (it has ${names.join(', ') || 'none'})`);
  };
  return opts;
}
