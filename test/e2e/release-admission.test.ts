/**
 * A Release written through the generic object routes (POST and PUT under
 * /api/v1/projects/P/releases) gets the same verdict as `graymesh apply` of
 * the same document, and an admitted one is run by the release controller,
 * not stored behind its back.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Instance, request } from '../helpers/instance.js';
import { productpageVersion } from '../helpers/load.js';

const PROJECT = 'demo-project';

interface ReleaseJson {
  metadata: { name: string; resourceVersion?: string };
  spec: { service: string };
  status: { phase: string; history: { operation: string; user: string }[] };
}

const release = (name: string, service: string, image: string): Record<string, unknown> => ({
  apiVersion: 'graymesh.dev/v1alpha1',
  kind: 'Release',
  metadata: { name },
  spec: { type: 'canary', service, principal: 'v1', newVersion: { version: 'v2', image }, routes: { weights: { v1: 90, v2: 10 } } },
});
const REVIEWS_V2 = 'kubesphere/examples-bookinfo-reviews-v2:1.13.0';
const DETAILS = 'kubesphere/examples-bookinfo-details-v1:1.13.0';

describe('release admission on every write path', () => {
  const gm = new Instance();
  const token = (): string => gm.adminCredential('token');
  const api = async (method: string, urlPath: string, body?: unknown): Promise<{ status: number; message?: string }> => {
    const r = await request(gm.port, urlPath, { authorization: `Bearer ${token()}`, 'content-type': 'application/json' }, method, body === undefined ? undefined : JSON.stringify(body));
    return { status: r.status, message: (JSON.parse(r.body) as { error?: { message?: string } }).error?.message };
  };
  /** What `graymesh apply` says of the same document: its one error line. */
  const applyVerdict = (doc: Record<string, unknown>): string => {
    const file = path.join(gm.home, 'verdict.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = gm.cli(['apply', '-f', file, '-p', PROJECT]);
    expect(r.code).not.toBe(0);
    return r.stderr.trim().replace(/^error: /, '');
  };

  beforeAll(async () => {
    const up = await gm.up([]);
    expect(up.code, up.stderr).toBe(0);
    await eventually(async () => {
      const r = await gm.gateway(`productpage.${PROJECT}.localhost`, '/productpage');
      return productpageVersion(r.status, r.body);
    }, 90_000, 200);
    const held = path.join(gm.home, 'hold.json');
    writeFileSync(held, JSON.stringify(release('hold', 'reviews', REVIEWS_V2)));
    const a = gm.cli(['apply', '-f', held, '-p', PROJECT]);
    expect(a.code, a.stderr).toBe(0);
  }, 150_000);

  afterAll(() => gm.cleanup());

  it.each(['releases', 'release', 'rel'])('POST .../%s of a second release on a held service is refused as apply refuses it', async (resource) => {
    const doc = release('second', 'reviews', REVIEWS_V2);
    const r = await api('POST', `/api/v1/projects/${PROJECT}/${resource}`, doc);
    expect(r.status).toBe(409);
    expect(r.message).toBe('Release second: service reviews already has release hold; one release per service at a time (finish or delete hold first)');
    expect(applyVerdict(doc)).toBe(r.message);
    expect(gm.cli(['release', 'get', 'second', '-p', PROJECT]).code).not.toBe(0);
  });

  it('POST of an admissible release runs it through the controller: history, rules, new workload', async () => {
    // Through the generic route (an alias of the kind), which hands it to the controller as the release route does.
    const r = await api('POST', `/api/v1/projects/${PROJECT}/release`, release('details-canary', 'details', DETAILS));
    expect(r.status, r.message).toBe(201);
    const rel = gm.json<ReleaseJson>(['release', 'get', 'details-canary', '-p', PROJECT]);
    expect(rel.status.phase).toBe('Running');
    expect(rel.status.history[0]).toMatchObject({ operation: 'create', user: 'admin' });
    const vs = gm.json<{ metadata: { annotations?: Record<string, string> } }>(['get', 'vs', 'details', '-p', PROJECT]);
    expect(vs.metadata.annotations?.['graymesh.dev/release']).toBe('details-canary');
    const deps = gm.json<{ items: { metadata: { name: string } }[] }>(['get', 'deployments', '-p', PROJECT]);
    expect(deps.items.map((d) => d.metadata.name)).toContain('details-v2');
  }, 60_000);

  it('PUT that moves a release onto a service another release holds is refused as apply refuses it, and changes nothing', async () => {
    const doc = release('details-canary', 'reviews', REVIEWS_V2);
    const r = await api('PUT', `/api/v1/projects/${PROJECT}/releases/details-canary`, doc);
    expect(r.status).toBe(409);
    expect(r.message).toBe('Release details-canary: service reviews already has release hold; one release per service at a time (finish or delete hold first)');
    expect(applyVerdict(doc)).toBe(r.message);
    expect(gm.json<ReleaseJson>(['release', 'get', 'details-canary', '-p', PROJECT]).spec.service).toBe('details');
  });

  it('PUT with a stale resourceVersion is a conflict; with the current one it is applied by the controller', async () => {
    const current = gm.json<ReleaseJson>(['release', 'get', 'details-canary', '-p', PROJECT]);
    const doc = release('details-canary', 'details', DETAILS);
    (doc.spec as { routes: unknown }).routes = { weights: { v1: 50, v2: 50 } };
    const stale = await api('PUT', `/api/v1/projects/${PROJECT}/releases/details-canary`, { ...doc, metadata: { name: 'details-canary', resourceVersion: '1' } });
    expect(stale.status).toBe(409);
    expect(stale.message).toContain('resourceVersion 1 is stale');
    const ok = await api('PUT', `/api/v1/projects/${PROJECT}/releases/details-canary`, { ...doc, metadata: { name: 'details-canary', resourceVersion: current.metadata.resourceVersion } });
    expect(ok.status, ok.message).toBe(200);
    const after = gm.json<ReleaseJson>(['release', 'get', 'details-canary', '-p', PROJECT]);
    expect(after.status.history.at(-1)).toMatchObject({ operation: 'apply', user: 'admin' });
  }, 60_000);
});
