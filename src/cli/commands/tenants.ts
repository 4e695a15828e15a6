/** `user`, `workspace` and `member`: accounts, workspaces and who holds which role where. */
import type { Command } from 'commander';
import { invalid } from '../../api/errors.js';
import { dns1123LabelError } from '../../api/names.js';
import type { ApiClient } from '../client.js';
import { age, parseFormat, printData, printTable } from '../output.js';
import { readPasswordStdin } from './auth.js';

type Done = (p: Promise<number>) => Promise<void>;

const enc = encodeURIComponent;

interface UserItem {
  name: string;
  platformRole: string;
  createdAt: string;
  workspaces: { workspace: string; role: string }[];
  projects: { project: string; role: string }[];
}

interface WorkspaceItem {
  name: string;
  createdBy: string;
  createdAt: string;
  projects: string[];
}

interface MemberItem {
  user: string;
  role: string;
  createdAt: string;
}

function name(what: string, v: string | undefined): string {
  const err = dns1123LabelError(v);
  if (err) throw invalid(`${what}: ${err}`);
  return v as string;
}

function printOut(data: unknown, output: string | undefined): boolean {
  const f = parseFormat(output);
  if (f === 'json' || f === 'yaml') {
    printData(data, f);
    return true;
  }
  return false;
}

const run = (done: Done, fn: () => Promise<number>): Promise<void> => done(fn());

export function registerTenantCommands(program: Command, client: () => ApiClient, done: Done): void {
  const user = program.command('user').description('accounts (platform-admin)');
  user
    .command('create')
    .argument('<name>', 'account name')
    .option('--password-stdin', 'read the password from stdin')
    .option('--workspace <workspace>', 'make the user a member of this workspace')
    .option('--workspace-role <role>', 'their role there: workspace-regular (default), workspace-viewer or workspace-admin')
    .option('--platform-admin', 'a platform administrator (may do everything)')
    .action((n: string, o: { passwordStdin?: boolean; workspace?: string; workspaceRole?: string; platformAdmin?: boolean }) =>
      run(done, async () => {
        const password = readPasswordStdin(o.passwordStdin, 'user create');
        await client().post('/api/v1/users', {
          name: name('user', n),
          password,
          ...(o.workspace ? { workspace: name('--workspace', o.workspace) } : {}),
          ...(o.workspaceRole ? { workspaceRole: o.workspaceRole } : {}),
          ...(o.platformAdmin ? { platformRole: 'platform-admin' } : {}),
        });
        process.stdout.write(`user ${n} created${o.workspace ? ` in workspace ${o.workspace}` : ''}\n`);
        return 0;
      }),
    );
  user
    .command('list')
    .option('-o, --output <format>', 'json or yaml')
    .action((o: { output?: string }) =>
      run(done, async () => {
        const r = await client().get<{ items: UserItem[] }>('/api/v1/users');
        if (printOut(r, o.output)) return 0;
        printTable(
          ['NAME', 'PLATFORM-ROLE', 'WORKSPACES', 'PROJECTS', 'AGE'],
          r.items.map((u) => [
            u.name,
            u.platformRole,
            u.workspaces.map((w) => `${w.workspace}(${w.role})`).join(',') || '-',
            u.projects.map((p) => `${p.project}(${p.role})`).join(',') || '-',
            age(u.createdAt),
          ]),
        );
        return 0;
      }),
    );
  user
    .command('delete')
    .argument('<name>', 'account name')
    .action((n: string) =>
      run(done, async () => {
        await client().request('DELETE', `/api/v1/users/${enc(name('user', n))}`);
        process.stdout.write(`user ${n} deleted\n`);
        return 0;
      }),
    );
  user
    .command('set-password')
    .description("change a password: your own (stdin: the current password, a newline, the new one), or anyone's as platform-admin (stdin: the new one)")
    .argument('<name>', 'account name')
    .option('--password-stdin', 'read the new password from stdin (for your own: current password, newline, new password)')
    .action((n: string, o: { passwordStdin?: boolean }) =>
      run(done, async () => {
        const text = readPasswordStdin(o.passwordStdin, 'user set-password');
        const [first, second] = text.split(/\r?\n/);
        const body = second !== undefined ? { currentPassword: first, password: second } : { password: first };
        await client().request('PUT', `/api/v1/users/${enc(name('user', n))}/password`, body);
        process.stdout.write(`password of ${n} changed\n`);
        return 0;
      }),
    );

  const ws = program.command('workspace').description('workspaces: groups of projects with their own members');
  ws.command('create')
    .argument('<name>', 'workspace name')
    .action((n: string) =>
      run(done, async () => {
        await client().post('/api/v1/workspaces', { name: name('workspace', n) });
        process.stdout.write(`workspace ${n} created\n`);
        return 0;
      }),
    );
  ws.command('list')
    .option('-o, --output <format>', 'json or yaml')
    .action((o: { output?: string }) =>
      run(done, async () => {
        const r = await client().get<{ items: WorkspaceItem[] }>('/api/v1/workspaces');
        if (printOut(r, o.output)) return 0;
        printTable(['NAME', 'PROJECTS', 'AGE'], r.items.map((w) => [w.name, w.projects.join(',') || '-', age(w.createdAt)]));
        return 0;
      }),
    );
  ws.command('delete')
    .argument('<name>', 'workspace name')
    .action((n: string) =>
      run(done, async () => {
        await client().request('DELETE', `/api/v1/workspaces/${enc(name('workspace', n))}`);
        process.stdout.write(`workspace ${n} deleted\n`);
        return 0;
      }),
    );

  const member = program.command('member').description('members of a project (-p) or a workspace (-w) and their roles');
  const base = (o: { project?: string; workspace?: string }): { path: string; where: string } => {
    if ((o.project === undefined) === (o.workspace === undefined)) throw invalid('member: name a project (-p PROJECT) or a workspace (-w WORKSPACE)');
    return o.project !== undefined
      ? { path: `/api/v1/projects/${enc(name('-p', o.project))}/members`, where: `project ${o.project}` }
      : { path: `/api/v1/workspaces/${enc(name('-w', o.workspace))}/members`, where: `workspace ${o.workspace}` };
  };
  member
    .command('add')
    .argument('<user>', 'account name')
    .option('-p, --project <project>', 'project')
    .option('-w, --workspace <workspace>', 'workspace')
    .requiredOption('--role <role>', 'project-admin, project-regular or project-viewer (-p); workspace-admin, workspace-regular or workspace-viewer (-w)')
    .action((u: string, o: { project?: string; workspace?: string; role: string }) =>
      run(done, async () => {
        const b = base(o);
        await client().post(b.path, { user: name('user', u), role: o.role });
        process.stdout.write(`${u} is ${o.role} in ${b.where}\n`);
        return 0;
      }),
    );
  member
    .command('remove')
    .argument('<user>', 'account name')
    .option('-p, --project <project>', 'project')
    .option('-w, --workspace <workspace>', 'workspace')
    .option('--role <role>', 'ignored; accepted for symmetry with add')
    .action((u: string, o: { project?: string; workspace?: string }) =>
      run(done, async () => {
        const b = base(o);
        await client().request('DELETE', `${b.path}/${enc(name('user', u))}`);
        process.stdout.write(`${u} removed from ${b.where}\n`);
        return 0;
      }),
    );
  member
    .command('list')
    .option('-p, --project <project>', 'project')
    .option('-w, --workspace <workspace>', 'workspace')
    .option('-o, --output <format>', 'json or yaml')
    .action((o: { project?: string; workspace?: string; output?: string }) =>
      run(done, async () => {
        const r = await client().get<{ items: MemberItem[] }>(base(o).path);
        if (printOut(r, o.output)) return 0;
        printTable(['USER', 'ROLE', 'AGE'], r.items.map((m) => [m.user, m.role, age(m.createdAt)]));
        return 0;
      }),
    );
}
