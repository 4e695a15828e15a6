import { describe, expect, it } from 'vitest';
import type { Deployment, KubeObject, Service } from '../api/types';
import { accessAddress, appComponents, appStatus, entryService, workloadStatus } from './app-model';

const LABELS = { 'app.kubernetes.io/name': 'bookinfo', 'app.kubernetes.io/version': 'v1' };
const APP: KubeObject = {
  apiVersion: 'app.k8s.io/v1beta1',
  kind: 'Application',
  metadata: { name: 'bookinfo', annotations: { 'graymesh.dev/entry': 'productpage' }, labels: LABELS },
  spec: { selector: { matchLabels: LABELS } },
};
const svc = (name: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { ...LABELS, app: name } }, spec: { ports: [{ port: 9080 }] } });
const dep = (app: string, version: string, ready: number, replicas = 1): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `${app}-${version}`, labels: { ...LABELS, app, version } },
  spec: { replicas, template: { spec: { containers: [{ name: app, image: `kubesphere/examples-bookinfo-${app}-${version}:1.13.0` }] } } },
  status: { readyReplicas: ready },
});

describe('app model', () => {
  it('groups the versions of each service, from the app selector', () => {
    const other: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'httpbin', labels: { app: 'httpbin' } } };
    const c = appComponents(APP, [svc('reviews'), svc('details'), other], [dep('reviews', 'v2', 0), dep('reviews', 'v1', 1), dep('details', 'v1', 1)]);
    expect(c.map((x) => x.service)).toEqual(['details', 'reviews']);
    expect(c[1]!.versions.map((v) => [v.version, v.ready, v.desired, v.status])).toEqual([
      ['v1', 1, 1, 'Running'],
      ['v2', 0, 1, 'Updating'],
    ]);
    expect(c[1]!.ports).toBe('9080/TCP');
    expect(appStatus(c)).toBe('Updating');
  });

  it('calls a workload scaled to zero stopped', () => {
    expect(workloadStatus(dep('x', 'v1', 0, 0))).toBe('Stopped');
    expect(appStatus([])).toBe('Empty');
  });

  it('builds the access address from the gateway port, as the tutorial records it', () => {
    expect(entryService(APP, [])).toBe('productpage');
    expect(accessAddress('http://127.0.0.1:32277', 'productpage', 'demo-project')).toEqual({
      host: 'productpage.demo-project.localhost',
      port: '32277',
      url: 'http://productpage.demo-project.localhost:32277/productpage',
    });
    expect(accessAddress(undefined, 'productpage', 'p')).toBeUndefined();
  });
});
