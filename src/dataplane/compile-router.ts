/** Picks the router implementation for a snapshot: the one place the proxy core's router is chosen. */
import type { ConfigSnapshot } from '../config/snapshot.js';
import { IstioRouter } from './istio/istio-router.js';
import type { Router } from './router.js';

/**
 * Istio's traffic rules over the snapshot's services; hosts without rules balance round-robin
 * over every ready pod, as the ServiceRouter does.
 */
export function compileRouter(snapshot: ConfigSnapshot): Router {
  return new IstioRouter(snapshot);
}
