import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/objects.js';
import { page } from './objects.js';

const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'demo' } }) as KubeObject;

describe('list pages', () => {
  it('reads a limit of 0 or less as no limit, as a cluster does', () => {
    for (const limit of [-1, -5, 0]) expect(page([cm('a'), cm('b')], [], [], limit, undefined).items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });
});
