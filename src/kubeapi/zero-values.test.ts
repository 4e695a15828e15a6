import { describe, expect, it } from 'vitest';
import { withoutZeroValues } from './zero-values.js';

describe('withoutZeroValues', () => {
  it("drops a Go client's nulls and a container's empty resources, and keeps empty objects that mean something", () => {
    const written = {
      metadata: { creationTimestamp: null, labels: { app: 'reviews' } },
      spec: { containers: [{ name: 'reviews', resources: {}, ports: [{ containerPort: 9080 }] }], volumes: [{ name: 'tmp', emptyDir: {} }] },
    };
    expect(withoutZeroValues(written)).toEqual({
      metadata: { labels: { app: 'reviews' } },
      spec: { containers: [{ name: 'reviews', ports: [{ containerPort: 9080 }] }], volumes: [{ name: 'tmp', emptyDir: {} }] },
    });
    expect(withoutZeroValues({ spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1' } } }] } })).toEqual({ spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1' } } }] } });
  });
});
