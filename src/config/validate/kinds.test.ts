import { describe, expect, it } from 'vitest';
import { KIND_DEFS, kindInfo } from './index.js';

describe('kindInfo', () => {
  it.each([
    ['v1', 'Namespace', { kind: 'Namespace', apiVersion: 'v1', namespaced: false, plural: 'namespaces', short: ['ns'] }],
    ['apps/v1', 'Deployment', { kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true, plural: 'deployments', short: ['deploy'] }],
    ['v1', 'Service', { kind: 'Service', apiVersion: 'v1', namespaced: true, plural: 'services', short: ['svc'] }],
    ['v1', 'ServiceAccount', { kind: 'ServiceAccount', apiVersion: 'v1', namespaced: true, plural: 'serviceaccounts', short: ['sa'] }],
    ['app.k8s.io/v1beta1', 'Application', { kind: 'Application', apiVersion: 'app.k8s.io/v1beta1', namespaced: true, plural: 'applications', short: ['app'] }],
    ['networking.istio.io/v1alpha3', 'VirtualService', { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1', namespaced: true, plural: 'virtualservices', short: ['vs'] }],
    ['networking.istio.io/v1beta1', 'DestinationRule', { kind: 'DestinationRule', apiVersion: 'networking.istio.io/v1', namespaced: true, plural: 'destinationrules', short: ['dr'] }],
    ['networking.istio.io/v1', 'Gateway', { kind: 'Gateway', apiVersion: 'networking.istio.io/v1', namespaced: true, plural: 'gateways', short: ['gw'] }],
    ['networking.istio.io/v1', 'ServiceEntry', { kind: 'ServiceEntry', apiVersion: 'networking.istio.io/v1', namespaced: true, plural: 'serviceentries', short: ['se'] }],
  ])('%s %s', (apiVersion, kind, info) => {
    expect(kindInfo(apiVersion, kind)).toEqual(info);
  });

  it.each([['v1', 'Pod'], ['apps/v1beta1', 'Deployment'], ['networking.istio.io/v1', 'Sidecar'], ['v1', 'virtualservice']])(
    'knows nothing of %s %s', (apiVersion, kind) => {
      expect(kindInfo(apiVersion, kind)).toBeUndefined();
    },
  );

  it('lists each kind once', () => {
    const kinds = KIND_DEFS.map((d) => d.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});
