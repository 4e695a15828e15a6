import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/objects.js';
import { analyze, formatIssue, qualifyHost } from './index.js';

const obj = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1', kind, metadata: namespace === undefined ? { name } : { name, namespace }, spec,
});

const reviewsRule = (host = 'reviews', namespace?: string): KubeObject =>
  obj('DestinationRule', 'reviews', { host, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] }, namespace);

const routeTo = (host: string, subsets: string[], namespace?: string, gateways?: string[]): KubeObject =>
  obj('VirtualService', 'reviews', {
    hosts: [host],
    ...(gateways ? { gateways } : {}),
    http: [{ route: subsets.map((subset, i) => ({ destination: { host, subset }, weight: i === 0 ? 100 - 10 * (subsets.length - 1) : 10 })) }],
  }, namespace);

const run = (objects: KubeObject[]): string[] => analyze(objects).map(formatIssue);

describe('qualifyHost', () => {
  it.each(['reviews', 'reviews.demo', 'reviews.demo.svc', 'reviews.demo.svc.cluster.local'])('%s in demo is one host', (h) => {
    expect(qualifyHost(h, 'demo')).toBe('reviews.demo.svc.cluster.local');
  });
  it('leaves external and wildcard hosts alone', () => {
    expect(qualifyHost('www.googleapis.com', 'demo')).toBe('www.googleapis.com');
    expect(qualifyHost('*.demo.svc.cluster.local', 'x')).toBe('*.demo.svc.cluster.local');
  });
});

describe('analyze: subsets a VirtualService routes to', () => {
  it('finds every subset defined', () => {
    expect(run([reviewsRule(), routeTo('reviews', ['v1', 'v2'])])).toEqual([]);
  });

  it('warns about a subset no DestinationRule defines, naming the rule to add it to', () => {
    expect(run([reviewsRule(), routeTo('reviews', ['v1', 'v3'])])).toEqual([
      'VirtualService reviews: spec.http[0].route[1].destination.subset: subset "v3" of host reviews is not defined by any DestinationRule; add it to the subsets of DestinationRule reviews',
    ]);
  });

  it('warns when no DestinationRule exists for the host', () => {
    expect(run([routeTo('reviews', ['v1'])])).toEqual([
      'VirtualService reviews: spec.http[0].route[0].destination.subset: subset "v1" of host reviews is not defined by any DestinationRule; apply a DestinationRule for host reviews that defines it',
    ]);
  });

  it.each(['reviews', 'reviews.demo', 'reviews.demo.svc.cluster.local'])('resolves DestinationRule host %s in the VirtualService namespace', (h) => {
    expect(run([reviewsRule(h, 'demo'), routeTo('reviews', ['v1'], 'demo')])).toEqual([]);
  });

  it('does not take a DestinationRule for the same short name in another namespace', () => {
    expect(run([reviewsRule('reviews', 'other'), routeTo('reviews', ['v1'], 'demo')])).toHaveLength(1);
  });

  it('checks mirror destinations too', () => {
    const vs = obj('VirtualService', 'reviews', {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }], mirror: { host: 'reviews', subset: 'v9' } }],
    });
    expect(run([reviewsRule(), vs])).toEqual([
      'VirtualService reviews: spec.http[0].mirror.subset: subset "v9" of host reviews is not defined by any DestinationRule; add it to the subsets of DestinationRule reviews',
    ]);
  });
});

describe('analyze: gateways a VirtualService binds to', () => {
  const gw = (name: string, namespace?: string): KubeObject =>
    obj('Gateway', name, { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] }, namespace);

  it.each([['bookinfo-gateway'], ['demo/bookinfo-gateway'], ['mesh']])('finds %s', (ref) => {
    expect(run([reviewsRule(undefined, 'demo'), gw('bookinfo-gateway', 'demo'), routeTo('reviews', ['v1'], 'demo', [ref])])).toEqual([]);
  });

  it('warns about a Gateway that does not exist', () => {
    expect(run([reviewsRule(), routeTo('reviews', ['v1'], undefined, ['bookinfo-gw'])])).toEqual([
      'VirtualService reviews: spec.gateways[0]: gateway "bookinfo-gw" does not exist (no Gateway bookinfo-gw in namespace default); apply it, or fix the name',
    ]);
  });

  it('looks in the namespace a reference names', () => {
    expect(run([reviewsRule(undefined, 'demo'), gw('bookinfo-gateway', 'demo'), routeTo('reviews', ['v1'], 'demo', ['istio-system/bookinfo-gateway'])])).toEqual([
      'VirtualService reviews: spec.gateways[0]: gateway "istio-system/bookinfo-gateway" does not exist (no Gateway bookinfo-gateway in namespace istio-system); apply it, or fix the name',
    ]);
  });

  it('checks the gateways of http matches too', () => {
    const vs = obj('VirtualService', 'reviews', {
      hosts: ['reviews'], gateways: ['mesh'],
      http: [{ match: [{ gateways: ['edge'] }], route: [{ destination: { host: 'reviews' } }] }],
    });
    expect(run([vs])).toEqual([
      'VirtualService reviews: spec.http[0].match[0].gateways[0]: gateway "edge" does not exist (no Gateway edge in namespace default); apply it, or fix the name',
    ]);
  });
});
