import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/objects.js';
import { portProtocol } from '../../src/config/protocol.js';
import { formatIssue, validateObject } from '../../src/config/validate/index.js';
import { isKnownImage } from '../../src/runtime/image-catalog.js';
import { SAMPLES as WIZARD_SAMPLES } from '../../console/src/lib/samples.js';
import { SAMPLE_NAMES, sampleManifests } from '../../src/config/samples/index.js';

const names = (objects: KubeObject[], kind: string): string[] => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);

describe('samples', () => {
  it('every sample passes validation as apply checks it, and runs only catalog images', () => {
    for (const sample of SAMPLE_NAMES) {
      for (const all of [false, true]) {
        const objects = sampleManifests(sample, 'demo', all)!;
        expect(objects.flatMap((o) => validateObject(o).errors.map(formatIssue)), sample).toEqual([]);
        const images = objects.flatMap((o) => (o.spec as { template?: { spec: { containers: { image: string }[] } } } | undefined)?.template?.spec.containers ?? []).map((c) => c.image);
        expect(images.length, sample).toBeGreaterThan(0);
        for (const image of images) expect(isKnownImage(image), image).toBe(true);
      }
    }
  });

  it('grpc-greeter: Service greeter on 50051 reached over HTTP/2, greeter-v1 (and greeter-v2 with all versions) on a TCP probe', () => {
    const objects = sampleManifests('grpc-greeter', 'demo', false)!;
    expect(names(objects, 'Service')).toEqual(['greeter']);
    expect(names(objects, 'Deployment')).toEqual(['greeter-v1']);
    expect(names(sampleManifests('grpc-greeter', 'demo', true)!, 'Deployment')).toEqual(['greeter-v1', 'greeter-v2']);
    const service = objects.find((o) => o.kind === 'Service')!;
    const [port] = (service.spec as { ports: { name: string; port: number; appProtocol: string }[] }).ports;
    expect(port).toMatchObject({ name: 'grpc', port: 50051, appProtocol: 'grpc' });
    expect(portProtocol(port!)).toBe('http2');
    const v1 = objects.find((o) => o.kind === 'Deployment')!;
    const template = (v1.spec as { template: { metadata: { labels: Record<string, string> }; spec: { containers: Record<string, unknown>[] } } }).template;
    expect(template.metadata.labels).toMatchObject({ app: 'greeter', version: 'v1' });
    expect(template.spec.containers[0]).toMatchObject({ image: 'graymesh/grpc-greeter:v1', readinessProbe: { tcpSocket: { port: 50051 } } });
  });

  it("the console's wizard offers every sample, with the images and ports its v1 Deployments run", () => {
    expect(WIZARD_SAMPLES.map((s) => s.name)).toEqual(SAMPLE_NAMES);
    for (const shown of WIZARD_SAMPLES) {
      const objects = sampleManifests(shown.name, 'demo', false)!;
      const containers = objects
        .filter((o) => o.kind === 'Deployment')
        .map((o) => (o.spec as { template: { spec: { containers: { name: string; image: string; ports: { containerPort: number }[] }[] } } }).template.spec.containers[0]!)
        .map((c) => ({ name: c.name, image: c.image, port: c.ports[0]?.containerPort }));
      const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
      expect(shown.components.map((c) => ({ name: c.name, image: c.image, port: c.port })).sort(byName), shown.name).toEqual(containers.sort(byName));
      expect(names(objects, 'Service'), shown.name).toContain(shown.entry.service);
    }
  });

  it('knows no sample by a name it does not have, nor by an Object property', () => {
    expect(sampleManifests('petstore', 'demo', false)).toBeUndefined();
    expect(sampleManifests('toString', 'demo', false)).toBeUndefined();
  });
});
