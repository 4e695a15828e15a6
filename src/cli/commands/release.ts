/** `graymesh release ...`: grayscale release jobs through the REST API. */
import type { Command } from 'commander';
import { invalid } from '../../api/errors.js';
import type { Browser, ContentMatch, OperatingSystem, Release, ReleaseSpec } from '../../config/release/types.js';
import { BROWSERS, OPERATING_SYSTEMS } from '../../config/release/user-agent.js';
import type { ApiClient } from '../client.js';
import { readManifests } from '../manifests.js';
import { age, parseFormat, printData, printTable } from '../output.js';
import { analysisFromFlags, type AutoFlags } from './release-auto.js';
import { checkLine, releaseWatch } from './release-watch.js';

const enc = encodeURIComponent;

export interface CreateFlags extends AutoFlags {
  project: string;
  file?: string;
  service?: string;
  version?: string;
  image?: string;
  replicas?: number;
  policy?: string;
  principal?: string;
  weights?: string;
  cookie?: string;
  header?: string;
  uri?: string;
  os?: string;
  browser?: string;
  serve?: string;
  mirrorPercent?: number;
  sticky?: string;
  output?: string;
}

/** `v1=50,v2=50` → {v1: 50, v2: 50}. */
export function parseWeights(s: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of s.split(',')) {
    const m = /^\s*([a-z0-9-]+)\s*=\s*(-?\d+)\s*$/.exec(part);
    if (!m) throw invalid(`weights: "${part}" is not VERSION=PERCENT; e.g. v1=50,v2=50`);
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

function parseList<T extends string>(flag: string, s: string, allowed: readonly T[]): T[] {
  const items = s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
  for (const i of items) if (!allowed.includes(i as T)) throw invalid(`${flag}: unknown value "${i}"; use ${allowed.join(', ')}`);
  return items as T[];
}

/** Builds the request-content match from the CLI flags. */
export function contentFromFlags(f: CreateFlags): ContentMatch | undefined {
  const m: ContentMatch = {};
  if (f.cookie) m.cookie = f.cookie.startsWith('regex:') ? { regex: f.cookie.slice(6) } : { exact: f.cookie };
  if (f.header) {
    const eq = f.header.indexOf('=');
    if (eq <= 0) throw invalid(`--header: "${f.header}" is not NAME=VALUE or NAME=regex:EXPR`);
    const name = f.header.slice(0, eq);
    const value = f.header.slice(eq + 1);
    m.header = value.startsWith('regex:') ? { name, regex: value.slice(6) } : { name, exact: value };
  }
  if (f.uri) {
    if (f.uri.startsWith('prefix:')) m.uri = { prefix: f.uri.slice(7) };
    else if (f.uri.startsWith('regex:')) m.uri = { regex: f.uri.slice(6) };
    else throw invalid(`--uri: "${f.uri}" must start with prefix: or regex:`);
  }
  if (f.os) m.os = parseList<OperatingSystem>('--os', f.os, OPERATING_SYSTEMS);
  if (f.browser) m.browser = parseList<Browser>('--browser', f.browser, BROWSERS);
  return Object.keys(m).length > 0 ? m : undefined;
}

/** `release create -f release.yaml`: the one Release the file holds, in its project or -p's. */
async function createFromFile(client: ApiClient, f: CreateFlags): Promise<number> {
  const docs = readManifests(f.file as string) as Release[];
  const releases = docs.filter((d) => d && d.kind === 'Release');
  if (releases.length !== 1 || docs.length !== 1) throw invalid(`-f ${f.file}: holds ${docs.length} documents; give one Release (apply -f takes several)`);
  const r = releases[0] as Release;
  const project = r.metadata?.namespace ?? f.project;
  if (!project) throw invalid(`-f ${f.file}: which project? set metadata.namespace in the file or pass -p PROJECT`);
  const out = await client.post<Release>(`/api/v1/projects/${enc(project)}/releases`, { ...r, metadata: { ...r.metadata, namespace: project } });
  return show(out, f.output);
}

export async function releaseCreate(client: ApiClient, type: string | undefined, name: string | undefined, f: CreateFlags): Promise<number> {
  if (f.file) {
    if (type || name) throw invalid('-f: the file names the release; give no TYPE or NAME with it');
    return createFromFile(client, f);
  }
  if (!type || !name) throw invalid('release create: give TYPE NAME (e.g. canary reviews-v2) or -f release.yaml');
  if (type !== 'canary' && type !== 'bluegreen' && type !== 'mirror') throw invalid(`release type "${type}": use canary, bluegreen or mirror`);
  if (!f.service) throw invalid('--service: which service to release? e.g. --service reviews');
  if (!f.version) throw invalid('--version: the new version, e.g. --version v2');
  if (!f.image) throw invalid('--image: the new version\'s image, e.g. --image kubesphere/examples-bookinfo-reviews-v2:1.13.0');
  const principal = f.principal ?? (await principalOf(client, f.project, f.service, f.version));
  const routes: ReleaseSpec['routes'] = {};
  const match = contentFromFlags(f);
  const analysis = analysisFromFlags(f);
  if (analysis) {
    if (type === 'mirror') throw invalid('--steps and the analysis flags belong to canary and blue-green releases, not mirror');
    if (f.weights || match) throw invalid('an automatic release (--steps, --interval, --min-success-rate, ...) moves the weights itself; leave out --weights and request-content flags');
    if (type === 'canary' && !analysis.stepWeights) throw invalid('an automatic canary needs --steps, e.g. --steps 10,25,50 (or -f release.yaml with spec.analysis.steps)');
    if (type === 'bluegreen' && analysis.stepWeights) throw invalid('--steps: a blue-green release switches all traffic at once; give --interval and the checks only');
  } else if (type === 'canary') {
    if (f.weights && match) throw invalid('--weights and request-content flags (--cookie, --header, --uri, --os, --browser) are exclusive');
    if (f.weights) routes.weights = parseWeights(f.weights);
    else if (match) routes.match = match;
    else throw invalid('canary: give --weights v1=50,v2=50 or request-content flags (--cookie, --header, --uri, --os, --browser)');
  } else if (match || f.weights) {
    throw invalid(`--weights and request-content flags belong to canary releases, not ${type}`);
  }
  if (type === 'bluegreen' && !analysis) routes.serve = f.serve ?? f.version;
  if (type === 'mirror' && f.mirrorPercent !== undefined) routes.mirrorPercent = f.mirrorPercent;
  const spec: ReleaseSpec = {
    type,
    service: f.service,
    principal,
    newVersion: { version: f.version, image: f.image, ...(f.replicas !== undefined ? { replicas: f.replicas } : {}) },
    routes,
  };
  if (analysis) spec.analysis = analysis;
  if (f.policy) spec.policy = f.policy as ReleaseSpec['policy'];
  if (f.sticky) {
    if (f.sticky === 'cookie') spec.sticky = { cookie: `gm-${f.service}-version` };
    else if (f.sticky.startsWith('cookie:')) spec.sticky = { cookie: f.sticky.slice(7) };
    else if (f.sticky.startsWith('header:')) spec.sticky = { header: f.sticky.slice(7) };
    else throw invalid(`--sticky: "${f.sticky}" must be cookie, cookie:NAME or header:NAME`);
  }
  const r = await client.post<Release>(`/api/v1/projects/${enc(f.project)}/releases`, { metadata: { name }, spec });
  return show(r, f.output);
}

/**
 * The version serving the service now, when --principal is not given: the only other version
 * among the workloads whose pods (template labels) carry `app: <service>`.
 */
async function principalOf(client: ApiClient, project: string, service: string, newVersion: string): Promise<string> {
  type Dep = { metadata: { labels?: Record<string, string> }; spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };
  const deps = await client.get<{ items: Dep[] }>(`/api/v1/projects/${enc(project)}/deployments`);
  const labels = (d: Dep): Record<string, string> => d.spec?.template?.metadata?.labels ?? d.metadata.labels ?? {};
  const versions = [
    ...new Set(deps.items.filter((d) => labels(d).app === service).map((d) => labels(d).version).filter((v): v is string => !!v && v !== newVersion)),
  ].sort();
  if (versions.length === 1) return versions[0] as string;
  if (versions.length === 0) throw invalid(`service ${service} has no running version in project ${project} to release from`);
  throw invalid(`service ${service} runs versions ${versions.join(', ')}; name the one to release from with --principal`);
}

function show(r: Release, output: string | undefined): number {
  const f = parseFormat(output);
  if (f === 'json' || f === 'yaml') {
    printData(r, f);
    return 0;
  }
  const st = r.status;
  process.stdout.write(`release ${r.metadata.name} (${r.spec?.type} of ${r.spec?.service}): ${st?.phase ?? 'Pending'}${st?.message ? ` — ${st.message}` : ''}\n`);
  printTable(
    ['VERSION', 'WORKLOAD', 'TRAFFIC', 'READY'],
    (st?.versions ?? []).map((v) => [v.version + (st?.governor === v.version ? ' (governor)' : ''), v.workload, `${v.weight}%`, `${v.readyReplicas}/${v.replicas}`]),
  );
  const a = st?.analysis;
  if (a) {
    process.stdout.write(`analysis: step ${Math.min(a.step + 1, a.steps)} of ${a.steps}, ${a.failedChecks} failed checks, ${a.inconclusive} inconclusive in a row\n`);
    for (const c of a.checks.slice(-5)) process.stdout.write(`  ${checkLine(c)}\n`);
  }
  return 0;
}

export function registerReleaseCommands(program: Command, client: () => ApiClient, done: (p: Promise<number>) => Promise<void>, project: (p: string | undefined) => string): void {
  const rel = program.command('release').description('grayscale releases: canary, blue-green and mirror jobs');
  const base = (p: string | undefined, n: string): string => `/api/v1/projects/${enc(project(p))}/releases/${enc(n)}`;
  rel
    .command('create')
    .description('create a release job; returns once its rules are enforced by every proxy')
    .argument('[type]', 'canary, bluegreen or mirror')
    .argument('[name]', 'release name')
    .option('-p, --project <project>', 'project')
    .option('-f, --file <file>', 'the Release as YAML or JSON (the full spec, e.g. spec.analysis.steps)')
    .option('--service <service>', 'the service to release')
    .option('--version <version>', 'the new version, e.g. v2')
    .option('--image <image>', "the new version's image")
    .option('--replicas <n>', 'replicas of the new version', (v) => Number(v))
    .option('--principal <version>', 'the version serving now (default: the only other version)')
    .option('--policy <policy>', 'WaitForWorkloadReady, Immediately or Paused')
    .option('--weights <list>', 'canary by traffic ratio, e.g. v1=50,v2=50')
    .option('--cookie <[regex:]K=V>', 'canary by cookie')
    .option('--header <NAME=[regex:]VALUE>', 'canary by header')
    .option('--uri <prefix:/path|regex:EXPR>', 'canary by URI')
    .option('--os <list>', 'canary by client OS: windows,linux,macos,android,ios')
    .option('--browser <list>', 'canary by browser: chrome,firefox,safari,edge')
    .option('--serve <version>', 'blue-green: the version serving 100% (default: the new one)')
    .option('--mirror-percent <p>', 'mirror: percent of traffic copied', (v) => Number(v))
    .option('--sticky <cookie|cookie:NAME|header:NAME>', 'keep each user on one version')
    .option('--steps <weights>', "automatic canary: the new version's weights in turn, e.g. 10,25,50; checks pass at each before the next")
    .option('--interval <duration>', 'automatic: how often checks run, e.g. 30s (default 1m)')
    .option('--min-success-rate <percent>', 'automatic: lowest success rate (non-5xx %) of the new version that passes, e.g. 99')
    .option('--max-p99 <duration>', 'automatic: highest p99 latency of the new version that passes, e.g. 500ms')
    .option('--min-requests <n>', 'automatic: fewer requests in a window make it inconclusive, never a pass (default 10)')
    .option('--threshold <n>', 'automatic: failed checks before rolling back (default 2)')
    .option('--max-inconclusive <n>', 'automatic: inconclusive windows in a row before --on-inconclusive (default 3)')
    .option('--on-inconclusive <fail|pause>', 'automatic: roll back (default) or pause until promoted')
    .option('--compare-to-baseline [confidence]', "automatic: fail when the new version's errors are worse than the principal's (exact test; default confidence 0.95)")
    .option('--webhook <TYPE=URL>', 'automatic: a webhook (pre-rollout, rollout, confirm-rollout, confirm-promotion, post-rollout, rollback, event); repeatable', (v: string, all: string[] = []) => [...all, v])
    .option('--load-url <url>', 'automatic: top up traffic during the analysis with graymesh load to this URL')
    .option('--load-rps <rps>', 'automatic: the load test rate (default 10)')
    .option('-o, --output <format>', 'json or yaml')
    .action((type: string | undefined, name: string | undefined, o: CreateFlags & { project?: string }) =>
      done(releaseCreate(client(), type, name, { ...o, project: o.file && !o.project ? '' : project(o.project) })),
    );
  rel
    .command('watch')
    .description('follow an automatic release: step, weight, checks; exits 0 on Succeeded, 1 on Failed')
    .argument('<name>')
    .option('-p, --project <project>', 'project')
    .action((name: string, o: { project?: string }) => done(releaseWatch(client(), base(o.project, name), { tty: process.stdout.isTTY === true })));
  rel
    .command('list')
    .option('-p, --project <project>', 'project')
    .option('-o, --output <format>', 'json or yaml')
    .action(async (o: { project?: string; output?: string }) => {
      const p = project(o.project);
      const list = await client().get<{ items: Release[] }>(`/api/v1/projects/${enc(p)}/releases`);
      const f = parseFormat(o.output);
      if (f === 'json' || f === 'yaml') printData(list, f);
      else if (list.items.length === 0) process.stderr.write(`no releases in project ${p}\n`);
      else
        printTable(
          ['NAME', 'TYPE', 'SERVICE', 'VERSIONS', 'TRAFFIC', 'PHASE', 'AGE'],
          list.items.map((r) => [
            r.metadata.name,
            r.spec?.type ?? '',
            r.spec?.service ?? '',
            (r.status?.versions ?? []).map((v) => v.version).join(','),
            (r.status?.versions ?? []).map((v) => `${v.version}=${v.weight}%`).join(','),
            r.status?.phase ?? 'Pending',
            age(r.metadata.creationTimestamp),
          ]),
        );
      await done(Promise.resolve(0));
    });
  rel
    .command('get')
    .argument('<name>')
    .option('-p, --project <project>', 'project')
    .option('-o, --output <format>', 'json or yaml')
    .action(async (name: string, o: { project?: string; output?: string }) => done(Promise.resolve(show(await client().get<Release>(base(o.project, name)), o.output))));
  const op = (cmd: string, desc: string, path: string, body: (args: string[]) => unknown, args: string[] = []): void => {
    const c = rel.command(cmd).description(desc).argument('<name>');
    for (const a of args) c.argument(`<${a}>`);
    c.option('-p, --project <project>', 'project').option('-o, --output <format>', 'json or yaml');
    c.action(async (...all: unknown[]) => {
      const name = all[0] as string;
      const rest = all.slice(1, 1 + args.length) as string[];
      const o = all[1 + args.length] as { project?: string; output?: string };
      const r = await client().post<Release>(`${base(o.project, name)}/${path}`, body(rest));
      await done(Promise.resolve(show(r, o.output)));
    });
  };
  op('set-weights', "set a canary's traffic weights, e.g. v1=20,v2=80", 'weights', ([w]) => ({ weights: parseWeights(w as string) }), ['weights']);
  op('takeover', 'a version takes all traffic', 'takeover', ([v]) => ({ version: v }), ['version']);
  op('restore', 'clear the governor: the release rules apply again', 'restore', () => ({}));
  op('rollback', 'the principal version takes all traffic', 'rollback', () => ({}));
  op('promote', 'automatic release: go past the pause, analysis or gate holding it', 'promote', () => ({}));
  op('abort', 'automatic release: roll back now (the principal serves all traffic, the new version is removed)', 'abort', () => ({}));
  op('pause', 'hold the rules: the principal serves all traffic', 'policy', () => ({ policy: 'Paused' }));
  op('resume', 'apply the rules again after a pause', 'policy', () => ({ policy: 'WaitForWorkloadReady' }));
  rel
    .command('offline')
    .description('remove the version no longer serving, and the release; a plain route to the survivor remains')
    .argument('<name>')
    .option('-p, --project <project>', 'project')
    .action(async (name: string, o: { project?: string }) => {
      const r = await client().post<{ survivor: string; removed: string }>(`${base(o.project, name)}/offline`, {});
      process.stdout.write(`release ${name} offline: ${r.removed} removed, ${r.survivor} serves all traffic\n`);
      await done(Promise.resolve(0));
    });
  rel
    .command('delete')
    .description('abandon a release: the principal serves everything and the new version is removed')
    .argument('<name>')
    .option('-p, --project <project>', 'project')
    .action(async (name: string, o: { project?: string }) => {
      await client().request('DELETE', base(o.project, name));
      process.stdout.write(`release ${name} deleted\n`);
      await done(Promise.resolve(0));
    });
}
