/** `graymesh graph`, `traces` and `trace`: topology and distributed traces through the REST API. */
import type { Command } from 'commander';
import { invalid } from '../../api/errors.js';
import { formatMs, parseDuration } from '../../telemetry/query/duration.js';
import type { Graph } from '../../telemetry/query/graph.js';
import type { TraceSummary, TraceView } from '../../telemetry/query/trace-views.js';
import type { ApiClient } from '../client.js';
import type { LoadFlags } from './load.js';
import { parseFormat, printData, printTable } from '../output.js';

const enc = encodeURIComponent;

function jsonOrYaml(o: string | undefined): 'table' | 'json' | 'yaml' {
  const f = parseFormat(o);
  return f === 'wide' ? 'table' : f;
}

const pct = (v: number | null): string => (v === null ? '-' : `${Number(v.toFixed(2))}%`);
const rps = (v: number): string => (v === 0 ? '0' : v < 0.01 ? '<0.01' : v.toFixed(2));

export async function graphCmd(client: ApiClient, project: string, window: string, output: string | undefined): Promise<number> {
  parseDuration(window, '--window');
  const format = jsonOrYaml(output);
  const g = await client.get<Graph>(`/api/v1/projects/${enc(project)}/graph?window=${enc(window)}`);
  if (format !== 'table') {
    printData(g, format);
    return 0;
  }
  printTable(
    ['NODE', 'KIND', 'APP', 'VERSION', 'RPS', 'SUCCESS', 'P50', 'P95', 'P99', 'HEALTH'],
    g.nodes.map((n) => [n.id, n.kind, n.app, n.version || '-', rps(n.rps), pct(n.successRate), formatMs(n.p50), formatMs(n.p95), formatMs(n.p99), n.health]),
  );
  process.stdout.write('\n');
  printTable(
    ['FROM', 'TO', 'RPS', 'SHARE', 'SUCCESS', 'P50', 'P95', 'P99', 'HEALTH'],
    g.edges.map((e) => [e.source, e.target, rps(e.rps), pct(e.share), pct(e.successRate), formatMs(e.p50), formatMs(e.p95), formatMs(e.p99), e.health]),
  );
  return 0;
}

export interface TracesFlags {
  service?: string;
  operation?: string;
  tag: string[];
  minDuration?: string;
  maxDuration?: string;
  lookback?: string;
  limit: number;
  output?: string;
}

export async function tracesCmd(client: ApiClient, project: string, f: TracesFlags): Promise<number> {
  const format = jsonOrYaml(f.output);
  const q = new URLSearchParams();
  if (f.service) q.set('service', f.service);
  if (f.operation) q.set('operation', f.operation);
  for (const t of f.tag) {
    if (t.indexOf('=') <= 0) throw invalid(`--tag ${t}: write KEY=VALUE, e.g. --tag error=true or --tag http.status_code=503`);
    q.append('tag', t);
  }
  if (f.minDuration) q.set('minDuration', String(parseDuration(f.minDuration, '--min-duration')));
  if (f.maxDuration) q.set('maxDuration', String(parseDuration(f.maxDuration, '--max-duration')));
  if (f.lookback) q.set('lookback', `${parseDuration(f.lookback, '--lookback')}ms`);
  q.set('limit', String(f.limit));
  const r = await client.get<{ items: TraceSummary[] }>(`/api/v1/projects/${enc(project)}/traces?${q.toString()}`);
  if (format !== 'table') {
    printData(r, format);
    return 0;
  }
  printTable(
    ['TRACE ID', 'ROOT', 'START', 'DURATION', 'SPANS', 'ERRORS', 'SERVICES'],
    r.items.map((t) => [
      t.traceId,
      `${t.rootService}: ${t.rootOperation}`,
      new Date(t.start).toISOString().replace('T', ' ').replace('Z', ''),
      formatMs(t.durationMs),
      String(t.spanCount),
      String(t.errorCount),
      Object.entries(t.services)
        .map(([s, n]) => `${s}(${n})`)
        .join(' '),
    ]),
  );
  return 0;
}

/** Spans in tree order (parents before children, siblings by start), with their depth. */
export function treeOrder(spans: TraceView['spans']): { span: TraceView['spans'][number]; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, TraceView['spans']>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  const out: { span: TraceView['spans'][number]; depth: number }[] = [];
  const walk = (parent: string, depth: number): void => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.start - b.start)) {
      out.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

export async function traceCmd(client: ApiClient, id: string, output: string | undefined): Promise<number> {
  if (!/^[0-9a-fA-F]{1,32}$/.test(id)) throw invalid(`trace ${id}: a trace id is up to 32 hex digits`);
  const format = jsonOrYaml(output);
  const t = await client.get<TraceView>(`/api/v1/traces/${enc(id)}`);
  if (format !== 'table') {
    printData(t, format);
    return 0;
  }
  const t0 = Math.min(...t.spans.map((s) => s.start));
  printTable(
    ['SPAN', 'SERVICE', 'OPERATION', 'KIND', 'OFFSET', 'DURATION', 'STATUS', 'POD'],
    treeOrder(t.spans).map(({ span: s, depth }) => [
      `${'  '.repeat(depth)}${s.spanId}`,
      s.service,
      s.operation,
      s.kind,
      `+${formatMs(s.start - t0)}`,
      formatMs(s.durationMs),
      `${s.tags['http.status_code'] ?? ''}${s.tags.error === true || s.tags.error === 'true' ? ' error' : ''}`.trim() || '-',
      s.process.pod || '-',
    ]),
  );
  return 0;
}

export function registerTelemetryCommands(
  program: Command,
  client: () => ApiClient,
  done: (p: Promise<number>) => Promise<void>,
  project: (p: string | undefined, what: string) => string,
): void {
  program
    .command('graph')
    .description("a project's topology: gateway, services and app versions with rate, success, latency and health")
    .option('-p, --project <project>', 'project')
    .option('--window <duration>', 'traffic window, up to 1h', '60s')
    .option('-o, --output <format>', 'json or yaml')
    .action((o: { project?: string; window: string; output?: string }) => done(graphCmd(client(), project(o.project, 'graph'), o.window, o.output)));

  program
    .command('traces')
    .description("search a project's traces, most recent first")
    .option('-p, --project <project>', 'project')
    .option('--service <service>', 'a span of this service')
    .option('--operation <operation>', 'a span of this operation')
    .option('--tag <key=value>', 'a span with this tag (repeatable): error=true, http.status_code=503', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--min-duration <duration>', 'a span at least this long, e.g. 100ms')
    .option('--max-duration <duration>', 'a span at most this long')
    .option('--lookback <duration>', 'only traces from this far back, e.g. 1h')
    .option('--limit <n>', 'most traces shown', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1500) throw invalid(`--limit ${v}: must be an integer from 1 to 1500`);
      return n;
    }, 20)
    .option('-o, --output <format>', 'json or yaml')
    .action((o: TracesFlags & { project?: string }) => done(tracesCmd(client(), project(o.project, 'traces'), o)));

  program
    .command('trace')
    .description('one trace: every span, its parent, timing and the pod that served it')
    .argument('<id>', 'trace id')
    .option('-o, --output <format>', 'json or yaml')
    .action((id: string, o: { output?: string }) => done(traceCmd(client(), id, o.output)));
}

export function registerLoadCommand(program: Command, done: (p: Promise<number>) => Promise<void>): void {
  program
    .command('load')
    .description('send requests at a steady rate (open loop) and summarize status codes and latency')
    .argument('<url>', 'e.g. http://127.0.0.1:8080/productpage')
    .option('--rps <rate>', 'requests per second', '2')
    .option('--duration <duration>', 'how long, e.g. 60s, 5m', '60s')
    .option('--concurrency <n>', 'most requests in flight (default: max(8, rps))')
    .option('--header <name:value>', 'a request header (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--host <host>', 'the Host header, e.g. productpage.demo-project.localhost')
    .option('-o, --output <format>', 'json or yaml summary')
    .action(async (url: string, o: LoadFlags) => {
      const { loadCmd } = await import('./load.js');
      return done(loadCmd(url, o));
    });
}
