/** How the local engine runs a pod: its process, its environment and its readiness probe. */
import type { Container, Deployment, Pod } from '../../api/objects.js';
import { resolveContainer } from '../../runtime/image-catalog.js';
import { INSTANCE_ENV } from '../../runtime/process-marker.js';
import { podLogFile } from '../../runtime/log-paths.js';
import type { PodRun, ProbeSpec } from '../../runtime/supervisor.js';

const PASSED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'NODE_OPTIONS'];

function probeOf(c: Container | undefined): ProbeSpec {
  const p = c?.readinessProbe;
  if (p?.tcpSocket) return { kind: 'tcp' };
  return { kind: 'http', path: p?.httpGet?.path ?? '/health' };
}

/** The supervisor's run of `pod`, whose outbound traffic goes to the workload's listener on listenerPort. */
export function podRun(dep: Deployment, pod: Pod, listenerPort: number, home: string, instance: string): PodRun {
  const ns = pod.metadata.namespace ?? 'default';
  const containers = (pod.spec as { containers?: Container[] } | undefined)?.containers ?? [];
  const c = containers[0] as Container;
  const spec = resolveContainer(c, `Deployment ${dep.metadata.name}`);
  const labels = pod.metadata.labels ?? {};
  const env: Record<string, string> = {};
  for (const k of PASSED_ENV) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, spec.env);
  for (const e of c.env ?? []) env[e.name] = e.value ?? '';
  const proxy = `http://127.0.0.1:${listenerPort}`;
  Object.assign(env, {
    HTTP_PROXY: proxy,
    http_proxy: proxy,
    // https:// calls go through the same listener as CONNECT tunnels (HTTPS egress).
    HTTPS_PROXY: proxy,
    https_proxy: proxy,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    SERVICE_NAME: labels.app ?? dep.metadata.name,
    SERVICE_VERSION: labels.version ?? '',
    POD_NAME: pod.metadata.name,
    POD_NAMESPACE: ns,
    [INSTANCE_ENV]: instance,
  });
  const run: PodRun = {
    namespace: ns,
    name: pod.metadata.name,
    argv: spec.argv,
    env,
    logFile: podLogFile(home, ns, pod.metadata.name),
    probe: probeOf(c),
  };
  if (pod.status?.port) run.port = pod.status.port;
  return run;
}
