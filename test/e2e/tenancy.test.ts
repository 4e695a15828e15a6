/**
 * Tenants cannot touch each other's traffic, end to end: a project-regular of project evil, who
 * cannot see demo-project, tries through the CLI and the REST API to take over, blackhole or
 * mirror away demo-project's traffic (VirtualService, DestinationRule and Gateway hosts,
 * wildcards, short names, FQDNs, mirror targets, delegation) and is refused each time with the
 * field and the owner, while Bookinfo keeps serving. demo-project's admin lets evil in; evil's
 * rule is enforced; the admin clears the allow; the rule is marked on its status and no longer
 * routed, and applying it again is refused. Every change of the setting is in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Instance, eventually, request, usersOf } from '../helpers/instance.js';

const PASSWORD = 'P@88w0rd';
const P = 'demo-project';
const PAGE_HOST = `productpage.${P}.localhost`;
const PAGE = `productpage.${P}.svc.cluster.local`;
const LET_IN = `name a host of project evil, or have an admin of project ${P} let evil in (graymesh project set ${P} --allow-routes-from evil)`;

interface AuditItem {
  user: string;
  method: string;
  path: string;
  project?: string;
  status: number;
  result: string;
}

const hijack = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'hijack', namespace: 'evil' },
  spec: { hosts: [PAGE], http: [{ fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }, route: [{ destination: { host: PAGE } }] }] },
};

const istio = (kind: string, name: string, spec: unknown): Record<string, unknown> => ({ apiVersion: 'networking.istio.io/v1', kind, metadata: { name }, spec });
const http80 = (hosts: string[]): unknown => ({ servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }] });

describe('tenants cannot touch each other’s traffic', () => {
  const gm = new Instance();
  const tokens: Record<string, string> = {};

  /** Runs the CLI as a user (GRAYMESH_TOKEN), or as the home's own admin. */
  const { as, okAs } = usersOf(gm, tokens);
  const rest = async (user: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: { error?: { message: string }; [k: string]: unknown } }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${tokens[user]}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await request(gm.port, url, headers, method, body === undefined ? undefined : JSON.stringify(body));
    return { status: r.status, json: JSON.parse(r.body) as { error?: { message: string } } };
  };
  /** What productpage answers through the gateway's default host. */
  const page = async (): Promise<number> => (await gm.gateway(PAGE_HOST, '/productpage')).status;

  beforeAll(async () => {
    // Bookinfo in demo-project, as up deploys it.
    const r = await gm.up([]);
    expect(r.code, r.stderr).toBe(0);
    okAs(undefined, ['workspace', 'create', 'demo-workspace']);
    okAs(undefined, ['workspace', 'create', 'evil-workspace']);
    for (const [user, ws] of [['demo-admin', 'demo-workspace'], ['demo-regular', 'demo-workspace'], ['evil-regular', 'evil-workspace']] as const) {
      okAs(undefined, ['user', 'create', user, '--password-stdin', '--workspace', ws], `${PASSWORD}\n`);
      const login = as(undefined, ['login', '--username', user, '--password-stdin', '-o', 'token'], PASSWORD);
      expect(login.code, login.stderr).toBe(0);
      tokens[user] = login.stdout.trim();
    }
    okAs(undefined, ['member', 'add', '-p', P, 'demo-admin', '--role', 'project-admin']);
    okAs(undefined, ['member', 'add', '-p', P, 'demo-regular', '--role', 'project-regular']);
    okAs(undefined, ['project', 'create', 'evil', '--workspace', 'evil-workspace']);
    okAs(undefined, ['member', 'add', '-p', 'evil', 'evil-regular', '--role', 'project-regular']);
    // demo-project claims an ingress name with a Gateway of its own.
    okAs('demo-admin', ['apply', '-p', P, '-f', '-'], JSON.stringify(istio('Gateway', 'bookinfo', http80(['bookinfo.example.com']))));
    await eventually(async () => (await page()) === 200, 60_000, 250);
  }, 180_000);

  afterAll(() => gm.cleanup());

  it('refuses the hijack at apply with the field and the owner, and productpage keeps serving', async () => {
    expect(as('evil-regular', ['get', 'apps', '-p', P]).stderr).toMatch(/project demo-project not found/);
    const r = as('evil-regular', ['apply', '-f', '-'], JSON.stringify(hijack));
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`error: VirtualService hijack: spec.hosts[0]: ${PAGE} belongs to project ${P}; ${LET_IN}`);
    expect(as('evil-regular', ['get', 'vs', 'hijack', '-p', 'evil']).code).not.toBe(0);
    expect(await page()).toBe(200);
  });

  it('refuses every other way in through the REST object routes and the manifest apply', async () => {
    const attempts: [Record<string, unknown>, string][] = [
      [istio('VirtualService', 'short', { hosts: [`productpage.${P}`], http: [{ route: [{ destination: { host: 'web' } }] }] }), `spec.hosts[0]: productpage.${P} (${PAGE}) belongs to project ${P}`],
      [istio('VirtualService', 'wild', { hosts: [`*.${P}.svc.cluster.local`], http: [{ route: [{ destination: { host: 'web' } }] }] }), `spec.hosts[0]: *.${P}.svc.cluster.local belongs to project ${P}`],
      [istio('VirtualService', 'mirror', { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }], mirror: { host: `reviews.${P}.svc.cluster.local` } }] }), `spec.http[0].mirror.host: reviews.${P}.svc.cluster.local belongs to project ${P}`],
      [istio('VirtualService', 'mirrors', { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }], mirrors: [{ destination: { host: `ratings.${P}` } }] }] }), `spec.http[0].mirrors[0].destination.host: ratings.${P} (ratings.${P}.svc.cluster.local) belongs to project ${P}`],
      [istio('VirtualService', 'away', { hosts: ['web'], http: [{ route: [{ destination: { host: `details.${P}.svc` } }] }] }), `spec.http[0].route[0].destination.host: details.${P}.svc (details.${P}.svc.cluster.local) belongs to project ${P}`],
      [istio('VirtualService', 'delegate', { hosts: ['web'], http: [{ delegate: { name: 'reviews', namespace: P } }] }), `spec.http[0].delegate: ${P}/reviews belongs to project ${P}`],
      [istio('DestinationRule', 'steal', { host: `reviews.${P}.svc.cluster.local`, trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 1 } } } }), `spec.host: reviews.${P}.svc.cluster.local belongs to project ${P}`],
      [istio('Gateway', 'default-host', http80([`./${PAGE_HOST}`])), `spec.servers[0].hosts[0]: ${PAGE_HOST} belongs to project ${P}`],
      // demo-project's claim: evil cannot see demo-project, so it is not named.
      [istio('Gateway', 'claim', http80(['bookinfo.example.com'])), 'spec.servers[0].hosts[0]: bookinfo.example.com belongs to another project; name a host of project evil'],
    ];
    for (const [o, expected] of attempts) {
      const kind = o.kind as string;
      const plural = `${kind.toLowerCase()}s`;
      const created = await rest('evil-regular', 'POST', `/api/v1/projects/evil/${plural}`, o);
      expect(created.status, `${kind} ${String((o.metadata as { name: string }).name)}`).toBe(422);
      expect(created.json.error?.message).toContain(`${kind} ${String((o.metadata as { name: string }).name)}: ${expected}`);
      const applied = await rest('evil-regular', 'POST', '/api/v1/apply', { objects: [o], project: 'evil' });
      expect(applied.status).toBe(422);
      expect(applied.json.error?.message).toContain(expected);
    }
    // An object naming demo-project as its namespace, sent to evil's own routes, is not written there.
    const smuggled = { ...istio('VirtualService', 'smuggled', { hosts: ['productpage'], http: [{ fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }, route: [{ destination: { host: 'productpage' } }] }] }), metadata: { name: 'smuggled', namespace: P } };
    const misplaced = await rest('evil-regular', 'POST', '/api/v1/projects/evil/virtualservices', smuggled);
    expect(misplaced.status).toBe(422);
    expect(misplaced.json.error?.message).toBe('VirtualService smuggled: metadata.namespace: "demo-project" is not project evil, where it was sent; remove the field, or send it to that project');
    const release = { apiVersion: 'graymesh.dev/v1alpha1', kind: 'Release', metadata: { name: 'smuggled', namespace: P }, spec: { type: 'canary', service: 'reviews', principal: 'v1', newVersion: { version: 'v9', image: 'kubesphere/examples-bookinfo-reviews-v2:1.13.0' }, routes: { weights: { v1: 0, v9: 100 } } } };
    expect((await rest('evil-regular', 'POST', '/api/v1/projects/evil/releases', release)).status).toBe(422);
    expect(gm.cli(['get', 'vs', 'smuggled', '-p', P]).code).not.toBe(0);
    // Replacing an object of its own with a foreign host is refused the same way.
    const own = istio('VirtualService', 'web', { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] });
    expect((await rest('evil-regular', 'POST', '/api/v1/projects/evil/virtualservices', own)).status).toBe(201);
    const put = await rest('evil-regular', 'PUT', '/api/v1/projects/evil/virtualservices/web', { ...own, spec: { hosts: ['web', PAGE], http: [{ route: [{ destination: { host: 'web' } }] }] } });
    expect(put.status).toBe(422);
    expect(put.json.error?.message).toBe(`VirtualService web: spec.hosts[1]: ${PAGE} belongs to project ${P}; ${LET_IN}`);
    expect(await page()).toBe(200);
  });

  it("confines evil's * Gateway and VirtualService to names nobody owns", async () => {
    const catchall = [
      { ...istio('Gateway', 'catchall', http80(['*'])), metadata: { name: 'catchall', namespace: 'evil' } },
      { ...istio('VirtualService', 'catchall', { hosts: ['*'], gateways: ['catchall'], http: [{ directResponse: { status: 418, body: { string: 'evil\n' } } }] }), metadata: { name: 'catchall', namespace: 'evil' } },
    ];
    okAs('evil-regular', ['apply', '-f', '-'], catchall.map((o) => stringify(o)).join('---\n'));
    expect((await gm.gateway('anything.example.net', '/')).status).toBe(418);
    expect(await page()).toBe(200);
    // demo-project's claimed name is not evil's to catch: no rule of demo-project binds it yet.
    expect((await gm.gateway('bookinfo.example.com', '/productpage')).status).toBe(404);
    expect((await gm.gateway(`nosuch.${P}.localhost`, '/')).status).toBe(404);
  });

  it('lets only project-admin of demo-project change who is let in', () => {
    const regular = as('demo-regular', ['project', 'set', P, '--allow-routes-from', 'evil']);
    expect(regular.code).toBe(1);
    expect(regular.stderr).toMatch(/demo-regular may not change the settings of project demo-project: that needs project-admin/);
    const outsider = as('evil-regular', ['project', 'set', P, '--allow-routes-from', 'evil']);
    expect(outsider.stderr).toMatch(/project demo-project not found/);
  });

  it("enforces evil's rule once demo-project lets evil in, and stops when the allow is cleared", async () => {
    expect(okAs('demo-admin', ['project', 'set', P, '--allow-routes-from', 'evil'])).toContain(`project ${P}: lets the traffic rules of evil name its hosts and route to it`);
    const listed = gm.json<{ metadata: { annotations?: Record<string, string> } }>(['get', 'projects', P]);
    expect(listed.metadata.annotations?.['graymesh.dev/allow-routes-from']).toBe('evil');
    okAs('evil-regular', ['apply', '-f', '-'], JSON.stringify(hijack));
    expect(await page()).toBe(418);

    expect(okAs('demo-admin', ['project', 'set', P, '--no-allow-routes-from'])).toContain(`project ${P}: lets no other project's traffic rules in`);
    expect(await page()).toBe(200);
    const vs = JSON.parse(okAs('evil-regular', ['get', 'vs', 'hijack', '-p', 'evil', '-o', 'json'])) as { status?: { conditions?: Record<string, string>[] } };
    expect(vs.status?.conditions?.find((c) => c.type === 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'HostNotOwned',
      message: expect.stringContaining(`spec.hosts[0]: ${PAGE} belongs to project ${P}`),
    });
    const again = as('evil-regular', ['apply', '-f', '-'], JSON.stringify(hijack));
    expect(again.code).toBe(1);
    expect(again.stderr.split('\n')[0]).toBe(`error: VirtualService hijack: spec.hosts[0]: ${PAGE} belongs to project ${P}; ${LET_IN}`);
  });

  it('audits every change of the setting, the refused one included', () => {
    const log = gm.json<{ items: AuditItem[] }>(['audit', '-p', P, '--limit', '1000']).items;
    const changes = log.filter((e) => e.method === 'PATCH' && e.path === `/api/v1/projects/${P}`).reverse();
    expect(changes.map((e) => `${e.user} ${e.status} ${e.result}`)).toEqual([
      'demo-regular 403 refused',
      // A user who cannot see the project hears of it as missing, and is recorded all the same.
      'evil-regular 404 refused',
      'demo-admin 200 allowed',
      'demo-admin 200 allowed',
    ]);
    expect(changes.every((e) => e.project === P)).toBe(true);
  });
});
