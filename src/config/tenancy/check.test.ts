import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../../api/objects.js';
import { formatIssue } from '../validate/issues.js';
import { checkTenancy, type TenancyCheckOptions } from './check.js';
import { HostOwners } from './owners.js';

const P = 'demo-project';
const ALLOW_HINT = `or have an admin of project ${P} let evil in (graymesh project set ${P} --allow-routes-from evil)`;

/** A manifest written by a tenant of project `ns`, as YAML. */
function obj(yaml: string, ns = 'evil'): KubeObject {
  const o = parse(yaml) as KubeObject;
  return { ...o, apiVersion: 'networking.istio.io/v1', metadata: { ...o.metadata, namespace: ns } };
}

const demoGateway = obj(
  `kind: Gateway
metadata: {name: bookinfo, creationTimestamp: "2025-01-01T00:00:00Z"}
spec:
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [bookinfo.example.com, "*.shop.example.com"]}]`,
  P,
);

function owners(allow: string[] = []): HostOwners {
  return new HostOwners({ projects: [{ name: P, allowRoutesFrom: allow }, { name: 'evil' }], gateways: [demoGateway] });
}

const problems = (o: KubeObject, allow: string[] = [], opts: TenancyCheckOptions = {}): string[] => checkTenancy(o, owners(allow), opts).map(formatIssue);

describe('tenancy check: hosts', () => {
  it("refuses a VirtualService for another project's service, naming the field and the owner", () => {
    const hijack = obj(`kind: VirtualService
metadata: {name: hijack}
spec:
  hosts: [productpage.${P}.svc.cluster.local]
  http: [{fault: {abort: {httpStatus: 418, percentage: {value: 100}}}, route: [{destination: {host: productpage.${P}.svc.cluster.local}}]}]`);
    // The route to the same host is the same problem, reported once.
    expect(problems(hijack)).toEqual([
      `VirtualService hijack: spec.hosts[0]: productpage.${P}.svc.cluster.local belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
    ]);
    const away = obj(`kind: VirtualService
metadata: {name: away}
spec: {hosts: [web], http: [{route: [{destination: {host: productpage.${P}.svc.cluster.local}}]}]}`);
    expect(problems(away)).toEqual([
      `VirtualService away: spec.http[0].route[0].destination.host: productpage.${P}.svc.cluster.local belongs to project ${P}; route to a service of project evil, ${ALLOW_HINT}`,
    ]);
  });

  it('reads short names in the object namespace: reviews is evil’s own, reviews.demo-project and .svc forms are not', () => {
    const vs = obj(`kind: VirtualService
metadata: {name: short}
spec:
  hosts: [reviews, reviews.evil, reviews.${P}, ratings.${P}.svc]
  http: [{route: [{destination: {host: reviews}}]}]`);
    expect(problems(vs)).toEqual([
      `VirtualService short: spec.hosts[2]: reviews.${P} (reviews.${P}.svc.cluster.local) belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
      `VirtualService short: spec.hosts[3]: ratings.${P}.svc (ratings.${P}.svc.cluster.local) belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
    ]);
  });

  it('refuses a DestinationRule and a ServiceEntry for another project’s host', () => {
    const rule = obj(`kind: DestinationRule
metadata: {name: steal}
spec: {host: reviews.${P}.svc.cluster.local, trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: 1}}}}`);
    expect(problems(rule)).toEqual([`DestinationRule steal: spec.host: reviews.${P}.svc.cluster.local belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`]);
    const entry = obj(`kind: ServiceEntry
metadata: {name: shadow}
spec: {hosts: [api.example.net, productpage.${P}.svc.cluster.local], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, endpoints: [{address: 10.0.0.1}]}`);
    expect(problems(entry)).toEqual([
      `ServiceEntry shadow: spec.hosts[1]: productpage.${P}.svc.cluster.local belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
    ]);
  });

  it("refuses Gateway hosts of another project: its default host, its claims, with or without a namespace part", () => {
    const gw = obj(`kind: Gateway
metadata: {name: grab}
spec:
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*", evil.example.com, productpage.${P}.localhost, "${P}/bookinfo.example.com", "./*.${P}.localhost", "*.example.com", "*.x.shop.example.com"]`);
    expect(problems(gw)).toEqual([
      `Gateway grab: spec.servers[0].hosts[2]: productpage.${P}.localhost belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
      `Gateway grab: spec.servers[0].hosts[3]: bookinfo.example.com belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
      `Gateway grab: spec.servers[0].hosts[4]: *.${P}.localhost belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
      `Gateway grab: spec.servers[0].hosts[6]: *.x.shop.example.com belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
    ]);
  });

  it('confines wildcards spanning several projects instead of refusing them; refuses one wholly inside another project', () => {
    const confined = obj(`kind: VirtualService
metadata: {name: everything}
spec:
  hosts: ["*"]
  gateways: [evil-gateway]
  http: [{route: [{destination: {host: web}}]}]`);
    expect(problems(confined)).toEqual([]);
    expect(problems(obj(`kind: DestinationRule
metadata: {name: all}
spec: {host: "*.svc.cluster.local", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}`))).toEqual([]);
    const inside = obj(`kind: VirtualService
metadata: {name: theirs}
spec:
  hosts: ["*.${P}.svc.cluster.local"]
  http: [{route: [{destination: {host: web}}]}]`);
    expect(problems(inside)).toEqual([
      `VirtualService theirs: spec.hosts[0]: *.${P}.svc.cluster.local belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
    ]);
  });

  it("does not name an owner the caller cannot see, unless the host names it itself", () => {
    const gw = obj(`kind: Gateway
metadata: {name: grab}
spec: {servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [bookinfo.example.com, productpage.${P}.localhost]}]}`);
    expect(problems(gw, [], { canSee: () => false })).toEqual([
      'Gateway grab: spec.servers[0].hosts[0]: bookinfo.example.com belongs to another project; name a host of project evil',
      `Gateway grab: spec.servers[0].hosts[1]: productpage.${P}.localhost belongs to project ${P}; name a host of project evil, ${ALLOW_HINT}`,
    ]);
  });
});

describe('tenancy check: destinations and delegation', () => {
  const routes = obj(`kind: VirtualService
metadata: {name: away}
spec:
  hosts: [web]
  http:
  - route: [{destination: {host: web}, weight: 90}, {destination: {host: reviews.${P}}, weight: 10}]
    mirror: {host: productpage.${P}.svc.cluster.local}
    mirrors: [{destination: {host: details.${P}.svc.cluster.local}}, {destination: {host: httpbin.org}}]
  - delegate: {name: reviews-routes, namespace: ${P}}
  tcp: [{route: [{destination: {host: mysql.${P}.svc.cluster.local}}]}]`);

  it('refuses routes, mirrors, TCP routes and delegation into another project; external names stay free', () => {
    expect(problems(routes)).toEqual([
      `VirtualService away: spec.http[0].route[1].destination.host: reviews.${P} (reviews.${P}.svc.cluster.local) belongs to project ${P}; route to a service of project evil, ${ALLOW_HINT}`,
      `VirtualService away: spec.http[0].mirror.host: productpage.${P}.svc.cluster.local belongs to project ${P}; route to a service of project evil, ${ALLOW_HINT}`,
      `VirtualService away: spec.http[0].mirrors[0].destination.host: details.${P}.svc.cluster.local belongs to project ${P}; route to a service of project evil, ${ALLOW_HINT}`,
      `VirtualService away: spec.http[1].delegate: ${P}/reviews-routes belongs to project ${P}; delegate to a VirtualService of project evil, ${ALLOW_HINT}`,
      `VirtualService away: spec.tcp[0].route[0].destination.host: mysql.${P}.svc.cluster.local belongs to project ${P}; route to a service of project evil, ${ALLOW_HINT}`,
    ]);
  });

  it('accepts all of it once the owning project lets evil in, and nothing for a project it does not', () => {
    expect(problems(routes, ['evil'])).toEqual([]);
    expect(problems(routes, ['shop'])).toHaveLength(5);
  });

  it('accepts a project’s own objects, whatever they name of its own', () => {
    const own = obj(
      `kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews, bookinfo.example.com, "*.shop.example.com"]
  gateways: [bookinfo, mesh]
  http: [{route: [{destination: {host: reviews, subset: v1}}], mirror: {host: reviews.${P}.svc.cluster.local, subset: v2}}, {delegate: {name: more}}]`,
      P,
    );
    expect(problems(own)).toEqual([]);
    expect(problems(demoGateway)).toEqual([]);
  });
});
