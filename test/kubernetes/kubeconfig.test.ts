/**
 * kubeconfig as kubectl reads it: merged KUBECONFIG files (first wins), paths relative to their
 * file, base64 `-data`, contexts and their namespace, token files, exec credential plugins, and
 * the in-cluster service account; errors name the file and the fix.
 */
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExecPlugin } from '../../src/kubernetes/exec-credential.js';
import { inClusterConnection, loadKubeconfig } from '../../src/kubernetes/kubeconfig.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-kubeconfig-'));
const b64 = (s: string): string => Buffer.from(s).toString('base64');

writeFileSync(path.join(dir, 'ca.crt'), 'CA FROM FILE');
writeFileSync(
  path.join(dir, 'a.yaml'),
  `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster: {server: "https://dev.example:6443/", certificate-authority: ca.crt}
- name: prod
  cluster: {server: "https://prod.example:6443", certificate-authority-data: ${b64('CA DATA')}, tls-server-name: api.prod}
users:
- name: alice
  user: {client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')}}
- name: bot
  user: {tokenFile: token}
contexts:
- name: dev
  context: {cluster: dev, user: alice}
`,
);
writeFileSync(
  path.join(dir, 'b.yaml'),
  `apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: dev
  cluster: {server: "https://shadowed.example"}
users:
- name: carol
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin.sh, args: [--x], env: [{name: WHO, value: carol}]}
- name: dave
  user: {auth-provider: {name: oidc}}
contexts:
- name: prod
  context: {cluster: prod, user: bot, namespace: demo-project}
- name: exec
  context: {cluster: prod, user: carol}
- name: oidc
  context: {cluster: prod, user: dave}
`,
);
writeFileSync(path.join(dir, 'token'), 'TOKEN\n');

describe('loadKubeconfig', () => {
  const env = { KUBECONFIG: [path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')].join(path.delimiter), HOME: dir };

  it('merges KUBECONFIG files, the first file winning, and reads the current context', () => {
    const c = loadKubeconfig({ env });
    expect(c).toMatchObject({ context: 'dev', server: 'https://dev.example:6443', ca: 'CA FROM FILE', cert: 'CERT', key: 'KEY', namespace: 'default' });
  });

  it('selects a context with its namespace, base64 CA, server name and token file', () => {
    const c = loadKubeconfig({ env, context: 'prod' });
    expect(c).toMatchObject({ server: 'https://prod.example:6443', ca: 'CA DATA', tlsServerName: 'api.prod', tokenFile: path.join(dir, 'token'), namespace: 'demo-project' });
  });

  it('keeps an exec plugin, resolved against its file', () => {
    expect(loadKubeconfig({ env, context: 'exec' }).exec).toMatchObject({ command: './plugin.sh', args: ['--x'], dir });
  });

  it('names what is wrong and the fix', () => {
    expect(() => loadKubeconfig({ env, context: 'nope' })).toThrow(/no context "nope"; the contexts are dev, prod, exec, oidc/);
    expect(() => loadKubeconfig({ env, context: 'oidc' })).toThrow(/auth-provider.*use an exec credential plugin/);
    expect(() => loadKubeconfig({ env: { HOME: path.join(dir, 'none') } })).toThrow(/no kubeconfig found: pass --kubeconfig FILE/);
  });

  it('uses the service account of a pod when there is no kubeconfig', () => {
    const sa = path.join(dir, 'sa');
    mkdirSync(sa, { recursive: true });
    writeFileSync(path.join(sa, 'token'), 'SA');
    writeFileSync(path.join(sa, 'ca.crt'), 'SA CA');
    writeFileSync(path.join(sa, 'namespace'), 'graymesh-system');
    expect(inClusterConnection({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa)).toEqual({
      context: 'in-cluster', server: 'https://10.96.0.1:443', ca: 'SA CA', tokenFile: path.join(sa, 'token'), namespace: 'graymesh-system',
    });
  });
});

describe('exec credential plugins', () => {
  it('runs the plugin with KUBERNETES_EXEC_INFO and its env, and reads the ExecCredential status', async () => {
    const plugin = path.join(dir, 'plugin.sh');
    writeFileSync(plugin, `#!/bin/sh
echo "{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"tok-$WHO-$1\\",\\"expirationTimestamp\\":\\"2030-01-01T00:00:00Z\\"}}"
`);
    chmodSync(plugin, 0o755);
    const c = loadKubeconfig({ env: { KUBECONFIG: [path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')].join(path.delimiter) }, context: 'exec' });
    expect(await runExecPlugin(c.exec!)).toEqual({ token: 'tok-carol---x', expiresAt: Date.parse('2030-01-01T00:00:00Z') });
  });
});
