import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/objects.js';
import { humanDuration, tableOf } from './table.js';

describe('tables', () => {
  const now = Date.parse('2025-01-01T01:00:00Z');
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'reviews-v1-x', creationTimestamp: '2025-01-01T00:55:00Z' },
    spec: { containers: [{ name: 'reviews' }] },
    status: { phase: 'Running', podIP: '127.0.0.1', containerStatuses: [{ ready: true, restartCount: 2 }] },
  };

  it('prints pods as a cluster does, the wide columns at priority 1', () => {
    const t = tableOf('Pod', [pod], {}, now);
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    expect(t.rows[0]?.cells.slice(0, 6)).toEqual(['reviews-v1-x', '1/1', 'Running', 2, '5m', '127.0.0.1']);
  });

  it('prints deployments with Ready, Up-to-date and Available', () => {
    const d: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'r', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { replicas: 3 }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    expect(tableOf('Deployment', [d], {}, now).rows[0]?.cells.slice(0, 5)).toEqual(['r', '2/3', 3, 2, '60m']);
  });

  it('prints replicasets with Desired, Current and Ready', () => {
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r-abc12', creationTimestamp: '2025-01-01T00:59:00Z' }, spec: { replicas: 0 }, status: { replicas: 1, readyReplicas: 1 } };
    const t = tableOf('ReplicaSet', [rs], {}, now);
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age']);
    expect(t.rows[0]?.cells.slice(0, 5)).toEqual(['r-abc12', 0, 1, 1, '60s']);
  });

  it('writes ages as kubectl does', () => {
    expect(humanDuration(45_000)).toBe('45s');
    expect(humanDuration(200_000)).toBe('3m20s');
    expect(humanDuration(5 * 3600_000 + 120_000)).toBe('5h2m');
    expect(humanDuration(3 * 86400_000 + 4 * 3600_000)).toBe('3d4h');
  });
});
