/**
 * The gateway's TLS servers, compiled from a snapshot: which Gateway servers listen at port
 * 443 (served at `--gateway-tls-port`), the host patterns of each with its mode and the
 * certificate it presents, and the plain servers that redirect to https (`tls.httpsRedirect`).
 * https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
 */
import tls from 'node:tls';
import type { ConfigSnapshot } from '../../config/snapshot.js';
import { splitServerHost } from '../../config/tenancy/hosts.js';
import { hostMatches, namespaceOf, specificity } from '../istio/hosts.js';

/** The port number a Gateway server writes for the TLS listener (Istio's samples use 443). */
export const TLS_SERVER_PORT = 443;

interface ServerSpec {
  port?: { number?: number; protocol?: string };
  hosts?: string[];
  tls?: { mode?: string; credentialName?: string; httpsRedirect?: boolean };
}

export interface TlsServer {
  pattern: string;
  /** MUTUAL: a client certificate the Secret's `ca.crt` signed is required. */
  mode: 'SIMPLE' | 'MUTUAL' | 'PASSTHROUGH';
  /** The certificate it presents (and, MUTUAL, the CAs it trusts), absent when its Secret did not resolve: its hosts are refused. */
  context?: tls.SecureContext;
  /** The Gateway, `namespace/name`. */
  gateway: string;
}

export class TlsServers {
  /** Most specific first. */
  private readonly servers: TlsServer[] = [];
  private readonly redirectHosts: string[] = [];

  constructor(snapshot: ConfigSnapshot | undefined, tlsPort: number) {
    if (!snapshot) return;
    const contexts = secureContexts(snapshot);
    for (const gw of snapshot.gateways) {
      const ns = namespaceOf(gw);
      const servers = ((gw.spec as { servers?: ServerSpec[] } | undefined)?.servers ?? []);
      for (const s of servers) {
        const hosts = (s.hosts ?? []).map((h) => splitServerHost(h).host.toLowerCase());
        const n = s.port?.number;
        if (s.tls?.httpsRedirect === true && !isTlsProtocol(s.port?.protocol)) this.redirectHosts.push(...hosts);
        if (n !== TLS_SERVER_PORT && n !== tlsPort) continue;
        const mode = s.tls?.mode ?? 'PASSTHROUGH';
        if (mode !== 'SIMPLE' && mode !== 'PASSTHROUGH' && mode !== 'MUTUAL') continue;
        const cred = contexts.get(`${ns}/${s.tls?.credentialName ?? ''}`);
        // MUTUAL needs the CAs to verify clients with: without them the hosts are refused, never served as SIMPLE.
        const context = mode === 'PASSTHROUGH' ? undefined : mode === 'MUTUAL' ? cred?.mutual : cred?.simple;
        for (const pattern of hosts) this.servers.push({ pattern, mode, gateway: `${ns}/${gw.metadata.name}`, ...(context ? { context } : {}) });
      }
    }
    this.servers.sort((a, b) => specificity(b.pattern) - specificity(a.pattern));
  }

  /** The server for a ClientHello's name: the most specific pattern covering it that can serve it. */
  lookup(sni: string | undefined): TlsServer | undefined {
    if (sni === undefined) return undefined;
    return this.servers.find((s) => hostMatches(s.pattern, sni) && (s.mode === 'PASSTHROUGH' || s.context !== undefined));
  }

  /** Whether a plain request for host is answered with a redirect to https. */
  redirects(host: string): boolean {
    return this.redirectHosts.some((p) => hostMatches(p, host));
  }

  get empty(): boolean {
    return this.servers.length === 0;
  }
}

function isTlsProtocol(p: string | undefined): boolean {
  const u = (p ?? '').toUpperCase();
  return u === 'HTTPS' || u === 'TLS';
}

/** Secure contexts per credential (MUTUAL's with its CAs); one that Node refuses is left out (its hosts are refused). */
function secureContexts(snapshot: ConfigSnapshot): Map<string, { simple: tls.SecureContext; mutual?: tls.SecureContext }> {
  const out = new Map<string, { simple: tls.SecureContext; mutual?: tls.SecureContext }>();
  for (const c of snapshot.tlsCredentials ?? []) {
    if (c.cert === undefined || c.key === undefined) continue;
    try {
      const simple = tls.createSecureContext({ cert: c.cert, key: c.key });
      out.set(`${c.namespace}/${c.name}`, { simple, ...(c.ca ? { mutual: tls.createSecureContext({ cert: c.cert, key: c.key, ca: c.ca }) } : {}) });
    } catch {
      // The control plane checked the pair; a context Node cannot make serves nobody.
    }
  }
  return out;
}
