/**
 * The graph, chart and trace routes both engines serve, over the telemetry sources an engine
 * gives (src/telemetry/query/trace-source.ts): the local engine's embedded metrics and span
 * stores (or a Prometheus), the Kubernetes engine's Prometheus and Jaeger. One graph builder and
 * one set of queries, so paths, parameters and bodies are the same on both. A source the engine
 * lacks (a cluster without `--prometheus` or `--jaeger`) answers 503 naming the flag to pass.
 */
import type { FastifyInstance } from 'fastify';
import { notFound, unavailable } from '../../api/errors.js';
import type { Deployment, Service } from '../../api/objects.js';
import type { ProjectInventory } from '../../telemetry/query/graph.js';
import { parseDuration } from '../../telemetry/query/duration.js';
import { checkSeries, checkWindow, projectGraph, projectSeries } from '../../telemetry/query/project-queries.js';
import type { MetricsSource } from '../../telemetry/query/metrics.js';
import { durations, limitOf, many, normalizeTraceId, one, rangeOf, tagsOf, type Query } from '../../telemetry/query/params.js';
import type { ProjectTraceSearch, TelemetrySources, TraceSource } from '../../telemetry/query/trace-source.js';
import type { ObjectStore } from '../../engine/store.js';
import type { OpenApi } from '../openapi.js';
import type { ProjectDirectory } from '../projects.js';
import { mustProject } from './objects.js';

/** What the routes need of the engine. */
export interface TelemetryQueryDeps {
  telemetry: TelemetrySources;
  store: ObjectStore;
  projects: ProjectDirectory;
}

const TRACE_QUERY = ['service', 'operation', 'tag', 'minDuration', 'maxDuration', 'start', 'end', 'lookback', 'limit'];

const FLAG_HINT = 'restart with `graymesh up --engine kubernetes';

function metricsOf(t: TelemetrySources): MetricsSource {
  if (!t.metrics) throw unavailable(`no Prometheus configured for graph and metrics; ${FLAG_HINT} --prometheus URL\` (the cluster's Prometheus)`);
  return t.metrics;
}

function tracesOf(t: TelemetrySources): TraceSource {
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

/** The trace search of a request's query. */
function traceSearch(q: Query): ProjectTraceSearch {
  const service = one(q, 'service');
  const operation = one(q, 'operation');
  const tags = tagsOf(many(q, 'tag'), '=');
  const d = durations(q);
  const r = rangeOf(q);
  return {
    ...(service ? { service } : {}),
    ...(operation ? { operation } : {}),
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
    ...(d.minDurationUs !== undefined ? { minDurationMs: d.minDurationUs / 1000 } : {}),
    ...(d.maxDurationUs !== undefined ? { maxDurationMs: d.maxDurationUs / 1000 } : {}),
    ...(r.startUs !== undefined ? { startMs: r.startUs / 1000 } : {}),
    ...(r.endUs !== undefined ? { endMs: r.endUs / 1000 } : {}),
    limit: limitOf(q, 20),
  };
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
    checkWindow(windowMs);
    await telemetry.refresh?.();
    // One end for every query, so the embedded store computes the window's increase once.
    return projectGraph(source, await inventory(store, projectName), windowMs, telemetry.latestMs?.());
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
    const windowMs = parseDuration(one(q, 'window') ?? '600s', 'window');
    const stepMs = parseDuration(one(q, 'step') ?? '10s', 'step');
    checkSeries(windowMs, stepMs);
    await telemetry.refresh?.();
    const points = await projectSeries(source, projectName, { ...(workload ? { workload } : {}), ...(service ? { service } : {}), ...(version ? { version } : {}) }, windowMs, stepMs);
    return { points };
  });
  api.add('get', '/api/v1/projects/:project/metrics', 'Rate, success and latency over time into a workload, service or version', true, ['workload', 'service', 'version', 'window', 'step']);

  app.get('/api/v1/projects/:project/traces', async (req) => {
    const traces = tracesOf(telemetry);
    const { project: projectName } = req.params as { project: string };
    project(projectName);
    return { items: await traces.searchProject(projectName, traceSearch(req.query as Query)) };
  });
  api.add('get', '/api/v1/projects/:project/traces', 'Searches traces of a project, most recent first', true, TRACE_QUERY);

  app.get('/api/v1/traces/:id', async (req) => {
    const traces = tracesOf(telemetry);
    const given = (req.params as { id: string }).id;
    normalizeTraceId(given);
    const view = await traces.trace(given.toLowerCase());
    if (!view) throw notFound(`trace ${given.toLowerCase()} not found ${traces.missing}`);
    return view;
  });
  api.add('get', '/api/v1/traces/:id', 'A trace with every span and the instance that served it');
}
