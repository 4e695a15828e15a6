/**
 * The graymesh CLI. Every command finds its instance through --home or
 * GRAYMESH_HOME (or GRAYMESH_URL and GRAYMESH_TOKEN), exits 0 on success, and
 * on failure prints one line `error: ...` (a stack trace only with --debug).
 */
import { Command, CommanderError } from 'commander';
import { GmError, invalid } from '../api/errors.js';
import { dns1123LabelError } from '../api/names.js';
import { Home, resolveHome } from '../runtime/home.js';
import { ApiClient } from './client.js';
import { up } from './commands/up.js';
import { down } from './commands/down.js';
import {
  applyCmd,
  deleteFileCmd,
  deleteNamedCmd,
  deployCmd,
  getCmd,
  logsCmd,
  projectCreateCmd,
  projectSetCmd,
  statusCmd,
  proxyRestartCmd,
} from './commands/resources.js';
import { registerReleaseCommands } from './commands/release.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerKubeconfigCommand } from './commands/kubeconfig.js';
import { registerTenantCommands } from './commands/tenants.js';
import { exportCmd } from './commands/export.js';
import { kubernetesUpOptions, upKubernetes, type UpFlags } from '../kubernetes/up.js';
import { registerLoadCommand, registerTelemetryCommands } from './commands/telemetry.js';

interface Globals {
  home?: string;
  debug?: boolean;
}

function intOption(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${name} ${v}: must be an integer from ${min} to ${max}`);
    return n;
  };
}

function projectArg(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  const err = dns1123LabelError(p);
  if (err) throw invalid(`-p ${p}: project name ${err}`);
  return p;
}

function requireProject(p: string | undefined, what: string): string {
  const v = projectArg(p);
  if (!v) throw invalid(`${what}: which project? pass -p PROJECT`);
  return v;
}

export function buildProgram(run: (code: number) => void): Command {
  const program = new Command('graymesh')
    .description('A service mesh with grayscale releases: Istio traffic rules, canary, blue-green and mirror releases on one machine')
    .option('--home <dir>', 'instance home (default $GRAYMESH_HOME or ~/.graymesh)')
    .option('--debug', 'print stack traces on errors')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? s : s) });

  const home = (): Home => new Home(resolveHome(program.opts<Globals>().home));
  const client = (): ApiClient => ApiClient.fromHome(home());
  const done = (p: Promise<number>): Promise<void> => p.then(run);

  program
    .command('up')
    .description('start the control plane, node proxy and gateway (and Bookinfo on first start)')
    .option('--detach', 'run in the background; return once the API answers and the proxy enforces the config')
    .option('--port <port>', 'API and console port', intOption('--port', 0, 65535), 7070)
    .option('--gateway-port <port>', 'gateway port: Gateway servers on port 80 are served here (any other port is bound as written)', intOption('--gateway-port', 0, 65535), 8080)
    .option('--gateway-tls-port <port>', "gateway TLS port: a Gateway server's port 443", intOption('--gateway-tls-port', 0, 65535), 8443)
    .option('--listen <addr>', 'address to listen on', '127.0.0.1')
    .option('--no-sample', 'do not deploy Bookinfo on first start')
    .option('--prometheus <url>', 'read graph and chart metrics from this Prometheus instead of the embedded store')
    .option('--kube-port <port>', 'serve the Kubernetes API kubectl talks to on this port (https; graymesh kubeconfig writes the kubeconfig)', intOption('--kube-port', 0, 65535))
    .option('--engine <engine>', 'local (default): this machine; kubernetes: a cluster with Istio, found as kubectl finds it', 'local')
    .option('--kubeconfig <file>', 'with --engine kubernetes: the kubeconfig (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'with --engine kubernetes: the kubeconfig context (default its current-context)')
    .option('--jaeger <url>', "with --engine kubernetes: the cluster's Jaeger query URL, for traces")
    .option('--settle-time <ms>', "with --engine kubernetes: wait after each release step when istiod's sync status cannot be read", intOption('--settle-time', 0, 600_000))
    .action((o: UpFlags) => {
      if (o.engine !== 'local' && o.engine !== 'kubernetes') throw invalid(`--engine ${o.engine}: use local or kubernetes`);
      if (o.engine === 'kubernetes' && o.kubePort !== undefined) throw invalid('--kube-port: with --engine kubernetes, kubectl talks to the cluster itself; drop --kube-port');
      if (o.engine === 'kubernetes') return done(upKubernetes(home(), kubernetesUpOptions(o)));
      return done(
        up(home(), {
          detach: o.detach === true,
          port: o.port,
          gatewayPort: o.gatewayPort,
          ...(o.gatewayTlsPort !== undefined ? { gatewayTlsPort: o.gatewayTlsPort } : {}),
          sample: o.sample,
          listen: o.listen,
          ...(o.prometheus ? { prometheus: o.prometheus } : {}),
          ...(o.kubePort !== undefined ? { kubePort: o.kubePort } : {}),
        }),
      );
    });

  program
    .command('down')
    .description('stop every process up started on this home')
    .action(() => done(down(home())));

  program
    .command('status')
    .description('control plane, gateway and proxies: each proxy\'s status (Serving, Starting, Dead, Stale), restarts and the config version it enforces')
    .option('-o, --output <format>', 'json or yaml')
    .action((o: { output?: string }) => done(statusCmd(client(), o.output)));

  program
    .command('apply')
    .description('apply manifests (multi-document YAML or JSON), all or nothing')
    .requiredOption('-f, --filename <file>', 'file, directory, or - for stdin')
    .option('-p, --project <project>', 'project for objects without a namespace')
    .option('--dry-run', 'validate only')
    .action((o: { filename: string; project?: string; dryRun?: boolean }) =>
      done(applyCmd(client(), o.filename, projectArg(o.project), o.dryRun === true)),
    );

  program
    .command('delete')
    .description('delete what manifests name (-f), or one object: delete app|workload|service|vs|dr|gw|project NAME')
    .argument('[resource]', 'resource type')
    .argument('[name]', 'object name')
    .option('-f, --filename <file>', 'file, directory, or - for stdin')
    .option('-p, --project <project>', 'project')
    .option('--ignore-not-found', 'with -f: skip objects that do not exist')
    .action((resource: string | undefined, name: string | undefined, o: { filename?: string; project?: string; ignoreNotFound?: boolean }) => {
      if (o.filename) return done(deleteFileCmd(client(), o.filename, projectArg(o.project), o.ignoreNotFound === true));
      if (!resource || !name) throw invalid('delete: name what to delete: -f FILE, or RESOURCE NAME -p PROJECT');
      return done(deleteNamedCmd(client(), resource, name, projectArg(o.project)));
    });

  program
    .command('deploy')
    .description('deploy a sample application (bookinfo, grpc-greeter, tcp-echo) and wait until it is ready')
    .argument('<sample>', 'sample name: bookinfo, grpc-greeter or tcp-echo')
    .option('-p, --project <project>', 'project (created when missing)')
    .option('--all-versions', 'also the other versions: reviews v2 and v3 of bookinfo, greeter v2 of grpc-greeter, tcp-echo-v2 of tcp-echo')
    .action((sample: string, o: { project?: string; allVersions?: boolean }) =>
      done(deployCmd(client(), sample, requireProject(o.project, `deploy ${sample}`), o.allVersions === true)),
    );

  program
    .command('get')
    .description('list or read objects: projects, apps, workloads, replicasets, services, pods, secrets, vs, dr, gw, se')
    .argument('<resource>', 'resource type')
    .argument('[name]', 'object name')
    .option('-p, --project <project>', 'project')
    .option('-o, --output <format>', 'json, yaml or wide')
    .option('--show-secrets', "a Secret's data (project-admin only); hidden otherwise")
    .action((resource: string, name: string | undefined, o: { project?: string; output?: string; showSecrets?: boolean }) =>
      done(getCmd(client(), resource, name, projectArg(o.project), o.output, o.showSecrets === true)),
    );

  program
    .command('logs')
    .description("a pod's or workload's stdout and stderr")
    .argument('<target>', 'pod or workload name')
    .option('-p, --project <project>', 'project')
    .option('--tail <lines>', 'only the last lines', intOption('--tail', 0, 1_000_000))
    .option('--proxy', "the proxy's access log for the pod instead of its own output")
    .action((target: string, o: { project?: string; tail?: number; proxy?: boolean }) =>
      done(logsCmd(client(), target, requireProject(o.project, `logs ${target}`), o.tail, o.proxy === true)),
    );

  const project = program.command('project').description('create projects and change their settings');
  const workspaceArg = (w: string | undefined): string | undefined => {
    const err = w === undefined ? undefined : dns1123LabelError(w);
    if (err) throw invalid(`--workspace ${w}: workspace name ${err}`);
    return w;
  };
  project
    .command('create')
    .argument('<name>', 'project name')
    .option('--workspace <workspace>', 'the workspace holding it (required unless you are a platform-admin)')
    .action((name: string, o: { workspace?: string }) =>
      done(projectCreateCmd(client(), requireProject(name, 'project create'), workspaceArg(o.workspace))),
    );
  project
    .command('set')
    .argument('<project>', 'project name')
    .option('--governance <on|off>', 'application governance: tracing at the gateway')
    .option('--allow-routes-from <projects>', "let these projects' traffic rules name this project's hosts and route to it (comma-separated; replaces the list)")
    .option('--no-allow-routes-from', "let no other project's traffic rules in")
    .option('--outbound-policy <mode>', 'calls to hosts outside the mesh: REGISTRY_ONLY (only hosts a ServiceEntry declares) or ALLOW_ANY (any host, the default)')
    .option('--workspace <workspace>', 'move the project to this workspace (platform-admin)')
    .action((p: string, o: { governance?: string; allowRoutesFrom?: string | false; outboundPolicy?: string; workspace?: string }) =>
      done(
        projectSetCmd(client(), requireProject(p, 'project set'), {
          governance: o.governance,
          allowRoutesFrom: o.allowRoutesFrom,
          outboundPolicy: o.outboundPolicy,
          workspace: workspaceArg(o.workspace),
        }),
      ),
    );

  registerAuthCommands(program, home, client, done);
  registerKubeconfigCommand(program, home, done);
  registerTenantCommands(program, client, done);

  program
    .command('export')
    .description('a project as manifests for kubectl apply on a cluster with Istio (CRDs, Namespace, workloads, Istio objects, releases)')
    .option('-p, --project <project>', 'project')
    .option('-o, --output <format>', 'yaml (default) or json')
    .option('--no-crds', 'leave the CustomResourceDefinitions out')
    .option('--crds-only', 'only the CustomResourceDefinitions (apply them and wait until established first)')
    .option('--no-ingress', "no Istio ingress Gateway for the app's entry")
    .action((o: { project?: string; output?: string; crds: boolean; crdsOnly?: boolean; ingress: boolean }) =>
      done(exportCmd(client(), requireProject(o.project, 'export'), { ...(o.output ? { output: o.output } : {}), crds: o.crds, crdsOnly: o.crdsOnly === true, ingress: o.ingress })),
    );

  registerReleaseCommands(program, client, done, (p) => requireProject(p, 'release'));
  registerTelemetryCommands(program, client, done, requireProject);
  registerLoadCommand(program, done);

  // `graymesh proxy` runs the node proxy (up starts it); `graymesh proxy restart` replaces it.
  const proxy = new Command('proxy').description('the node proxy').action(async () => {
    const { runProxy } = await import('../dataplane/main.js');
    await runProxy();
  });
  proxy
    .command('restart')
    .description('replace the node proxy process (a new build, an upgrade) without failing a request: the new process takes over the listening sockets, the old one drains')
    .action(() => done(proxyRestartCmd(client())));
  program.addCommand(proxy);
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return err.exitCode || 1;
    }
    const msg = err instanceof GmError ? err.message : (err as Error).message;
    process.stderr.write(`error: ${msg.split('\n')[0]}\n`);
    if (err instanceof GmError && err.details.length > 1) {
      for (const d of err.details) process.stderr.write(`  ${d}\n`);
    }
    if (debug) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return 1;
  }
}
