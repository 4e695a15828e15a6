/**
 * `graymesh kubeconfig [--user NAME --password-stdin]`: a kubeconfig for the Kubernetes API
 * `up --kube-port` serves. The token is a login session of that user (the instance's admin by
 * default, logged in with the home's admin password, or the instance token when that password
 * was changed); a context per project the user can see.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { GmError, invalid, unavailable } from '../../api/errors.js';
import type { Namespace } from '../../api/objects.js';
import { kubeconfig } from '../../kubeapi/kubeconfig.js';
import type { Home } from '../../runtime/home.js';
import { ApiClient } from '../client.js';
import { readPasswordStdin } from './auth.js';

type Done = (p: Promise<number>) => Promise<void>;

async function login(url: string, user: string, password: string): Promise<string> {
  const r = await new ApiClient(url, '').post<{ token: string }>('/api/v1/login', { username: user, password });
  return r.token;
}

export async function writeKubeconfig(home: Home, o: { user?: string; passwordStdin?: boolean }): Promise<string> {
  const inst = home.readInstance();
  if (!inst?.kubeUrl) throw unavailable(`the Kubernetes API is not running on ${home.dir}; start graymesh with up --kube-port N (e.g. 6443)`);
  const url = ApiClient.urlOf(home);
  let user = o.user ?? 'admin';
  let token: string;
  if (o.user !== undefined) {
    token = await login(url, o.user, readPasswordStdin(o.passwordStdin, 'kubeconfig'));
  } else {
    if (o.passwordStdin) throw invalid('kubeconfig: --password-stdin needs --user NAME');
    try {
      token = await login(url, 'admin', home.adminCredentials().password);
    } catch (err) {
      if (!(err instanceof GmError) || err.status !== 401) throw err;
      token = home.adminToken();
      user = 'admin';
    }
  }
  const projects = await new ApiClient(url, token).get<{ items: Namespace[] }>('/api/v1/projects');
  const caPem = readFileSync(path.join(home.dir, 'kube-api.crt'), 'utf8');
  return kubeconfig({ server: inst.kubeUrl, caPem, user, token, projects: projects.items.map((p) => p.metadata.name) });
}

export function registerKubeconfigCommand(program: Command, home: () => Home, done: Done): void {
  program
    .command('kubeconfig')
    .description('print a kubeconfig for kubectl (up --kube-port): a token of this user (default the admin) and a context per project')
    .option('--user <name>', 'log in as this account (the password on stdin with --password-stdin)')
    .option('--password-stdin', 'read the password from stdin')
    .action((o: { user?: string; passwordStdin?: boolean }) =>
      done(
        (async () => {
          process.stdout.write(await writeKubeconfig(home(), o));
          return 0;
        })(),
      ),
    );
}
