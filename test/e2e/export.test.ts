/**
 * `graymesh export` of Bookinfo with a live canary, through the CLI of a running local
 * instance: the YAML stream parses, every manifest validates against the Kubernetes and Istio
 * schemas, and it reads as hand-written Istio YAML (the 50/50 split, Istio's images, no
 * graymesh-internal metadata). The same project exported as JSON is one v1 List.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/api/objects.js';
import { Instance } from '../helpers/instance.js';
import { crdProblems, graymeshProblems, upstreamProblems } from '../kubernetes/schemas.js';

describe('graymesh export', () => {
  const gm = new Instance();

  beforeAll(async () => {
    const r = await gm.up();
    expect(r.code, r.stderr).toBe(0);
    const d = await gm.cliAsync(['deploy', 'bookinfo', '-p', 'demo-project']);
    expect(d.code, d.stderr).toBe(0);
    const c = await gm.cliAsync([
      'release', 'create', 'canary', 'canary', '-p', 'demo-project',
      '--service', 'reviews', '--version', 'v2', '--image', 'kubesphere/examples-bookinfo-reviews-v2:1.13.0', '--weights', 'v1=50,v2=50',
    ]);
    expect(c.code, c.stderr).toBe(0);
  }, 180_000);

  afterAll(() => gm.cleanup());

  it('prints YAML that validates and reads as hand-written Istio manifests', () => {
    const r = gm.cli(['export', '-p', 'demo-project']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n')).toBe(true);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJSON() as KubeObject);
    expect(docs.map((d) => d.kind)).toEqual([
      'CustomResourceDefinition', 'CustomResourceDefinition', 'Namespace', 'Application',
      'ServiceAccount', 'ServiceAccount', 'ServiceAccount', 'ServiceAccount',
      'Service', 'Service', 'Service', 'Service',
      'Deployment', 'Deployment', 'Deployment', 'Deployment', 'Deployment',
      'DestinationRule', 'VirtualService', 'VirtualService', 'Gateway', 'Release',
    ]);
    const problems = docs.flatMap((o) => [...graymeshProblems(o), ...upstreamProblems(o)]);
    expect(problems).toEqual([]);
    const crd = docs.find((d) => d.metadata.name === 'releases.graymesh.dev') as KubeObject;
    expect(crdProblems(crd, docs.find((d) => d.kind === 'Release') as KubeObject)).toEqual([]);

    // What an Istio user writes for a 50/50 canary of reviews.
    expect(r.stdout).toContain(
      [
        'spec:',
        '  hosts:',
        '    - reviews',
        '  http:',
        '    - name: canary',
        '      route:',
        '        - destination:',
        '            host: reviews',
        '            subset: v1',
        '          weight: 50',
        '        - destination:',
        '            host: reviews',
        '            subset: v2',
        '          weight: 50',
      ].join('\n'),
    );
    expect(r.stdout).toContain('image: docker.io/istio/examples-bookinfo-reviews-v2:1.20.3');
    expect(r.stdout).toContain('istio-injection: enabled');
    for (const word of ['uid:', 'resourceVersion', 'creationTimestamp', 'generation:', 'ownerReferences', 'pod-template-hash', 'graymesh.dev/workload', 'graymesh.dev/stage', 'status:', 'kind: Pod']) {
      expect(r.stdout.replace(/^kind: CustomResourceDefinition[\s\S]*?(?=^---)/gm, ''), word).not.toContain(word);
    }
  });

  it('prints the same as one JSON v1 List with -o json', () => {
    const list = gm.json<{ apiVersion: string; kind: string; items: KubeObject[] }>(['export', '-p', 'demo-project']);
    expect([list.apiVersion, list.kind]).toEqual(['v1', 'List']);
    expect(list.items.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2']);
  });

  it('names the project it cannot find', () => {
    const r = gm.cli(['export', '-p', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/project nowhere not found/);
  });
});
