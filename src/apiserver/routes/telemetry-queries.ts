/**
 * Telemetry routes over sources an engine reads (the Kubernetes engine's), with the local engine's paths,
 * query parameters and bodies (src/controlplane/routes/telemetry.ts): the graph and chart series
 * from the cluster's Prometheus through the same PrometheusSource and graph builder, and trace
 * search and view from its Jaeger through the TraceSource. Without the URL a route answers 503
 * naming the flag to pass.
 */
import type { FastifyInstance } from 'fastify';
import { notFound, unavailable } from '../../api/errors.js';
import type { Deployment, Service } from '../../api/objects.js';
import type { ProjectInventory } from '../../telemetry/query/graph.js';
import { parseDuration } from '../../telemetry/query/duration.js';
import { projectGraph, projectSeries } from '../../telemetry/query/project-queries.js';
import type { MetricsSource } from '../../telemetry/query/metrics.js';
import type { TraceSummary } from '../../telemetry/query/trace-views.js';
import { durations, limitOf, many, normalizeTraceId, one, rangeOf, tagsOf, type Query } from '../../telemetry/query/params.js';
import type { ClusterTelemetry, TraceSearch, TraceSource } from '../../telemetry/query/trace-source.js';
import type { ObjectStore } from '../../engine/store.js';
import type { OpenApi } from '../openapi.js';
import type { ProjectDirectory } from '../projects.js';
import { mustProject } from './objects.js';

/** What the routes need of the engine. */
export interface TelemetryQueryDeps {
  telemetry: ClusterTelemetry;
  store: ObjectStore;
  projects: ProjectDirectory;
}

const TRACE_QUERY = ['service', 'operation', 'tag', 'minDuration', 'maxDuration', 'start', 'end', 'lookback', 'limit'];

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
async function inventory(store: ObjectStore, project: string): Promise<ProjectInventory> {
  const [deps, svcs] = await Promise.all([store.list<Deployment>('Deployment', { namespace: project }), store.list<Service>('Service', { namespace: project })]);
  return {
    name: project,
    workloads: deps.map((d) => {
      const labels = d.spec?.template.metadata?.labels ?? d.metadata.labels ?? {};
      return { name: d.metadata.name, app: labels.app ?? d.metadata.name, version: labels.version ?? '' };
    }),
    services: svcs.map((s) => s.metadata.name),
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

export function registerTelemetryQueryRoutes(app: FastifyInstance, api: OpenApi, deps: TelemetryQueryDeps): void {
  const { telemetry, store } = deps;
  const project = (p: string): void => {
    mustProject(deps.projects, p);
  };

  app.get('/api/v1/projects/:project/graph', async (req) => {
    const source = metricsOf(telemetry);
    const { project: projectName } = req.params as { project: string };
    project(projectName);
    const windowMs = parseDuration(one(req.query as Query, 'window') ?? '60s', 'window');
    return projectGraph(source, await inventory(store, projectName), windowMs);
  });
  api.add('get', '/api/v1/projects/:project/graph', "A project's versioned-app graph with rates, success, latency and health", true, ['window']);

  app.get('/api/v1/projects/:project/metrics', async (req) => {
    const source = metricsOf(telemetry);
    const { project: projectName } = req.params as { project: string };
    project(projectName);
    const q = req.query as Query;
    const workload = one(q, 'workload');
    const service = one(q, 'service');
    const version = one(q, 'version');
    const points = await projectSeries(
      source,
      projectName,
      { ...(workload ? { workload } : {}), ...(service ? { service } : {}), ...(version ? { version } : {}) },
      parseDuration(one(q, 'window') ?? '600s', 'window'),
      parseDuration(one(q, 'step') ?? '10s', 'step'),
    );
    return { points };
  });
  api.add('get', '/api/v1/projects/:project/metrics', 'Rate, success and latency over time into a workload, service or version', true, ['workload', 'service', 'version', 'window', 'step']);

  app.get('/api/v1/projects/:project/traces', async (req) => {
    const traces = tracesOf(telemetry);
    const { project: projectName } = req.params as { project: string };
    project(projectName);
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
    return { items: await searchProject(traces, projectName, search, one(q, 'service')) };
  });
  api.add('get', '/api/v1/projects/:project/traces', 'Searches traces of a project, most recent first', true, TRACE_QUERY);

  app.get('/api/v1/traces/:id', async (req) => {
    const traces = tracesOf(telemetry);
    const given = (req.params as { id: string }).id;
    normalizeTraceId(given);
    const view = await traces.trace(given.toLowerCase());
    if (!view) throw notFound(`trace ${given} not found in Jaeger (never received, or past its retention)`);
    return view;
  });
  api.add('get', '/api/v1/traces/:id', 'A trace with every span and the instance that served it');
}
