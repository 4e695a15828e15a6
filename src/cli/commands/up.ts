/**
 * `graymesh up`: the control plane in this process, the node proxy beside it,
 * and Bookinfo deployed into demo-project on first start. With --detach the
 * same runs in the background and this command returns once the API answers
 * and the proxy enforces the current config.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GmError, invalid, unavailable } from '../../api/errors.js';
import { ControlPlane } from '../../controlplane/control-plane.js';
import { bookinfoManifests } from '../../config/samples/bookinfo.js';
import { applyObjects, prepare } from '../../controlplane/apply.js';
import { GOVERNANCE_ANNOTATION, type Deployment } from '../../api/objects.js';
import { Home } from '../../runtime/home.js';
import { PACKAGE_ROOT } from '../../runtime/image-catalog.js';
import { checkPortFree } from '../../runtime/ports.js';
import { INSTANCE_ENV, envOf, isOurs } from '../../runtime/process-marker.js';
import { PROXY_NODE_ARGS } from '../../dataplane/node-flags.js';
import { ProxySupervisor } from '../../runtime/proxy-supervisor.js';
import { DEFAULT_GATEWAY_TLS_PORT } from '../../config/gateway-ports.js';
import { startKubeApi } from '../kube-api.js';

/** Environment `up` passes to the node proxy: the tracing rate, its per-service budget, the slow-request threshold. */
const TRACE_ENV = ['GRAYMESH_TRACE_SAMPLING', 'GRAYMESH_TRACE_RATE_LIMIT', 'GRAYMESH_TRACE_SLOW_MS'];

export interface UpOptions {
  detach?: boolean;
  port: number;
  gatewayPort: number;
  /** The gateway's TLS listener, what a Gateway server's port 443 means (default 8443). */
  gatewayTlsPort?: number;
  sample: boolean;
  listen: string;
  /** A Prometheus to read graph and chart metrics from. */
  prometheus?: string;
  /** Serve the Kubernetes API kubectl talks to on this port (https). */
  kubePort?: number;
}

export const SAMPLE_PROJECT = 'demo-project';
const PROXY_NAME = 'node-proxy';
/** A proxy drains within 30 s of SIGTERM; past this it is killed. */
const ADOPT_DRAIN_MS = 35_000;
const CLI = path.join(PACKAGE_ROOT, 'bin', 'graymesh.js');

function portError(err: unknown, port: number, what: string, flag: string): GmError {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') return invalid(`${what} port ${port} is in use; stop what uses it or pass ${flag} N`);
  if (code === 'EACCES') return invalid(`${what} port ${port} is not allowed for this user; pass ${flag} N (above 1023)`);
  return invalid(`${what} port ${port}: ${(err as Error).message}`);
}

async function refuseIfRunning(home: Home): Promise<void> {
  const inst = home.readInstance();
  if (inst && isOurs(inst.pid, inst.instance)) {
    throw invalid(`graymesh is already running on ${home.dir} (pid ${inst.pid}, ${inst.url}); run graymesh down first`);
  }
}

export async function up(home: Home, opts: UpOptions): Promise<number> {
  home.ensure();
  await refuseIfRunning(home);
  if (!/^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(opts.listen)) {
    // Workloads' outbound listeners stay on 127.0.0.1 whatever --listen says (the node proxy binds them there).
    process.stderr.write(
      `warning: listening on ${opts.listen}: the API, the console and the gateway are reachable from other machines; accounts and tokens are all that protects the API, so keep ${home.credentialsFile} private\n`,
    );
  }
  try {
    await checkPortFree(opts.port, opts.listen);
  } catch (err) {
    throw portError(err, opts.port, 'API', '--port');
  }
  if (opts.kubePort) {
    try {
      await checkPortFree(opts.kubePort, opts.listen);
    } catch (err) {
      throw portError(err, opts.kubePort, 'Kubernetes API', '--kube-port');
    }
  }
  const prior = home.readInstance();
  // A running proxy on this gateway port is adopted (or replaced) once the control plane runs.
  const proxyOnGateway = prior?.proxyPid !== undefined && isOurs(prior.proxyPid, prior.instance) && prior.gatewayUrl === `http://127.0.0.1:${opts.gatewayPort}`;
  if (!proxyOnGateway) {
    try {
      await checkPortFree(opts.gatewayPort, opts.listen);
    } catch (err) {
      throw portError(err, opts.gatewayPort, 'gateway', '--gateway-port');
    }
    try {
      await checkPortFree(tlsPortOf(opts), opts.listen);
    } catch (err) {
      throw portError(err, tlsPortOf(opts), 'gateway TLS', '--gateway-tls-port');
    }
  }
  if (opts.detach) return detach(home, opts);
  return foreground(home, opts);
}

async function detach(home: Home, opts: UpOptions): Promise<number> {
  const log = path.join(home.logDir, 'controlplane.log');
  const fd = openSync(log, 'a');
  const args = [CLI, 'up', '--home', home.dir, '--port', String(opts.port), '--gateway-port', String(opts.gatewayPort), '--gateway-tls-port', String(tlsPortOf(opts)), '--listen', opts.listen];
  if (!opts.sample) args.push('--no-sample');
  if (opts.prometheus) args.push('--prometheus', opts.prometheus);
  if (opts.kubePort !== undefined) args.push('--kube-port', String(opts.kubePort));
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, [INSTANCE_ENV]: home.instanceId(), GRAYMESH_DAEMON: '1' },
  });
  closeSync(fd);
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited !== null) {
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      const last = [...lines].reverse().find((l) => l.startsWith('error:')) ?? lines.at(-1) ?? 'the control plane exited';
      throw unavailable(last.replace(/^error:\s*/, ''));
    }
    const inst = home.readInstance();
    if (inst && inst.pid === child.pid) {
      try {
        const res = await fetch(`${inst.url}/api/v1/config/wait?timeout=1000`, {
          headers: { authorization: `Bearer ${home.adminToken()}` },
          signal: AbortSignal.timeout(3000),
        });
        const body = (await res.json()) as { proxies?: unknown[] };
        if (res.ok && (body.proxies?.length ?? 0) > 0) {
          printWelcome(home, inst.url, inst.gatewayUrl, opts.sample, inst.kubeUrl);
          return 0;
        }
      } catch {
        // not yet
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw unavailable(`graymesh did not become ready within 60 s; see ${log}`);
}

function printWelcome(home: Home, url: string, gatewayUrl: string, sample: boolean, kubeUrl?: string): void {
  const gwPort = new URL(gatewayUrl).port;
  const lines = [
    `graymesh is running (home ${home.dir})`,
    `  console:     ${url}/`,
    `  API:         ${url}/api/openapi.json`,
    `  credentials: ${home.credentialsFile}`,
    `  gateway:     ${gatewayUrl}`,
  ];
  if (kubeUrl) lines.push(`  kubectl:     ${kubeUrl} (graymesh kubeconfig > kubeconfig)`);
  if (sample) lines.push(`  Bookinfo:    http://productpage.${SAMPLE_PROJECT}.localhost:${gwPort}/productpage`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function foreground(home: Home, opts: UpOptions): Promise<number> {
  const log = (msg: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  };
  const cp = new ControlPlane({
    home,
    port: opts.port,
    gatewayPort: opts.gatewayPort,
    gatewayTlsPort: tlsPortOf(opts),
    listen: opts.listen,
    ...(opts.prometheus ? { prometheus: opts.prometheus } : {}),
    log,
  });
  try {
    await cp.start();
  } catch (err) {
    await cp.stop(false).catch(() => undefined);
    if ((err as { code?: string }).code === 'EADDRINUSE') throw portError(err, opts.port, 'API', '--port');
    throw err;
  }
  let kubeUrl: string | undefined;
  if (opts.kubePort !== undefined) {
    try {
      kubeUrl = (await startKubeApi(cp, opts.kubePort, opts.listen, log)).url.replace('[::1]', '127.0.0.1');
    } catch (err) {
      await cp.stop(false).catch(() => undefined);
      throw portError(err, opts.kubePort, 'Kubernetes API', '--kube-port');
    }
  }
  const instance = cp.instance;
  const gatewayUrl = `http://127.0.0.1:${opts.gatewayPort}`;
  const adopted = await runningProxy(home, cp, gatewayUrl, log);
  const proxies = superviseProxy(home, cp, opts, log);
  cp.proxies = proxies;
  if (adopted === undefined) proxies.start();
  else {
    proxies.adopt(adopted);
    log(`adopting the running node proxy (pid ${adopted})`);
  }
  const record = (): void => home.writeInstance({ instance, url: cp.url, gatewayUrl, pid: process.pid, proxyPid: proxies.pid, ...(kubeUrl ? { kubeUrl } : {}), startedAt: new Date().toISOString() });
  record();
  cp.distributor.onDisconnect(() => {
    proxies.checkAdopted();
    // The record names the proxy serving now, also after a hand-over that failed.
    record();
  });
  cp.distributor.onConnect((p) => {
    if (p.name === PROXY_NAME) proxies.connected(p.pid);
    record();
  });

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('stopping: workloads, node proxy, control plane');
    await cp.stop(true);
    proxies.stop(true);
    const inst = home.readInstance();
    if (inst?.pid === process.pid) home.writeInstance({ ...inst, pid: 0 });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const firstStart = cp.store.getMeta('sampleDeployed') === undefined;
  if (opts.sample && firstStart) {
    const docs = [];
    if (!cp.store.get('Namespace', undefined, SAMPLE_PROJECT)) {
      docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SAMPLE_PROJECT, annotations: { [GOVERNANCE_ANNOTATION]: 'true' } } });
    }
    docs.push(...bookinfoManifests(SAMPLE_PROJECT));
    const { objects } = prepare(cp.store, docs, SAMPLE_PROJECT);
    applyObjects(cp.store, objects);
    cp.store.setMeta('sampleDeployed', new Date().toISOString());
    log(`deployed the Bookinfo sample into project ${SAMPLE_PROJECT}`);
  } else if (firstStart) {
    cp.store.setMeta('sampleDeployed', 'skipped');
  }
  await cp.distributor.waitFor(cp.syncConfig(), 30_000, true).catch((err: Error) => log(err.message));
  if (process.env.GRAYMESH_DAEMON !== '1') printWelcome(home, cp.url, gatewayUrl, opts.sample, kubeUrl);
  if (opts.sample) void reportSampleReady(cp, log);
  log('press Ctrl-C to stop');
  return new Promise<number>(() => undefined);
}

async function reportSampleReady(cp: ControlPlane, log: (m: string) => void): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const deps = cp.store.list<Deployment>('Deployment', { namespace: SAMPLE_PROJECT });
    if (deps.length > 0 && deps.every((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1))) {
      log(`Bookinfo is ready: ${deps.length} workloads running`);
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The node proxy an earlier control plane left running, to adopt. One started
 * for another API or gateway port (its environment says where it connects and
 * listens) would never reach this control plane: it drains and exits instead,
 * and a new one is started.
 */
async function runningProxy(home: Home, cp: ControlPlane, gatewayUrl: string, log: (m: string) => void): Promise<number | undefined> {
  const prior = home.readInstance();
  const pid = prior?.proxyPid;
  if (!prior || pid === undefined || !isOurs(pid, cp.instance)) return undefined;
  const tlsPort = envOf(pid, 'GRAYMESH_GATEWAY_TLS_PORT');
  const sameTls = tlsPort === undefined || cp.gatewayTlsPort === undefined || Number(tlsPort) === cp.gatewayTlsPort;
  if (prior.url === cp.url && prior.gatewayUrl === gatewayUrl && sameTls) return pid;
  const tlsNote = sameTls ? '' : ` (TLS on ${tlsPort})`;
  log(`the running node proxy (pid ${pid}) serves ${prior.url} and ${prior.gatewayUrl}${tlsNote}; it drains and a new one starts`);
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + ADOPT_DRAIN_MS;
  while (isOurs(pid, cp.instance) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isOurs(pid, cp.instance)) signal(pid, 'SIGKILL');
  return undefined;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** The node proxy under this control plane's supervision: restarted when it dies, replaced on `proxy restart`. */
function superviseProxy(home: Home, cp: ControlPlane, opts: UpOptions, log: (m: string) => void): ProxySupervisor {
  const name = PROXY_NAME;
  return new ProxySupervisor({
    name,
    spawn: () => startProxy(home, cp, opts, name),
    connection: (pid) => {
      const p = cp.distributor.get(name, pid);
      return p ? { connected: p.connected, current: p.connected && p.ackedVersion >= cp.distributor.version } : undefined;
    },
    waitEnforcing: (pid, ms) => cp.distributor.waitForProcess(name, pid, ms),
    alive: (pid) => isOurs(pid, cp.instance),
    expect: (on) => cp.distributor.expect(name, on),
    log,
    // A proxy that dies before it ever connected (its gateway port taken) fails up with its reason.
    onFatal: () => {
      const lines = readFileSync(path.join(home.logDir, 'proxy.log'), 'utf8').trim().split('\n');
      const reason = [...lines].reverse().find((l) => l.startsWith('error:')) ?? 'error: the node proxy exited before it connected; see its log';
      process.stderr.write(`${reason}\n`);
      void cp.stop(true).finally(() => process.exit(1));
    },
  });
}

function startProxy(home: Home, cp: ControlPlane, opts: UpOptions, name: string): ChildProcess {
  const fd = openSync(path.join(home.logDir, 'proxy.log'), 'a');
  // The IPC channel carries the listening sockets (src/runtime/handover-protocol.ts).
  const child = spawn(process.execPath, [...PROXY_NODE_ARGS, ...extraProxyArgs(), CLI, 'proxy'], {
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
    serialization: 'json',
    env: {
      PATH: process.env.PATH ?? '',
      [INSTANCE_ENV]: cp.instance,
      GRAYMESH_CP_URL: cp.url,
      GRAYMESH_TOKEN: cp.token,
      GRAYMESH_GATEWAY_PORT: String(opts.gatewayPort),
      GRAYMESH_GATEWAY_TLS_PORT: String(tlsPortOf(opts)),
      GRAYMESH_LISTEN: opts.listen,
      GRAYMESH_PROXY_NAME: name,
      GRAYMESH_HOME: home.dir,
      // The tracing knobs (sampling.ts), when the user set them for `up`.
      ...Object.fromEntries(TRACE_ENV.flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k] as string]] : []))),
    },
  });
  closeSync(fd);
  child.unref();
  child.channel?.unref();
  return child;
}

/** Node flags for the proxy alone from GRAYMESH_PROXY_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it as it runs). */
function extraProxyArgs(): string[] {
  return (process.env.GRAYMESH_PROXY_NODE_ARGS ?? '').split(' ').filter((a) => a.startsWith('--'));
}

/** The gateway's TLS port `up` was given, else 8443. */
export function tlsPortOf(opts: UpOptions): number {
  return opts.gatewayTlsPort ?? DEFAULT_GATEWAY_TLS_PORT;
}
