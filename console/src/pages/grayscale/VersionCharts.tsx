/** Monitor charts comparing the versions of a release over time: traffic, success rate and latency. */
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { MetricSeries, ReleaseSpec } from '../../api/types';
import { chartThresholds } from '../../lib/analysis';
import { LineChart } from '../../components/LineChart';
import { Empty } from '../../components/States';
import { formatMs, formatPercent, formatRps } from '../../lib/format';
import { toEpochMs } from '../../lib/waterfall';

const COLORS = ['#329dce', '#55bc8a', '#f5a623', '#ab2f9a'];

interface Props {
  project: string;
  versions: { version: string; workload: string }[];
  window: string;
  /** An automatic release's spec: its thresholds are drawn, and latency is its p99. */
  spec?: ReleaseSpec;
}

function useSeries(project: string, workload: string | undefined, window: string) {
  return useApi<MetricSeries>(workload ? paths.metrics(project, { workload, window, step: window === '60s' ? '5s' : '10s' }) : null, { refreshMs: 10_000 });
}

export function VersionCharts({ project, versions, window, spec }: Props) {
  const limits = chartThresholds(spec);
  const p99 = spec?.analysis !== undefined;
  // A release has two versions; hooks are called a fixed number of times.
  const a = useSeries(project, versions[0]?.workload, window);
  const b = useSeries(project, versions[1]?.workload, window);
  if (a.missing || b.missing) return <Empty title="Metrics are not available on this control plane yet" />;
  const series = [a.data?.points ?? [], b.data?.points ?? []];
  const times = (series[0]!.length >= series[1]!.length ? series[0]! : series[1]!).map((p) => toEpochMs(p.t));
  const pick = (i: number, f: (p: MetricSeries['points'][number]) => number | null) => {
    const byTime = new Map((series[i] ?? []).map((p) => [toEpochMs(p.t), f(p)]));
    return times.map((t) => byTime.get(t) ?? null);
  };
  const mk = (f: (p: MetricSeries['points'][number]) => number | null) =>
    versions.slice(0, 2).map((v, i) => ({ name: v.version, color: COLORS[i]!, values: pick(i, f) }));
  return (
    <div className="chart-grid-3" data-testid="release-charts">
      <LineChart title="Traffic" times={times} series={mk((p) => p.rps)} format={formatRps} />
      <LineChart title="Success rate" times={times} series={mk((p) => p.successRate)} format={formatPercent} max={100} {...(limits.successRate !== undefined ? { threshold: limits.successRate } : {})} />
      <LineChart
        title={p99 ? 'Latency (p99)' : 'Latency (p95)'}
        times={times}
        series={mk((p) => (p99 ? p.p99 : p.p95))}
        format={formatMs}
        {...(limits.p99 !== undefined ? { threshold: limits.p99 } : {})}
      />
    </div>
  );
}
