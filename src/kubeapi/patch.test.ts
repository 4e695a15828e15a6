import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';

const dep = {
  spec: {
    replicas: 1,
    template: { spec: { containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 80 }, { containerPort: 81 }] }, { name: 'b', image: 'b:1' }] } },
  },
};

describe('strategic merge patch', () => {
  it('merges containers by name and ports by containerPort', () => {
    const out = strategicMerge(dep, { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2', ports: [{ containerPort: 81, name: 'web' }] }] } } } }, 'Deployment') as typeof dep;
    const [a, b] = out.spec.template.spec.containers;
    expect(a).toEqual({ name: 'a', image: 'a:2', ports: [{ containerPort: 80 }, { containerPort: 81, name: 'web' }] });
    expect(b).toEqual({ name: 'b', image: 'b:1' });
  });

  it('deletes a keyed item with $patch: delete, and a field with null', () => {
    const out = strategicMerge(dep, { spec: { replicas: null, template: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } } } }, 'Deployment') as typeof dep;
    expect(out.spec.replicas).toBeUndefined();
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['a']);
  });

  it('orders by $setElementOrder and replaces lists without a merge key', () => {
    const out = strategicMerge({ spec: { containers: [{ name: 'a' }, { name: 'b' }], args: ['x'] } }, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'i' }], args: ['y'] } }, 'Pod') as { spec: { containers: { name: string }[]; args: string[] } };
    expect(out.spec.containers.map((c) => c.name)).toEqual(['b', 'a']);
    expect(out.spec.args).toEqual(['y']);
  });
});

describe('JSON merge patch and JSON patch', () => {
  it('replaces lists whole in a merge patch', () => {
    expect(mergePatch({ a: [1, 2], b: { c: 1, d: 2 } }, { a: [3], b: { d: null } })).toEqual({ a: [3], b: { c: 1 } });
  });

  it('applies add, replace, remove, move, copy and test', () => {
    const out = jsonPatch({ a: { b: [1, 2] }, c: 1 }, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/c', value: 2 },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/a/b/0' },
      { op: 'test', path: '/e', value: 2 },
    ]);
    expect(out).toEqual({ a: { b: [2, 3] }, c: 2, e: 2 });
  });

  it('refuses a failed test and a missing path by name', () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow('json patch: test /a failed');
    expect(() => jsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow('json patch: remove /b: no such field');
  });
});

describe('JSON patch and the prototype', () => {
  it('treats __proto__ as an ordinary key: no write, remove or read reaches Object.prototype', () => {
    try {
      expect(() => jsonPatch({ metadata: {} }, [{ op: 'add', path: '/metadata/__proto__/polluted', value: 'yes' }])).toThrow(/does not exist/);
      expect(() => jsonPatch({ metadata: {} }, [{ op: 'remove', path: '/metadata/__proto__/hasOwnProperty' }])).toThrow(/does not exist/);
      expect(() => jsonPatch({ metadata: {} }, [{ op: 'copy', from: '/metadata/__proto__', path: '/metadata/x' }])).toThrow(/does not exist/);
      expect(() => jsonPatch({ metadata: {} }, [{ op: 'remove', path: '/metadata/toString' }])).toThrow(/no such field/);
      const out = jsonPatch({ data: {} }, [{ op: 'add', path: '/data/__proto__', value: 'v' }]) as { data: Record<string, unknown> };
      expect(Object.getPrototypeOf(out.data)).toBe(Object.prototype);
      expect(JSON.stringify(out)).toBe('{"data":{"__proto__":"v"}}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(typeof Object.prototype.hasOwnProperty).toBe('function');
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });
});

describe('merge patches and the prototype', () => {
  it('writes a __proto__ key as an ordinary field, never as the object prototype', () => {
    const patch = JSON.parse('{"spec":{"__proto__":{"replicas":9}}}') as unknown;
    for (const out of [mergePatch({ spec: {} }, patch), strategicMerge({ spec: {} }, patch, 'Deployment')] as { spec: Record<string, unknown> }[]) {
      expect(Object.getPrototypeOf(out.spec)).toBe(Object.prototype);
      expect(out.spec.replicas).toBeUndefined();
      expect(JSON.stringify(out)).toBe('{"spec":{"__proto__":{"replicas":9}}}');
    }
  });
});
