/**
 * A Ketama-style consistent-hash ring (as Envoy's RING_HASH and libketama build one): each
 * endpoint gets about `minimumRingSize / n` points, four per MD5 digest of `address:port_i`;
 * a key goes to the first point at or after its own hash, wrapping around. Endpoints are
 * sorted first, so identical snapshots build identical rings and a key keeps its endpoint
 * across config versions while that endpoint exists.
 */
import { createHash } from 'node:crypto';
import type { EndpointConfig } from '../../config/snapshot.js';

/** Envoy caps the ring at 8M entries; graymesh's clusters are small, so far less suffices. */
const MAX_RING = 1 << 16;

export class RingHash {
  private readonly hashes: Uint32Array;
  private readonly owners: EndpointConfig[];

  constructor(endpoints: EndpointConfig[], minimumRingSize = 1024) {
    const sorted = [...endpoints].sort((a, b) => key(a).localeCompare(key(b)));
    const n = sorted.length;
    const perEndpoint = n === 0 ? 0 : Math.ceil(Math.min(Math.max(minimumRingSize, n), MAX_RING) / n / 4) * 4;
    const points: { hash: number; owner: EndpointConfig }[] = [];
    for (const ep of sorted) {
      for (let i = 0; i < perEndpoint / 4; i++) {
        const d = createHash('md5').update(`${key(ep)}_${i}`).digest();
        for (let j = 0; j < 4; j++) points.push({ hash: d.readUInt32LE(j * 4), owner: ep });
      }
    }
    points.sort((a, b) => a.hash - b.hash || key(a.owner).localeCompare(key(b.owner)));
    this.hashes = Uint32Array.from(points, (p) => p.hash);
    this.owners = points.map((p) => p.owner);
  }

  /** The endpoint owning `hashKey`, walking clockwise past endpoints `usable` rejects. */
  lookup(hashKey: string, usable?: (ep: EndpointConfig) => boolean): EndpointConfig | undefined {
    const n = this.hashes.length;
    if (n === 0) return undefined;
    const h = createHash('md5').update(hashKey).digest().readUInt32LE(0);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.hashes[mid] as number) < h) lo = mid + 1;
      else hi = mid;
    }
    for (let i = 0; i < n; i++) {
      const ep = this.owners[(lo + i) % n] as EndpointConfig;
      if (!usable || usable(ep)) return ep;
    }
    return undefined;
  }
}

const key = (ep: EndpointConfig): string => `${ep.address}:${ep.port}`;
