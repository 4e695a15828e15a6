/**
 * `graymesh export` as a pure function: a project as the local store holds it (Bookinfo with a
 * live canary of reviews, store metadata, internal labels, pods) becomes manifests that validate
 * against Kubernetes' and Istio's schemas and read as hand-written ones.
 */
import { describe, expect, it } from 'vitest';
import type { Deployment, KubeObject } from '../../src/api/objects.js';
import { bookinfoDeployment } from '../../src/config/samples/bookinfo.js';
import { releaseCrd, type JsonSchemaProps } from '../../src/config/export/crds.js';
import { EXPORT_ORDER, exportProject } from '../../src/config/export/export.js';
import { liveCanaryProject, NS } from './fixtures.js';
import { crdProblems, graymeshProblems, structuralProblems, upstreamProblems } from './schemas.js';

describe('exportProject', () => {
  const { items, warnings } = exportProject(liveCanaryProject());
  const byKind = (k: string): KubeObject[] => items.filter((o) => o.kind === k);

  it('orders manifests as they must be applied: CRDs, Namespace, accounts, services, workloads, rules, releases', () => {
    const ranks = items.map((o) => EXPORT_ORDER.indexOf(o.kind));
    expect(ranks.every((r) => r >= 0)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(items[0]?.kind).toBe('CustomResourceDefinition');
    expect(items.map((o) => o.kind)).not.toContain('Pod');
    expect(warnings).toEqual([]);
  });

  it('every manifest validates against graymesh strict tables and the upstream Kubernetes and Istio models', () => {
    const problems = items.flatMap((o) => [...graymeshProblems(o), ...upstreamProblems(o)]);
    expect(problems).toEqual([]);
  });

  it("the Release CRD's schema is structural and accepts the exported Release, and refuses unknown fields", () => {
    const crd = byKind('CustomResourceDefinition').find((c) => c.metadata.name === 'releases.graymesh.dev') as KubeObject;
    const schema = (crd.spec as { versions: { schema: { openAPIV3Schema: JsonSchemaProps } }[] }).versions[0]!.schema.openAPIV3Schema;
    expect(structuralProblems(schema)).toEqual([]);
    const release = byKind('Release')[0] as KubeObject;
    expect(crdProblems(crd, release)).toEqual([]);
    const bad = structuredClone(release);
    (bad.spec as Record<string, unknown>).wieghts = { v1: 100 };
    expect(crdProblems(crd, bad).join()).toMatch(/additional properties/);
    const app = byKind('CustomResourceDefinition').find((c) => c.metadata.name === 'applications.app.k8s.io') as KubeObject;
    expect(crdProblems(app, byKind('Application')[0] as KubeObject)).toEqual([]);
  });

  it('leaves out what the store adds and what only the local engine uses', () => {
    const text = JSON.stringify(items.filter((o) => o.kind !== 'CustomResourceDefinition'));
    for (const word of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'ownerReferences', 'pod-template-hash', 'graymesh.dev/workload', 'graymesh.dev/terminating', 'graymesh.dev/stage', '"status"']) {
      expect(text, word).not.toContain(word);
    }
  });

  it('labels the namespace for sidecar injection', () => {
    expect(byKind('Namespace')[0]?.metadata.labels).toEqual({ 'istio-injection': 'enabled' });
  });

  it("names Istio's Bookinfo images, with app/version labels, named http ports and the readiness probe", () => {
    const deps = byKind('Deployment') as Deployment[];
    expect(deps.map((d) => d.metadata.name)).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2']);
    for (const d of deps) {
      const c = d.spec!.template.spec.containers[0]!;
      expect(c.image).toMatch(/^docker\.io\/istio\/examples-bookinfo-[a-z]+-v\d:1\.20\.\d+$/);
      expect(c.ports?.[0]?.name).toBe('http');
      expect(c.readinessProbe?.httpGet?.path).toBe('/health');
      expect(d.spec!.template.metadata?.labels?.app).toBeTruthy();
      expect(d.spec!.template.metadata?.labels?.version).toBeTruthy();
    }
    for (const s of byKind('Service')) expect((s.spec as { ports: { name: string }[] }).ports[0]?.name).toBe('http');
    const rel = byKind('Release')[0]!;
    expect((rel.spec as { newVersion: { image: string } }).newVersion.image).toBe('docker.io/istio/examples-bookinfo-reviews-v2:1.20.3');
  });

  it('writes the canary as Istio rules: subsets by version and a 50/50 split', () => {
    const dr = byKind('DestinationRule').find((o) => o.metadata.name === 'reviews')!;
    expect(dr.spec).toEqual({ host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] });
    const vs = byKind('VirtualService').find((o) => o.metadata.name === 'reviews')!;
    expect(vs.spec).toEqual({
      hosts: ['reviews'],
      http: [{ name: 'canary', route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 50 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 50 }] }],
    });
  });

  it("adds the ingress Gateway Istio's bookinfo-gateway.yaml has, for the app's entry", () => {
    expect(byKind('Gateway').map((g) => g.metadata.name)).toEqual(['bookinfo-gateway']);
    const vs = byKind('VirtualService').find((o) => o.metadata.name === 'bookinfo')!;
    expect(vs.spec).toMatchObject({ gateways: ['bookinfo-gateway'], http: [{ route: [{ destination: { host: 'productpage', port: { number: 9080 } } }] }] });
  });

  it('can give the CRDs alone, or everything but them', () => {
    const only = exportProject(liveCanaryProject(), { crdsOnly: true }).items;
    expect(only.map((o) => o.metadata.name)).toEqual(['applications.app.k8s.io', 'releases.graymesh.dev']);
    const rest = exportProject(liveCanaryProject(), { crds: false }).items;
    expect(rest.some((o) => o.kind === 'CustomResourceDefinition')).toBe(false);
  });

  it('warns about and leaves out a workload that runs a local command without an image', () => {
    const p = liveCanaryProject();
    const local = bookinfoDeployment(NS, 'tool', 'v1') as Deployment;
    local.spec!.template.spec.containers = [{ name: 'tool', command: ['node', 'tool.js'] }];
    p.objects.push(local);
    const out = exportProject(p);
    expect(out.items.some((o) => o.metadata.name === 'tool-v1')).toBe(false);
    expect(out.warnings.join()).toMatch(/tool-v1.*local command "node tool.js".*give it an image/);
  });
});

describe('releaseCrd', () => {
  it('is generated from the same field table as the validator', () => {
    const spec = (releaseCrd().spec as { versions: { schema: { openAPIV3Schema: JsonSchemaProps } }[] }).versions[0]!.schema.openAPIV3Schema.properties!.spec!;
    expect(spec.required).toEqual(['type', 'service', 'principal', 'newVersion']);
    expect(spec.properties!.type!.enum).toEqual(['canary', 'bluegreen', 'mirror']);
    expect(spec.properties!.routes!.properties!.weights).toEqual({ type: 'object', additionalProperties: { type: 'integer' } });
  });
});
