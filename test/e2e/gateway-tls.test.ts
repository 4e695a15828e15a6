/**
 * TLS at the gateway end to end, as Istio's "Secure Gateways" task: Bookinfo behind a Gateway
 * whose port-443 server terminates TLS with a `kubernetes.io/tls` Secret (certificates made
 * with openssl in the test), reached with curl (--cacert, --resolve) at --gateway-tls-port;
 * HTTP/2 by ALPN (openssl s_client -alpn h2, curl --http2); the port-80 server's
 * httpsRedirect; a plaintext request and an unknown SNI refused cleanly while the port serves
 * on; the certificate rotated without a restart; a missing Secret as the Gateway's status;
 * the Secret sealed at rest, its data hidden from `get` unless --show-secrets, and Secrets
 * refused to a project-viewer; the listener kept across `graymesh proxy restart`.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { makeCerts, type TestCerts } from '../helpers/external-api.js';
import { Instance, eventually, request, usersOf } from '../helpers/instance.js';

const P = 'secure-demo';
const HOST = 'bookinfo.example';
const PASSWORD = 'viewer-password-1';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function secret(certs: TestCerts, name = 'bookinfo-credential'): string {
  return stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: P }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(certs.cert), 'tls.key': b64(certs.key) } });
}

const GATEWAY = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: 'bookinfo-gateway', namespace: P },
  spec: {
    selector: { istio: 'ingressgateway' },
    servers: [
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [HOST], tls: { httpsRedirect: true } },
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [HOST], tls: { mode: 'SIMPLE', credentialName: 'bookinfo-credential' } },
    ],
  },
};

const ROUTES = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'bookinfo', namespace: P },
  spec: {
    hosts: [HOST],
    gateways: ['bookinfo-gateway'],
    http: [{ match: [{ uri: { exact: '/productpage' } }, { uri: { prefix: '/static' } }], route: [{ destination: { host: 'productpage', port: { number: 9080 } } }] }],
  },
};

interface Run {
  code: number;
  out: string;
}

/** A command run without blocking the event loop (the instance answers meanwhile). */
function run(cmd: string, args: string[], input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

describe('TLS at the gateway (Secure Gateways)', () => {
  const gm = new Instance();
  const tokens: Record<string, string> = {};
  const { as, okAs } = usersOf(gm, tokens);
  let certs: TestCerts;
  let rotated: TestCerts;
  const url = (p = '/productpage'): string => `https://${HOST}:${gm.gatewayTlsPort}${p}`;
  const curl = (ca: string, extra: string[] = [], p = '/productpage'): Promise<Run> =>
    run('curl', ['-sS', '--max-time', '15', '--cacert', ca, '--resolve', `${HOST}:${gm.gatewayTlsPort}:127.0.0.1`, '-o', '/dev/null', '-w', '%{http_code} %{http_version}', ...extra, url(p)]);
  const sClient = (name: string, alpn = 'h2,http/1.1'): Promise<Run> =>
    run('openssl', ['s_client', '-connect', `127.0.0.1:${gm.gatewayTlsPort}`, '-servername', name, '-alpn', alpn, '-CAfile', certs.caFile], 'Q\n');

  beforeAll(async () => {
    certs = makeCerts([HOST]);
    rotated = makeCerts([HOST]);
    const r = await gm.up(['--no-sample']);
    expect(r.code, r.stderr).toBe(0);
    okAs(undefined, ['project', 'create', P]);
    okAs(undefined, ['deploy', 'bookinfo', '-p', P]);
    // The Secret as kubectl writes it (creationTimestamp: null and all), applied unchanged.
    const made = await run('kubectl', ['create', 'secret', 'tls', 'bookinfo-credential', `--cert=${path.join(certs.dir, 'server.pem')}`, `--key=${path.join(certs.dir, 'server.key')}`, '--dry-run=client', '-o', 'yaml']);
    expect(made.code, made.out).toBe(0);
    okAs(undefined, ['apply', '-f', '-', '-p', P], [made.out, stringify(GATEWAY), stringify(ROUTES)].join('---\n'));
  }, 240_000);

  afterAll(() => {
    gm.cleanup();
    certs?.remove();
    rotated?.remove();
  });

  it('serves Bookinfo over https with the Secret\'s certificate, verified by curl against the test CA', async () => {
    const r = await eventually(async () => {
      const c = await curl(certs.caFile);
      return c.out.startsWith('200') ? c : undefined;
    }, 120_000);
    expect(r.out).toMatch(/^200 /);
  }, 150_000);

  it('negotiates HTTP/2 by ALPN (openssl s_client -alpn h2, curl --http2) and HTTP/1.1 when asked', async () => {
    const h2 = await sClient(HOST, 'h2');
    expect(h2.out).toContain('ALPN protocol: h2');
    expect(h2.out).toMatch(/Verify return code: 0 \(ok\)/);
    expect((await curl(certs.caFile, ['--http2'])).out).toBe('200 2');
    expect((await curl(certs.caFile, ['--http1.1'])).out).toBe('200 1.1');
  });

  it('redirects http to https with 301 (the port-80 server\'s httpsRedirect)', async () => {
    const r = await request(gm.gatewayPort, '/productpage?u=1', { host: HOST });
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`https://${HOST}:${gm.gatewayTlsPort}/productpage?u=1`);
  });

  it('answers a plaintext request to the TLS port 400 and keeps serving', async () => {
    const r = await request(gm.gatewayTlsPort, '/productpage', { host: HOST });
    expect(r.status).toBe(400);
    expect(r.body).toContain('this port speaks TLS');
    expect((await curl(certs.caFile)).out).toMatch(/^200 /);
  });

  it('refuses a handshake for a name no server serves with unrecognized_name, and keeps serving', async () => {
    const r = await sClient('unknown.example');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/unrecognized name/i);
    expect((await curl(certs.caFile)).out).toMatch(/^200 /);
  });

  it('keeps the Secret sealed at rest and its data out of `get` unless --show-secrets', () => {
    const keyB64 = b64(certs.key);
    const files = ['graymesh.db', 'graymesh.db-wal'].map((f) => path.join(gm.home, f));
    for (const f of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch {
        continue;
      }
      expect(bytes.includes(keyB64.slice(0, 40)), `${f} holds the key`).toBe(false);
    }
    expect(statSync(path.join(gm.home, 'secret-key')).mode & 0o777).toBe(0o600);
    const hidden = okAs(undefined, ['get', 'secret', 'bookinfo-credential', '-p', P, '-o', 'yaml']);
    expect(hidden).toContain('REDACTED');
    expect(hidden).not.toContain(keyB64.slice(0, 40));
    expect(okAs(undefined, ['get', 'secrets', '-p', P])).toMatch(/bookinfo-credential\s+kubernetes\.io\/tls\s+2/);
    const shown = okAs(undefined, ['get', 'secret', 'bookinfo-credential', '-p', P, '-o', 'yaml', '--show-secrets']);
    expect(shown).toContain(keyB64.slice(0, 40));
    const audit = okAs(undefined, ['audit', '-p', P, '-o', 'json', '--limit', '1000']);
    expect(audit).toContain('Secret/secure-demo/bookinfo-credential');
    expect(audit).not.toContain(keyB64.slice(0, 40));
  });

  it('refuses Secrets to a project-viewer and a project-regular, who still read the project\'s other objects', () => {
    for (const [user, role] of [['viewer', 'project-viewer'], ['regular', 'project-regular']] as const) {
      okAs(undefined, ['user', 'create', user, '--password-stdin'], `${PASSWORD}\n`);
      okAs(undefined, ['member', 'add', '-p', P, user, '--role', role]);
      const login = as(undefined, ['login', '--username', user, '--password-stdin', '-o', 'token'], PASSWORD);
      expect(login.code, login.stderr).toBe(0);
      tokens[user] = login.stdout.trim();
      expect(okAs(user, ['get', 'gw', '-p', P])).toContain('bookinfo-gateway');
      for (const args of [['get', 'secrets', '-p', P], ['get', 'secret', 'bookinfo-credential', '-p', P, '--show-secrets']]) {
        const r = as(user, args);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/^error: .*secrets in project secure-demo.*project-admin/);
      }
    }
    // The project's export, which a viewer may read, carries no Secret data to a viewer.
    const exported = okAs('viewer', ['export', '-p', P, '-o', 'json']);
    expect(exported).toContain('bookinfo-credential');
    expect(exported).not.toContain(b64(certs.key));
    expect(okAs(undefined, ['export', '-p', P, '-o', 'json'])).toContain(b64(certs.key));
    // A regular may change the project's traffic rules, not its Secrets.
    const r = as('regular', ['apply', '-f', '-'], secret(certs, 'sneaky'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*Secret objects in project secure-demo.*project-admin/);
    expect(as(undefined, ['get', 'secret', 'sneaky', '-p', P]).code).not.toBe(0);
  });

  it('serves a rotated certificate on the next handshake, without a restart', async () => {
    okAs(undefined, ['apply', '-f', '-'], secret(rotated));
    await eventually(async () => (await curl(rotated.caFile)).out.startsWith('200'), 30_000);
    const old = await curl(certs.caFile);
    expect(old.out).not.toMatch(/^200/);
  });

  it('marks a Gateway whose Secret is missing, and the port keeps serving its other hosts', async () => {
    const other = {
      ...GATEWAY,
      metadata: { name: 'shop-gateway', namespace: P },
      spec: { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example'], tls: { mode: 'SIMPLE', credentialName: 'shop-credential' } }] },
    };
    okAs(undefined, ['apply', '-f', '-'], stringify(other));
    const gw = await eventually(() => {
      const g = gm.json<{ status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } }>(['get', 'gw', 'shop-gateway', '-p', P]);
      return g.status?.conditions?.find((c) => c.type === 'ResolvedCredentials');
    });
    expect(gw).toMatchObject({ status: 'False', reason: 'SecretNotFound' });
    expect(gw.message).toContain('Secret "shop-credential" not found in project secure-demo');
    expect((await sClient('shop.example')).out).toMatch(/unrecognized name/i);
    expect((await curl(rotated.caFile)).out).toMatch(/^200 /);
  });

  it('refuses a TLS Secret whose key is not its certificate\'s, naming the field', () => {
    const bad = stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad', namespace: P }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(certs.cert), 'tls.key': b64(rotated.key) } });
    const r = as(undefined, ['apply', '-f', '-'], bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Secret bad: data\["tls.key"\]: is not the key of the certificate/);
  });

  it('pipes a PASSTHROUGH server\'s connections by SNI to the tls: route, the workload terminating TLS itself', async () => {
    const own = makeCerts(['nginx.example']);
    try {
      const app = `require('node:https').createServer({ cert: require('node:fs').readFileSync(process.env.CERT), key: require('node:fs').readFileSync(process.env.KEY) },
        (req, res) => res.end('workload tls, sni ' + req.socket.servername)).listen(Number(process.env.PORT), '127.0.0.1');`;
      const docs = [
        {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx-v1', namespace: P },
          spec: {
            selector: { matchLabels: { app: 'nginx', version: 'v1' } },
            template: {
              metadata: { labels: { app: 'nginx', version: 'v1' } },
              spec: { containers: [{ name: 'nginx', image: 'node:20', command: ['node', '-e', app], readinessProbe: { tcpSocket: { port: 8443 } },
                env: [{ name: 'CERT', value: path.join(own.dir, 'server.pem') }, { name: 'KEY', value: path.join(own.dir, 'server.key') }] }] },
            },
          },
        },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', namespace: P }, spec: { selector: { app: 'nginx' }, ports: [{ name: 'https', port: 443 }] } },
        {
          apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'nginx-gateway', namespace: P },
          spec: { servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['nginx.example'], tls: { mode: 'PASSTHROUGH' } }] },
        },
        {
          apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'nginx', namespace: P },
          spec: { hosts: ['nginx.example'], gateways: ['nginx-gateway'], tls: [{ match: [{ port: 443, sniHosts: ['nginx.example'] }], route: [{ destination: { host: 'nginx', port: { number: 443 } } }] }] },
        },
      ];
      okAs(undefined, ['apply', '-f', '-'], docs.map((d) => stringify(d)).join('---\n'));
      const body = await eventually(async () => {
        const r = await run('curl', ['-sS', '--max-time', '10', '--cacert', own.caFile, '--resolve', `nginx.example:${gm.gatewayTlsPort}:127.0.0.1`, `https://nginx.example:${gm.gatewayTlsPort}/`]);
        return r.code === 0 ? r.out : undefined;
      }, 60_000);
      expect(body).toBe('workload tls, sni nginx.example');
      // Counted as TCP traffic from the gateway to the service, as every byte stream is.
      const opened = await eventually(async () => {
        const m = await request(gm.port, '/metrics', { authorization: `Bearer ${gm.adminCredential('token')}` });
        return m.body.split('\n').find((l) => l.startsWith('istio_tcp_connections_opened_total{') && l.includes('reporter="source"') && l.includes(`destination_service="nginx.${P}.svc.cluster.local"`));
      });
      expect(opened).toContain('source_workload="istio-ingressgateway"');
      // Bookinfo's terminated server is untouched beside it.
      expect((await curl(rotated.caFile)).out).toMatch(/^200 /);
    } finally {
      own.remove();
    }
  }, 90_000);

  it('keeps the TLS listener across `graymesh proxy restart`, with no failed request', async () => {
    const restart = gm.cliAsync(['proxy', 'restart']);
    let finished = false;
    void restart.then(() => (finished = true));
    const results: string[] = [];
    // Sequential https requests while the successor takes over (bounded: 200 at most).
    while (!finished && results.length < 200) results.push((await curl(rotated.caFile)).out);
    const r = await restart;
    expect(r.code, r.stderr).toBe(0);
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((x) => !x.startsWith('200'))).toEqual([]);
    expect((await curl(rotated.caFile)).out).toMatch(/^200 /);
  }, 90_000);

  it('serves https again on the same socket after the proxy is killed', async () => {
    const pid = gm.json<{ proxies: { pid: number }[] }>(['status']).proxies[0]!.pid;
    process.kill(pid, 'SIGKILL');
    // The connection waits in the kernel's queue of the socket the control plane kept, and the successor answers it.
    expect((await curl(rotated.caFile)).out).toMatch(/^200 /);
  }, 60_000);
});
