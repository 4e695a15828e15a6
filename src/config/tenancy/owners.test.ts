import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/objects.js';
import { exportToOf, isExportedTo } from './exports.js';
import { isClaim, projectOfName, qualifyHost } from './hosts.js';
import { HostOwners } from './owners.js';

let clock = Date.parse('2025-01-01T00:00:00Z');
const gateway = (ns: string, name: string, hosts: string[]): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: ns, creationTimestamp: new Date((clock += 1000)).toISOString() },
  spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }] },
});

const projects = (allow: Record<string, string[]> = {}): { name: string; allowRoutesFrom?: string[] }[] =>
  ['demo', 'evil', 'shop'].map((name) => ({ name, ...(allow[name] ? { allowRoutesFrom: allow[name] } : {}) }));

describe('host names', () => {
  it('reads the project a cluster name or a gateway default host carries', () => {
    expect(projectOfName('productpage.demo.svc.cluster.local')).toBe('demo');
    expect(projectOfName('v1.productpage.demo.svc.cluster.local')).toBe('demo');
    expect(projectOfName('productpage.demo.localhost')).toBe('demo');
    expect(projectOfName('*.demo.svc.cluster.local')).toBe('demo');
    expect(projectOfName('*.demo.localhost')).toBe('demo');
    // Patterns over several namespaces, and names outside the mesh's domains, carry none.
    for (const h of ['*.svc.cluster.local', '*demo.svc.cluster.local', '*.localhost', 'svc.cluster.local', 'bookinfo.example.com', '*']) {
      expect(projectOfName(h), h).toBeUndefined();
    }
  });

  it('qualifies short names in the object namespace, name.namespace only for a known namespace', () => {
    const known = new Set(['demo']);
    expect(qualifyHost('reviews', 'evil', known)).toBe('reviews.evil.svc.cluster.local');
    expect(qualifyHost('reviews.demo', 'evil', known)).toBe('reviews.demo.svc.cluster.local');
    expect(qualifyHost('reviews.demo.svc', 'evil', known)).toBe('reviews.demo.svc.cluster.local');
    expect(qualifyHost('httpbin.org', 'evil', known)).toBe('httpbin.org');
  });

  it('counts exact names and wildcards over a domain as claims, catch-alls and mesh names not', () => {
    for (const h of ['bookinfo.example.com', '*.example.com', '*shop.example.com', '127.0.0.1']) expect(isClaim(h), h).toBe(true);
    for (const h of ['*', '*.com', '*.localhost', 'reviews.demo.localhost', '*.svc.cluster.local', '*.local']) expect(isClaim(h), h).toBe(false);
  });
});

describe('HostOwners', () => {
  it('gives cluster names to the namespace they name, whether or not the Service exists', () => {
    const o = new HostOwners({ projects: projects(), gateways: [] });
    expect(o.ownerOf('productpage.demo.svc.cluster.local')).toBe('demo');
    expect(o.ownerOf('nothing-yet.demo.svc.cluster.local')).toBe('demo');
    expect(o.ownerOf('productpage.demo.localhost')).toBe('demo');
    expect(o.ownerOf('httpbin.org')).toBeUndefined();
  });

  it('gives external names to the oldest Gateway claiming them; a wildcard claims its domain', () => {
    const o = new HostOwners({
      projects: projects(),
      gateways: [gateway('shop', 'web', ['shop.example.com']), gateway('demo', 'public', ['*.example.com', 'bookinfo.example.org']), gateway('evil', 'late', ['bookinfo.example.org'])],
    });
    expect(o.ownerOf('shop.example.com')).toBe('shop');
    expect(o.ownerOf('anything.example.com')).toBe('demo');
    expect(o.ownerOf('bookinfo.example.org')).toBe('demo');
    expect(o.ownerOfPattern('*.sub.example.com')).toBe('demo');
    // A Gateway serving a name another project owns claims nothing at all.
    expect(o.gatewayAccepted(gateway('evil', 'late', ['bookinfo.example.org']))).toBe(false);
    expect(o.gatewayAccepted(gateway('demo', 'public', []))).toBe(true);
  });

  it('never lets a catch-all claim: every project may still claim its own names under *', () => {
    const o = new HostOwners({ projects: projects(), gateways: [gateway('demo', 'catchall', ['*']), gateway('shop', 'web', ['shop.example.com'])] });
    expect(o.ownerOf('anything')).toBeUndefined();
    expect(o.ownerOf('shop.example.com')).toBe('shop');
    expect(o.mayName('evil', 'evil.example.net')).toBe(true);
  });

  it('lets a project name its own hosts, and another project only when the owner lets it in', () => {
    const closed = new HostOwners({ projects: projects(), gateways: [] });
    expect(closed.mayName('demo', 'productpage.demo.svc.cluster.local')).toBe(true);
    expect(closed.mayName('evil', 'productpage.demo.svc.cluster.local')).toBe(false);
    expect(closed.mayName('evil', '*.demo.svc.cluster.local')).toBe(false);
    // Spanning several projects: confined where it applies, not refused.
    expect(closed.mayName('evil', '*.svc.cluster.local')).toBe(true);
    const open = new HostOwners({ projects: projects({ demo: ['evil'] }), gateways: [] });
    expect(open.mayName('evil', 'productpage.demo.svc.cluster.local')).toBe(true);
    expect(open.mayName('shop', 'productpage.demo.svc.cluster.local')).toBe(false);
  });

  it('applies a rule to an owned host for its owner and those it lets in, to a name nobody owns only for the caller', () => {
    const o = new HostOwners({ projects: projects({ demo: ['shop'] }), gateways: [] });
    const page = 'productpage.demo.svc.cluster.local';
    expect(o.applies('demo', page, 'evil')).toBe(true);
    expect(o.applies('shop', page, 'evil')).toBe(true);
    expect(o.applies('evil', page, 'evil')).toBe(false);
    // An external name: each project's rules for it apply to its own traffic.
    expect(o.applies('evil', 'api.stripe.com', 'evil')).toBe(true);
    expect(o.applies('evil', 'api.stripe.com', 'demo')).toBe(false);
    // demo lets shop in: shop's rules reach demo's traffic to names nobody owns too.
    expect(o.applies('shop', 'api.stripe.com', 'demo')).toBe(true);
  });
});

describe('exportTo', () => {
  const vs = (exportTo?: string[]): KubeObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x', namespace: 'demo' }, spec: exportTo ? { exportTo } : {} });

  it('reads spec.exportTo, and a Service annotation as a comma list', () => {
    expect(exportToOf(vs(['.']))).toEqual(['.']);
    expect(exportToOf(vs())).toBeUndefined();
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'demo', annotations: { 'networking.istio.io/exportTo': '., shop' } } };
    expect(exportToOf(svc)).toEqual(['.', 'shop']);
  });

  it('exports everywhere by default, to the own namespace with ".", to none with "~"', () => {
    expect(isExportedTo(undefined, 'demo', 'evil')).toBe(true);
    expect(isExportedTo(['*'], 'demo', 'evil')).toBe(true);
    expect(isExportedTo(['.'], 'demo', 'demo')).toBe(true);
    expect(isExportedTo(['.'], 'demo', 'evil')).toBe(false);
    expect(isExportedTo(['.', 'shop'], 'demo', 'shop')).toBe(true);
    expect(isExportedTo(['~'], 'demo', 'demo')).toBe(false);
  });
});
