/**
 * Gateway servers that terminate TLS (`tls.mode: SIMPLE` or `MUTUAL` with `credentialName`):
 * the Secret each names, looked up in the Gateway's project through `findTlsCredential`, goes
 * to the proxies in the snapshot (`tlsCredentials`, PEM) when it holds a certificate and its
 * key. A Secret that is missing or cannot serve TLS is a status condition on the Gateway
 * (`ResolvedCredentials=False`, reason SecretNotFound or InvalidSecret, every server named),
 * removed once every name resolves; the Gateway's other servers serve on. The Secrets
 * DestinationRules name for TLS origination go along too (`ca.crt`, else `cacert`, and
 * `tls.crt`/`tls.key` for MUTUAL), as the proxy's CredentialSource reads them.
 */
import type { KubeObject } from '../api/objects.js';
import type { TlsCredentialConfig } from '../config/snapshot.js';
import { decodeData, tlsPairOf } from '../config/secrets/tls-pair.js';
import { objectKey } from '../config/tenancy/facts.js';
import type { Store } from './store.js';
import { SECRET_NOT_FOUND, findTlsCredential, recordCredentialCondition, tlsSettings } from './tls-credentials.js';

export const INVALID_SECRET = 'InvalidSecret';

interface ServerTls {
  mode?: string;
  credentialName?: string;
}

interface Resolution {
  path: string;
  name: string;
  pair?: { cert: string; key: string; ca?: string };
  problem?: { reason: string; message: string };
}

/** Every credentialName of a Gateway's terminating servers, resolved. */
function resolve(store: Store, gw: KubeObject): Resolution[] {
  const ns = gw.metadata.namespace ?? 'default';
  const servers = ((gw.spec as { servers?: { tls?: ServerTls }[] } | undefined)?.servers ?? []);
  const out: Resolution[] = [];
  servers.forEach((s, i) => {
    const name = s.tls?.credentialName;
    if (!name || (s.tls?.mode !== 'SIMPLE' && s.tls?.mode !== 'MUTUAL')) return;
    const path = `spec.servers[${i}].tls.credentialName`;
    const secret = findTlsCredential(store, ns, name);
    if (!secret) {
      out.push({ path, name, problem: { reason: SECRET_NOT_FOUND, message: `${path}: Secret "${name}" not found in project ${ns}; create it (kubectl create secret tls ${name} --cert=cert.pem --key=key.pem --dry-run=client -o yaml | graymesh apply -f -)` } });
      return;
    }
    const data = (secret as { data?: Record<string, unknown> }).data;
    const pair = tlsPairOf(data);
    const ca = data?.['ca.crt'] === undefined ? undefined : decodeData(data['ca.crt']);
    if ('error' in pair) out.push({ path, name, problem: { reason: INVALID_SECRET, message: `${path}: Secret "${name}" cannot serve TLS: ${pair.error}` } });
    else if (s.tls?.mode === 'MUTUAL' && !ca) out.push({ path, name, problem: { reason: INVALID_SECRET, message: `${path}: Secret "${name}" has no data["ca.crt"], the CAs MUTUAL verifies clients with; add it (kubectl create secret generic ${name} --from-file=tls.crt --from-file=tls.key --from-file=ca.crt)` } });
    else out.push({ path, name, pair: { ...pair, ...(ca ? { ca } : {}) } });
  });
  return out;
}

/** The Secrets the accepted Gateways and DestinationRules name, for the snapshot (nothing when none). */
export function gatewayCredentials(store: Store, refused: ReadonlyMap<string, unknown>): { tlsCredentials?: TlsCredentialConfig[] } {
  const byKey = new Map<string, TlsCredentialConfig>();
  for (const gw of store.list('Gateway')) {
    if (refused.has(objectKey(gw))) continue;
    const ns = gw.metadata.namespace ?? 'default';
    for (const r of resolve(store, gw)) if (r.pair) byKey.set(`${ns}/${r.name}`, { namespace: ns, name: r.name, ...r.pair });
  }
  for (const rule of store.list('DestinationRule')) {
    if (refused.has(objectKey(rule))) continue;
    const ns = rule.metadata.namespace ?? 'default';
    for (const { tls } of tlsSettings(rule.spec)) {
      const name = tls?.credentialName;
      if (!name || byKey.has(`${ns}/${name}`)) continue;
      const data = (findTlsCredential(store, ns, name) as { data?: Record<string, unknown> } | undefined)?.data;
      if (!data) continue;
      const pem = (k: string): string | undefined => (data[k] === undefined ? undefined : decodeData(data[k]));
      const ca = pem('ca.crt') ?? pem('cacert');
      const cert = pem('tls.crt');
      const key = pem('tls.key');
      byKey.set(`${ns}/${name}`, { namespace: ns, name, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
    }
  }
  return byKey.size === 0 ? {} : { tlsCredentials: [...byKey.values()] };
}

/** Writes the condition on every Gateway whose verdict changed. */
export function recordGatewayCredentialVerdicts(store: Store, now: () => Date = () => new Date()): void {
  for (const gw of store.list('Gateway')) {
    recordCredentialCondition(store, gw, resolve(store, gw).flatMap((r) => (r.problem ? [r.problem] : [])), now);
  }
}
