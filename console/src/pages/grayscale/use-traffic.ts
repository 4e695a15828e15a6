/** Live traffic per workload, read from the traffic graph (empty while the graph route is not there). */
import { useMemo } from 'react';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Graph } from '../../api/types';
import type { WorkloadTraffic } from '../../lib/release-math';

export function useWorkloadTraffic(project: string, window = '60s', refreshMs = 5000): ReadonlyMap<string, WorkloadTraffic> {
  const graph = useApi<Graph>(paths.graph(project, window), { refreshMs });
  return useMemo(() => {
    const m = new Map<string, WorkloadTraffic>();
    for (const n of graph.data?.nodes ?? []) {
      if (n.kind !== 'workload' || !n.workload) continue;
      m.set(n.workload, {
        rps: n.rps,
        ...(n.successRate !== undefined ? { successRate: n.successRate } : {}),
        ...(n.p95 !== undefined ? { p95: n.p95 } : {}),
      });
    }
    return m;
  }, [graph.data]);
}
