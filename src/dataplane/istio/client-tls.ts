/**
 * A DestinationRule's `tls` (Istio ClientTLSSettings) as the TLS the proxy originates to a
 * cluster's endpoints: SIMPLE (server verified) and MUTUAL (with a client certificate) originate
 * TLS; DISABLE and ISTIO_MUTUAL do not (graymesh's proxy speaks plain HTTP to pods). The server
 * name is `sni`, else the host; `caCertificates`, `clientCertificate` and `privateKey` are PEM
 * files the proxy reads (read when the config is compiled); `credentialName` names a Secret
 * (resolved by `credentialSource`). A file that cannot be read fails every connection to the
 * cluster with its reason rather than the whole config.
 * https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { UpstreamTls } from '../upstream-tls.js';
import type { ClientTlsSettings } from './types.js';

/** PEM credentials of a Secret named by `credentialName`; undefined: no such Secret reaches the proxy. */
export type CredentialSource = (namespace: string, name: string) => { ca?: string; cert?: string; key?: string } | undefined;

/** No Secrets: every credentialName is unresolved. */
export const noCredentials: CredentialSource = () => undefined;

/** The Secrets a snapshot carries (`tlsCredentials`), by project and name. */
export function credentialsOf(snapshot: { tlsCredentials?: { namespace: string; name: string; ca?: string; cert?: string; key?: string }[] }): CredentialSource {
  const byKey = new Map((snapshot.tlsCredentials ?? []).map((c) => [`${c.namespace}/${c.name}`, c]));
  if (byKey.size === 0) return noCredentials;
  return (namespace, name) => {
    const c = byKey.get(`${namespace}/${name}`);
    return c && { ...(c.ca !== undefined ? { ca: c.ca } : {}), ...(c.cert !== undefined ? { cert: c.cert } : {}), ...(c.key !== undefined ? { key: c.key } : {}) };
  };
}

/** The TLS a cluster of `host` (in namespace `ns`) originates, or undefined for plain connections. */
export function toUpstreamTls(settings: ClientTlsSettings | undefined, host: string, ns: string, credentials: CredentialSource = noCredentials): UpstreamTls | undefined {
  const mode = settings?.mode ?? 'DISABLE';
  if (!settings || (mode !== 'SIMPLE' && mode !== 'MUTUAL')) return undefined;
  const servername = settings.sni || host;
  const verify = settings.insecureSkipVerify !== true;
  const base = { servername, verify, ...(settings.subjectAltNames?.length ? { subjectAltNames: settings.subjectAltNames } : {}) };
  const pem: { ca?: string; cert?: string; key?: string } = {};
  let error: string | undefined;
  if (settings.credentialName) {
    const found = credentials(ns, settings.credentialName);
    if (found) Object.assign(pem, found);
    else error = `tls.credentialName "${settings.credentialName}": Secret not found in ${ns}; use caCertificates with a PEM file the proxy can read`;
  } else {
    const read = (field: 'caCertificates' | 'clientCertificate' | 'privateKey'): string | undefined => {
      const file = settings[field];
      if (!file) return undefined;
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        error ??= `tls.${field} ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
        return undefined;
      }
    };
    const ca = read('caCertificates');
    const cert = mode === 'MUTUAL' ? read('clientCertificate') : undefined;
    const key = mode === 'MUTUAL' ? read('privateKey') : undefined;
    if (ca !== undefined) pem.ca = ca;
    if (cert !== undefined) pem.cert = cert;
    if (key !== undefined) pem.key = key;
  }
  const id = createHash('sha256')
    .update(JSON.stringify([mode, base, pem.ca ?? '', pem.cert ?? '', pem.key ?? '', error ?? '']))
    .digest('hex')
    .slice(0, 16);
  return { id, ...base, ...pem, ...(error !== undefined ? { error } : {}) };
}
