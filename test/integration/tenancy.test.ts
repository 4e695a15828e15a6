/**
 * Tenancy over a real store (an SQLite file): what a tenant of project evil tries against
 * demo-project at apply, what an allow changes, and what happens to objects a later change
 * leaves behind (marked on their status, left out of the snapshot, no longer routed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GmError } from '../../src/api/errors.js';
import type { KubeObject, Namespace } from '../../src/api/objects.js';
import { ALLOW_ROUTES_ANNOTATION } from '../../src/api/objects.js';
import type { ConfigSnapshot } from '../../src/config/snapshot.js';
import { IstioRouter } from '../../src/dataplane/istio/istio-router.js';
import { atGateway, outbound } from '../../src/dataplane/istio/fixtures.js';
import type { RouteDecision } from '../../src/dataplane/router.js';
import { applyObjects, deleteNamespaceContents, prepare } from '../../src/controlplane/apply.js';
import { bookinfoManifests } from '../../src/config/samples/bookinfo.js';
import { buildSnapshotContent } from '../../src/controlplane/snapshot-builder.js';
import { Store } from '../../src/controlplane/store.js';
import { ACCEPTED_CONDITION, HOST_NOT_OWNED, judgeStored, recordVerdicts, withAllowRoutesFrom } from '../../src/controlplane/tenancy.js';

const P = 'demo-project';
const PAGE = `productpage.${P}.svc.cluster.local`;

let dir: string;
let store: Store;

const namespace = (name: string, allow?: string): Namespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, ...(allow ? { annotations: { [ALLOW_ROUTES_ANNOTATION]: allow } } : {}) },
});

const hijack = (host = PAGE): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'hijack', namespace: 'evil' },
  spec: { hosts: [host], http: [{ fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }, route: [{ destination: { host } }] }] },
});

function apply(docs: unknown[], ns?: string): void {
  applyObjects(store, prepare(store, docs, ns).objects);
}

function refusal(docs: unknown[], ns?: string): GmError {
  try {
    prepare(store, docs, ns);
  } catch (err) {
    expect(err).toBeInstanceOf(GmError);
    return err as GmError;
  }
  throw new Error('expected the apply to be refused');
}

/** The snapshot and router the proxies would get now, after the control plane judged the store. */
function enforced(): { snapshot: ConfigSnapshot; router: IstioRouter } {
  const refused = judgeStored(store);
  recordVerdicts(store, refused);
  const snapshot = { version: 1, ...buildSnapshotContent(store, 8080, refused) };
  return { snapshot, router: new IstioRouter(snapshot) };
}

const abortOf = (d: RouteDecision): number | undefined => (d.kind === 'route' ? d.fault?.abortStatus : undefined);
const condition = (kind: string, ns: string, name: string): Record<string, unknown> | undefined =>
  (store.get(kind, ns, name)?.status?.conditions as Record<string, unknown>[] | undefined)?.find((c) => c.type === ACCEPTED_CONDITION);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-tenancy-'));
  store = new Store(path.join(dir, 'graymesh.db'));
  apply([namespace(P), namespace('evil'), ...bookinfoManifests(P)]);
  apply([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'evil' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } }]);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tenancy at apply', () => {
  it("refuses evil's VirtualService for demo-project's productpage with the field and the owner, writing nothing", () => {
    const mine = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: 'evil' }, spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] } };
    const err = refusal([mine, hijack()]);
    expect(err.message).toContain(`; name a host of project evil, or have an admin of project ${P} let evil in (graymesh project set ${P} --allow-routes-from evil)`);
    expect(err.status).toBe(422);
    expect(err.message).toMatch(new RegExp(`^VirtualService hijack: spec\\.hosts\\[0\\]: productpage\\.demo-project\\.svc\\.cluster\\.local belongs to project demo-project; `));
    expect(err.details).toHaveLength(1);
    expect(store.list('VirtualService', { namespace: 'evil' })).toEqual([]);
  });

  it("keeps an object sent to evil's own routes in evil, whatever namespace it names", () => {
    const smuggled = { ...hijack('productpage'), metadata: { name: 'smuggled', namespace: P } };
    expect(() => prepare(store, [smuggled], P)).not.toThrow();
    expect(() => prepare(store, [smuggled], 'evil', { onlyIn: 'evil' })).toThrow(/^VirtualService smuggled: metadata\.namespace: "demo-project" is not project evil, where it was sent; /);
  });

  it('accepts it once demo-project lets evil in, in the same apply or after', () => {
    expect(() => prepare(store, [namespace(P, 'evil'), hijack()], undefined)).not.toThrow();
    store.update(withAllowRoutesFrom(store.get<Namespace>('Namespace', undefined, P)!, ['evil']));
    apply([hijack()]);
    expect(store.get('VirtualService', 'evil', 'hijack')).toBeDefined();
  });

  it("refuses a Gateway claiming a name demo-project's older Gateway claims, however old it says it is", () => {
    apply([{ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'bookinfo', namespace: P }, spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'] }] } }]);
    const backdated = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'grab', namespace: 'evil', creationTimestamp: '2000-01-01T00:00:00Z' }, spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'] }] } };
    expect(refusal([backdated]).message).toMatch(/^Gateway grab: spec\.servers\[0\]\.hosts\[0\]: bookinfo\.example\.com belongs to project demo-project; /);
  });
});

describe('tenancy after a change', () => {
  beforeEach(() => {
    store.update(withAllowRoutesFrom(store.get<Namespace>('Namespace', undefined, P)!, ['evil']));
    apply([hijack()]);
  });

  it('enforces an allowed rule: the gateway default host of productpage answers 418', () => {
    const { snapshot, router } = enforced();
    expect(snapshot.virtualServices.map((v) => v.metadata.name)).toContain('hijack');
    expect(abortOf(router.route(atGateway(`productpage.${P}.localhost`)))).toBe(418);
    expect(condition('VirtualService', 'evil', 'hijack')).toBeUndefined();
  });

  it('marks the rule HostNotOwned once the allow is revoked, leaves it out and routes productpage plainly again', () => {
    store.update(withAllowRoutesFrom(store.get<Namespace>('Namespace', undefined, P)!, []));
    const { snapshot, router } = enforced();
    expect(snapshot.virtualServices.map((v) => v.metadata.name)).not.toContain('hijack');
    const d = router.route(atGateway(`productpage.${P}.localhost`));
    expect(d.kind === 'route' && d.routeName).toBe('default');
    expect(abortOf(router.route(outbound('productpage', { project: P })))).toBeUndefined();
    expect(condition('VirtualService', 'evil', 'hijack')).toMatchObject({
      status: 'False',
      reason: HOST_NOT_OWNED,
      message: expect.stringContaining(`spec.hosts[0]: ${PAGE} belongs to project ${P}`),
    });
    // Allowed again: enforced again, the condition gone.
    store.update(withAllowRoutesFrom(store.get<Namespace>('Namespace', undefined, P)!, ['evil']));
    expect(abortOf(enforced().router.route(atGateway(`productpage.${P}.localhost`)))).toBe(418);
    expect(condition('VirtualService', 'evil', 'hijack')).toBeUndefined();
  });

  it('does not carry the allow over to a project deleted and created again under the same name', () => {
    store.transaction(() => {
      deleteNamespaceContents(store, P);
      store.delete('Namespace', undefined, P);
    });
    apply([namespace(P), ...bookinfoManifests(P)]);
    const { router } = enforced();
    expect(abortOf(router.route(atGateway(`productpage.${P}.localhost`)))).toBeUndefined();
    expect(condition('VirtualService', 'evil', 'hijack')).toMatchObject({ reason: HOST_NOT_OWNED });
  });

  it('drops a deleted project from every allow list, so whoever creates it next is trusted by nobody', () => {
    store.transaction(() => {
      deleteNamespaceContents(store, 'evil');
      store.delete('Namespace', undefined, 'evil');
    });
    expect(store.get<Namespace>('Namespace', undefined, P)?.metadata.annotations?.[ALLOW_ROUTES_ANNOTATION]).toBeUndefined();
  });
});
