/**
 * A Release managed as a manifest (`graymesh apply -f` / `delete -f`) goes through the release
 * controller like `graymesh release create|delete`: its history says who applied it and what
 * changed, and deleting the file abandons the release make-before-break under load.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instance } from '../helpers/instance.js';
import { Load, productpageVersion } from '../helpers/load.js';

const PROJECT = 'demo-project';
const HOST = `productpage.${PROJECT}.localhost`;
const V2_IMAGE = 'kubesphere/examples-bookinfo-reviews-v2:1.13.0';

interface ReleaseJson {
  status: {
    phase: string;
    versions: { version: string; weight: number }[];
    history: { operation: string; user: string; before?: { weights?: Record<string, number> }; after?: { weights?: Record<string, number> } }[];
  };
}
interface VsJson {
  metadata: { annotations?: Record<string, string> };
  spec: { http: { route: { destination: { subset: string }; weight?: number }[] }[] };
}

/** A canary of reviews v2 beside v1 at the given weights. */
const manifest = (v1: number, v2: number): string => `apiVersion: graymesh.dev/v1alpha1
kind: Release
metadata:
  name: yaml-canary
spec:
  type: canary
  service: reviews
  principal: v1
  newVersion:
    version: v2
    image: ${V2_IMAGE}
  routes:
    weights:
      v1: ${v1}
      v2: ${v2}
`;

describe('a Release applied and deleted as a manifest', () => {
  const gm = new Instance();
  let file: string;
  let load: Load;

  beforeAll(async () => {
    const r = await gm.up([]);
    expect(r.code, r.stderr).toBe(0);
    const d = await gm.cliAsync(['deploy', 'bookinfo', '-p', PROJECT]);
    expect(d.code, d.stderr).toBe(0);
    file = path.join(gm.home, 'release.yaml');
    load = new Load({ port: gm.gatewayPort, host: HOST, path: '/productpage', version: productpageVersion });
    load.start();
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    gm.cleanup();
  });

  const release = (): ReleaseJson => gm.json<ReleaseJson>(['release', 'get', 'yaml-canary', '-p', PROJECT]);
  const vs = (): VsJson => gm.json<VsJson>(['get', 'vs', 'reviews', '-p', PROJECT]);

  it('apply -f creates the release: history[0] is create by admin, and the rules are enforced', async () => {
    writeFileSync(file, manifest(50, 50));
    load.phase = 'apply (create)';
    const a = await gm.cliAsync(['apply', '-f', file, '-p', PROJECT]);
    expect(a.code, a.stderr).toBe(0);
    const rel = release();
    expect(rel.status.phase).toBe('Running');
    expect(rel.status.history[0]).toMatchObject({ operation: 'create', user: 'admin' });
    expect(rel.status.versions.map((v) => [v.version, v.weight])).toEqual([['v1', 50], ['v2', 50]]);
    const rules = vs();
    expect(rules.metadata.annotations?.['graymesh.dev/release']).toBe('yaml-canary');
    expect(rules.spec.http[0]?.route.map((x) => [x.destination.subset, x.weight])).toEqual([['v1', 50], ['v2', 50]]);
  }, 60_000);

  it('apply -f with new weights records an apply entry with before and after', async () => {
    writeFileSync(file, manifest(20, 80));
    load.phase = 'apply (weights)';
    const a = await gm.cliAsync(['apply', '-f', file, '-p', PROJECT]);
    expect(a.code, a.stderr).toBe(0);
    const rel = release();
    expect(rel.status.history.at(-1)).toMatchObject({ operation: 'apply', user: 'admin', before: { weights: { v1: 50, v2: 50 } }, after: { weights: { v1: 20, v2: 80 } } });
    expect(vs().spec.http[0]?.route.map((x) => [x.destination.subset, x.weight])).toEqual([['v1', 20], ['v2', 80]]);
    // The same file again changes nothing and records nothing.
    const again = await gm.cliAsync(['apply', '-f', file, '-p', PROJECT]);
    expect(again.code, again.stderr).toBe(0);
    expect(release().status.history).toHaveLength(rel.status.history.length);
  }, 60_000);

  it('delete -f abandons the release make-before-break: no request fails, v2 goes, v1 serves alone', async () => {
    load.phase = 'delete -f';
    const d = await gm.cliAsync(['delete', '-f', file, '-p', PROJECT]);
    expect(d.code, d.stderr).toBe(0);
    expect(gm.cli(['release', 'get', 'yaml-canary', '-p', PROJECT]).code).not.toBe(0);
    const deployments = gm.json<{ items: { metadata: { name: string } }[] }>(['get', 'deployments', '-p', PROJECT]);
    expect(deployments.items.map((x) => x.metadata.name)).not.toContain('reviews-v2');
    // Only v1 is left, so the release's rules are gone (or, were they kept, a plain route to v1).
    const left = gm.cli(['get', 'vs', 'reviews', '-p', PROJECT, '-o', 'json']);
    if (left.code === 0) expect((JSON.parse(left.stdout) as VsJson).spec.http[0]?.route.map((x) => x.destination.subset)).toEqual(['v1']);
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.total).toBeGreaterThan(0);
  }, 60_000);
});
