/**
 * The telemetry routes of the Kubernetes engine's control plane, with the local engine's paths,
 * query parameters and bodies (src/controlplane/routes/telemetry.ts): the graph and chart series
 * from the cluster's Prometheus through the same PrometheusSource and graph builder, and trace
 * search and view from its Jaeger through the TraceSource. Without the URL a route answers 503
 * naming the flag to pass.
 */
import type { FastifyInstance } from 'fastify';
import { notFound, unavailable } from '../api/errors.js';
import type { Deployment, Service } from '../api/objects.js';
import type { ProjectInventory } from '../telemetry/query/graph.js';
import { parseDuration } from '../telemetry/query/duration.js';
import { projectGraph, projectSeries } from '../telemetry/query/project-queries.js';
import type { MetricsSource } from '../telemetry/query/metrics.js';
import type { TraceSummary } from '../telemetry/query/trace-views.js';
import { durations, limitOf, many, normalizeTraceId, one, rangeOf, tagsOf, type Query } from '../telemetry/query/params.js';
import type { KubeClient } from './client.js';
import type { ClusterTelemetry, TraceSearch, TraceSource } from './telemetry.js';

/** What the routes need of the control plane. */
export interface ClusterTelemetryHost {
  telemetry: ClusterTelemetry;
  client: KubeClient;
}

const FLAG_HINT = 'restart with `graymesh up --engine kubernetes';

function metricsOf(t: ClusterTelemetry): MetricsSource {
  if (!t.metrics) throw unavailable(`no Prometheus configured for graph and metrics; ${FLAG_HINT} --prometheus URL\` (the cluster's Prometheus)`);
  return t.metrics;
}

function tracesOf(t: ClusterTelemetry): TraceSource {
  if (!t.traces) throw unavailable(`no Jaeger configured for traces; ${FLAG_HINT} --jaeger URL\` (the cluster's jaeger-query)`);
  return t.traces;
}

/** The project's Deployments (by app and version label) and Services, for the graph's idle nodes. */
async function inventory(client: KubeClient, project: string): Promise<ProjectInventory> {
  const [deps, svcs] = await Promise.all([client.list<Deployment>('Deployment', project), client.list<Service>('Service', project)]);
  return {
    name: project,
    workloads: deps.items.map((d) => {
      const labels = d.spec?.template.metadata?.labels ?? d.metadata.labels ?? {};
      return { name: d.metadata.name, app: labels.app ?? d.metadata.name, version: labels.version ?? '' };
    }),
    services: svcs.items.map((s) => s.metadata.name),
  };
}

/**
 * Searches a project's traces. Jaeger searches one service at a time, named as Istio names it
 * (`reviews.demo-project`); without --service every service of the project is searched and the
 * most recent traces kept.
 */
async function searchProject(traces: TraceSource, project: string, q: Omit<TraceSearch, 'service'>, service: string | undefined): Promise<TraceSummary[]> {
  const suffix = `.${project}`;
  const services = service ? [service.includes('.') ? service : `${service}${suffix}`] : (await traces.services()).filter((s) => s.endsWith(suffix));
  const found = await Promise.all(services.map((s) => traces.search({ ...q, service: s })));
  const byId = new Map<string, TraceSummary>();
  for (const t of found.flat()) byId.set(t.traceId, t);
  return [...byId.values()].sort((a, b) => b.start - a.start).slice(0, q.limit);
}

export function registerClusterTelemetryRoutes(app: FastifyInstance, host: ClusterTelemetryHost): void {
  const { telemetry, client } = host;
  const mustProject = async (p: string): Promise<void> => {
    if (!(await client.get('Namespace', undefined, p))) throw notFound(`project ${p} not found`);
  };

  app.get('/api/v1/projects/:project/graph', async (req) => {
    const source = metricsOf(telemetry);
    const { project } = req.params as { project: string };
    await mustProject(project);
    const windowMs = parseDuration(one(req.query as Query, 'window') ?? '60s', 'window');
    return projectGraph(source, await inventory(client, project), windowMs);
  });

  app.get('/api/v1/projects/:project/metrics', async (req) => {
    const source = metricsOf(telemetry);
    const { project } = req.params as { project: string };
    await mustProject(project);
    const q = req.query as Query;
    const workload = one(q, 'workload');
    const service = one(q, 'service');
    const version = one(q, 'version');
    const points = await projectSeries(
      source,
      project,
      { ...(workload ? { workload } : {}), ...(service ? { service } : {}), ...(version ? { version } : {}) },
      parseDuration(one(q, 'window') ?? '600s', 'window'),
      parseDuration(one(q, 'step') ?? '10s', 'step'),
    );
    return { points };
  });

  app.get('/api/v1/projects/:project/traces', async (req) => {
    const traces = tracesOf(telemetry);
    const { project } = req.params as { project: string };
    await mustProject(project);
    const q = req.query as Query;
    const operation = one(q, 'operation');
    const tags = tagsOf(many(q, 'tag'), '=');
    const d = durations(q);
    const r = rangeOf(q);
    const search: Omit<TraceSearch, 'service'> = {
      ...(operation ? { operation } : {}),
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
      ...(d.minDurationUs !== undefined ? { minDurationMs: d.minDurationUs / 1000 } : {}),
      ...(d.maxDurationUs !== undefined ? { maxDurationMs: d.maxDurationUs / 1000 } : {}),
      ...(r.startUs !== undefined ? { startMs: r.startUs / 1000 } : {}),
      ...(r.endUs !== undefined ? { endMs: r.endUs / 1000 } : {}),
      limit: limitOf(q, 20),
    };
    return { items: await searchProject(traces, project, search, one(q, 'service')) };
  });

  app.get('/api/v1/traces/:id', async (req) => {
    const traces = tracesOf(telemetry);
    const given = (req.params as { id: string }).id;
    normalizeTraceId(given);
    const view = await traces.trace(given.toLowerCase());
    if (!view) throw notFound(`trace ${given} not found in Jaeger (never received, or past its retention)`);
    return view;
  });
}
