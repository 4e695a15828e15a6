/**
 * `login`, `logout`, `whoami`, `token` and `audit`. Passwords come only on
 * stdin (never as arguments, which other users can read from the process
 * list); tokens are printed only when asked for (`-o token`, `token create`).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { GmError, invalid } from '../../api/errors.js';
import type { Home } from '../../runtime/home.js';
import { ApiClient } from '../client.js';
import { parseFormat, printData, printTable } from '../output.js';

type Done = (p: Promise<number>) => Promise<void>;

const enc = encodeURIComponent;

/** The password piped to stdin, without its trailing newline. */
export function readPasswordStdin(flag: boolean | undefined, what: string): string {
  if (!flag) throw invalid(`${what}: pass the password on stdin with --password-stdin (e.g. printf '%s' "$PASSWORD" | graymesh ${what} ... --password-stdin)`);
  const text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (text.length === 0) throw invalid(`${what}: no password on stdin`);
  return text;
}

/** `90s`, `30m`, `12h`, `7d`, or plain seconds → seconds. */
export function parseSeconds(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)([smhd]?)$/.exec(v.trim());
  if (!m || Number(m[1]) === 0) throw invalid(`${flag} ${v}: a duration such as 90s, 30m, 12h or 7d`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

function printOut(data: unknown, output: string | undefined): boolean {
  const f = parseFormat(output);
  if (f === 'json' || f === 'yaml') {
    printData(data, f);
    return true;
  }
  return false;
}

interface LoginAnswer {
  token: string;
  user: { name: string; platformRole: string };
  expiresAt: string;
}

interface Me {
  user: { name: string; kind: string; platformRole: string };
  expiresAt?: string;
  roles: { scope: string; role: string; workspace?: string; project?: string }[];
  workspaces: string[];
}

interface AuditItem {
  time: string;
  user: string;
  method: string;
  path: string;
  project?: string;
  status: number;
  result: string;
  message?: string;
}

interface TokenItem {
  id: string;
  scope: string;
  createdBy: string;
  project?: string;
  createdAt: string;
  expiresAt?: string;
  token?: string;
}

export function registerAuthCommands(program: Command, home: () => Home, client: () => ApiClient, done: Done): void {
  program
    .command('login')
    .description('log in; later commands on this home act as that user (with -o token: print the token, store nothing)')
    .requiredOption('--username <name>', 'account name')
    .option('--password-stdin', 'read the password from stdin')
    .option('--expires-in <duration>', 'end the session sooner than 12h, e.g. 30m')
    .option('-o, --output <format>', 'token: print the token only and store nothing')
    .action((o: { username: string; passwordStdin?: boolean; expiresIn?: string; output?: string }) =>
      done(
        (async () => {
          if (o.output !== undefined && o.output !== 'token') throw invalid(`-o ${o.output}: login prints only the token (-o token)`);
          const password = readPasswordStdin(o.passwordStdin, 'login');
          const expiresIn = parseSeconds('--expires-in', o.expiresIn);
          const h = home();
          const url = ApiClient.urlOf(h);
          const r = await new ApiClient(url, '').post<LoginAnswer>('/api/v1/login', { username: o.username, password, ...(expiresIn ? { expiresIn } : {}) });
          if (o.output === 'token') {
            process.stdout.write(`${r.token}\n`);
            return 0;
          }
          h.writeSession({ url, username: r.user.name, token: r.token, expiresAt: r.expiresAt });
          process.stdout.write(`logged in to ${url} as ${r.user.name} until ${r.expiresAt}\n`);
          return 0;
        })(),
      ),
    );

  program
    .command('logout')
    .description('end the session (GRAYMESH_TOKEN, or the one login stored in this home): its token stops working')
    .action(() =>
      done(
        (async () => {
          const h = home();
          const envToken = process.env.GRAYMESH_TOKEN;
          const url = ApiClient.urlOf(h);
          const session = h.readSession();
          const token = envToken || (session?.url === url ? session.token : undefined);
          if (!token) {
            if (session) h.clearSession();
            process.stderr.write('not logged in; commands on this home act with its instance token\n');
            return 0;
          }
          try {
            await new ApiClient(url, token).post('/api/v1/logout', {});
          } catch (err) {
            // An expired or already revoked session is as good as logged out.
            if (!(err instanceof GmError) || err.status !== 401) throw err;
          }
          if (!envToken) h.clearSession();
          process.stdout.write(`logged out${session && !envToken ? ` (${session.username})` : ''}\n`);
          return 0;
        })(),
      ),
    );

  program
    .command('whoami')
    .description('the user commands act as, with their roles')
    .option('-o, --output <format>', 'json or yaml')
    .action((o: { output?: string }) =>
      done(
        (async () => {
          const me = await client().get<Me>('/api/v1/me');
          if (printOut(me, o.output)) return 0;
          process.stdout.write(`${me.user.name} (${me.user.platformRole}${me.user.kind === 'instance' ? ', instance token' : ''})\n`);
          for (const r of me.roles.filter((x) => x.scope !== 'platform')) {
            process.stdout.write(`  ${r.role} in ${r.scope} ${r.workspace ?? r.project ?? ''}\n`);
          }
          return 0;
        })(),
      ),
    );

  const token = program.command('token').description('tokens for Prometheus (scrape /metrics) and applications (send spans)');
  token
    .command('create')
    .description('create a token and print it (it is shown once)')
    .requiredOption('--scope <scope>', 'scrape (read /metrics) or ingest (send spans to /v1/traces, /api/v2/spans)')
    .option('-p, --project <project>', 'limit the token to one project')
    .option('--expires-in <duration>', 'expire after, e.g. 90d (default: never; revoke with token revoke)')
    .option('-o, --output <format>', 'json or yaml (default: the token only)')
    .action((o: { scope: string; project?: string; expiresIn?: string; output?: string }) =>
      done(
        (async () => {
          if (o.scope !== 'scrape' && o.scope !== 'ingest') throw invalid(`--scope ${o.scope}: scrape or ingest`);
          const expiresIn = parseSeconds('--expires-in', o.expiresIn);
          const r = await client().post<TokenItem>('/api/v1/tokens', { scope: o.scope, ...(o.project ? { project: o.project } : {}), ...(expiresIn ? { expiresIn } : {}) });
          if (!printOut(r, o.output)) process.stdout.write(`${r.token}\n`);
          return 0;
        })(),
      ),
    );
  token
    .command('list')
    .description('scoped tokens (never the tokens themselves)')
    .option('-o, --output <format>', 'json or yaml')
    .action((o: { output?: string }) =>
      done(
        (async () => {
          const r = await client().get<{ items: TokenItem[] }>('/api/v1/tokens');
          if (printOut(r, o.output)) return 0;
          printTable(
            ['ID', 'SCOPE', 'PROJECT', 'CREATED-BY', 'EXPIRES'],
            r.items.map((t) => [t.id, t.scope, t.project ?? '*', t.createdBy, t.expiresAt ?? 'never']),
          );
          return 0;
        })(),
      ),
    );
  token
    .command('revoke')
    .argument('<id>', 'token id (token list)')
    .action((id: string) =>
      done(
        (async () => {
          await client().request('DELETE', `/api/v1/tokens/${enc(id)}`);
          process.stdout.write(`token ${id} revoked\n`);
          return 0;
        })(),
      ),
    );

  program
    .command('audit')
    .description('the audit log, newest first: every write with who, when and the result, refusals included')
    .option('-p, --project <project>', 'only this project')
    .option('--user <user>', 'only this user')
    .option('--limit <n>', 'at most this many entries (default 100)')
    .option('-o, --output <format>', 'json or yaml')
    .action((o: { project?: string; user?: string; limit?: string; output?: string }) =>
      done(
        (async () => {
          const q = new URLSearchParams();
          if (o.project) q.set('project', o.project);
          if (o.user) q.set('user', o.user);
          if (o.limit) q.set('limit', o.limit);
          const r = await client().get<{ items: AuditItem[] }>(`/api/v1/audit${q.size > 0 ? `?${q}` : ''}`);
          if (printOut(r, o.output)) return 0;
          printTable(
            ['TIME', 'USER', 'ACTION', 'PROJECT', 'RESULT', 'MESSAGE'],
            r.items.map((e) => [e.time, e.user, `${e.method} ${e.path}`, e.project ?? '-', `${e.result} ${e.status}`, e.message ?? '']),
          );
          return 0;
        })(),
      ),
    );
}
