/** Picks the router implementation for a snapshot: the one place the proxy core's router is chosen. */
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { Router } from './router.js';
import { ServiceRouter } from './service-router.js';

export function compileRouter(snapshot: ConfigSnapshot): Router {
  return new ServiceRouter(snapshot);
}
