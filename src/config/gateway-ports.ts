/**
 * Gateway ports as written: which port on the gateway's address each Gateway server's
 * `port.number` takes. Port 80 (and the gateway port itself) is the main gateway listener
 * (`--gateway-port`, 8080 by default) and 443 the TLS one (`--gateway-tls-port`, 8443 by
 * default), so Istio's samples apply unchanged; any other number is bound as written (Istio's
 * TCP traffic-shifting task uses 31400). One plan for the data plane, which binds the extra
 * listeners, and for the control plane, which refuses a Gateway whose port is taken.
 */
import type { KubeObject } from '../api/objects.js';

/** How a gateway listener speaks, by the Gateway server's `port.protocol`. */
export type GatewayListenerKind = 'http' | 'tcp' | 'tls';

export interface GatewayPortOptions {
  /** The main gateway listener's port (`--gateway-port`). */
  gatewayPort: number;
  /** The TLS listener's port (`--gateway-tls-port`), where 443 goes. */
  tlsPort: number;
}

/** Default of `--gateway-tls-port`. */
export const DEFAULT_GATEWAY_TLS_PORT = 8443;

/** One port a Gateway server asks for. */
export interface GatewayPort {
  /** The port as written in the Gateway (`31400`), which route matches see. */
  number: number;
  /** The port bound on the gateway's address. */
  bind: number;
  kind: GatewayListenerKind;
  /** `ns/name` of every Gateway with a server on it. */
  gateways: string[];
}

/** The listener kind of a server protocol (Istio's HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP, TLS): byte streams are tcp, TLS-bearing ones tls. */
export function listenerKind(protocol: string | undefined): GatewayListenerKind {
  const p = (protocol ?? 'HTTP').toUpperCase();
  if (p === 'HTTPS' || p === 'TLS') return 'tls';
  if (p === 'TCP' || p === 'MONGO') return 'tcp';
  return 'http';
}

/** The port a server's number binds: 80 and the gateway port are the main listener, 443 the TLS one. */
export function bindPort(number: number, opts: GatewayPortOptions): number {
  if (number === 80) return opts.gatewayPort;
  if (number === 443) return opts.tlsPort;
  return number;
}

/**
 * Whether a server on `number` is served by one of the gateway's standing listeners, the main
 * one (80) or the TLS one (443), which the proxy binds at start: nothing more to bind or admit.
 */
export function isStandingPort(number: number, opts: GatewayPortOptions): boolean {
  const bind = bindPort(number, opts);
  return bind === opts.gatewayPort || bind === opts.tlsPort;
}

interface ServerPort {
  port?: { number?: number; protocol?: string };
}

/** Every port the Gateways ask for besides the standing listeners' (80 and 443), by port bound. */
export function gatewayPorts(gateways: readonly KubeObject[], opts: GatewayPortOptions): Map<number, GatewayPort> {
  const out = new Map<number, GatewayPort>();
  for (const gw of gateways) {
    const key = `${gw.metadata.namespace ?? 'default'}/${gw.metadata.name}`;
    const servers = ((gw.spec ?? {}) as { servers?: ServerPort[] }).servers ?? [];
    for (const s of servers) {
      const number = s.port?.number;
      if (number === undefined || isStandingPort(number, opts)) continue;
      const bind = bindPort(number, opts);
      const have = out.get(bind);
      if (have) {
        if (!have.gateways.includes(key)) have.gateways.push(key);
        continue;
      }
      out.set(bind, { number, bind, kind: listenerKind(s.port?.protocol), gateways: [key] });
    }
  }
  return out;
}
