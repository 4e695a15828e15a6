import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { formatIssue, validateObject } from './index.js';

const TESTDATA = new URL('./testdata/', import.meta.url);

/** The documents of a multi-document YAML text, empty ones (a trailing ---) left out. */
function docs(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && d !== undefined);
}

const errorsOf = (text: string): string[] => docs(text).flatMap((d) => validateObject(d).errors.map(formatIssue));
const warningsOf = (text: string): string[] => docs(text).flatMap((d) => validateObject(d).warnings.map(formatIssue));

describe('manifests as users write them', () => {
  // Istio's own samples verbatim (samples/bookinfo/networking, samples/bookinfo/platform/kube)
  // and the manifests of Istio's circuit-breaking and mirroring tasks: all must apply cleanly.
  const files = readdirSync(TESTDATA).filter((f) => f.endsWith('.yaml'));

  it('has the samples', () => {
    expect(files).toEqual(expect.arrayContaining([
      'bookinfo.yaml', 'bookinfo-gateway.yaml', 'destination-rule-all.yaml', 'virtual-service-all-v1.yaml',
      'virtual-service-reviews-50-v3.yaml', 'virtual-service-reviews-test-v2.yaml', 'virtual-service-ratings-test-abort.yaml',
      'fault-injection-details-v1.yaml', 'httpbin-circuit-breaker.yaml', 'httpbin-mirroring.yaml',
    ]));
  });

  /**
   * Warnings the samples earn, as Istio's webhook gives them too: this sample's first rule has
   * no match, so its second rule is never reached ("only the last rule can have no matches").
   */
  const SAMPLE_WARNINGS: Record<string, string[]> = {
    'fault-injection-details-v1.yaml': [
      'VirtualService details: spec.http[1]: never used: spec.http[0] has no match and takes all traffic first; move this rule above it',
    ],
  };

  it.each(files)('%s passes with no errors', (file) => {
    const text = readFileSync(new URL(file, TESTDATA), 'utf8');
    expect(docs(text).length).toBeGreaterThan(0);
    expect(errorsOf(text)).toEqual([]);
    expect(warningsOf(text)).toEqual(SAMPLE_WARNINGS[file] ?? []);
  });

  it.each(files)('%s normalizes Istio kinds to networking.istio.io/v1 and keeps the rest', (file) => {
    for (const doc of docs(readFileSync(new URL(file, TESTDATA), 'utf8'))) {
      const { object } = validateObject(doc);
      const input = doc as { apiVersion: string; kind: string };
      const expected = input.apiVersion.startsWith('networking.istio.io/') ? 'networking.istio.io/v1' : input.apiVersion;
      expect(object?.apiVersion).toBe(expected);
      expect({ ...object, apiVersion: input.apiVersion }).toEqual(doc);
    }
  });
});

describe('normalization', () => {
  it.each(['v1', 'v1beta1', 'v1alpha3'])('networking.istio.io/%s is stored as v1, unchanged otherwise', (v) => {
    const vs = { apiVersion: `networking.istio.io/${v}`, kind: 'Gateway', metadata: { name: 'gw' },
      spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } };
    const { object, errors } = validateObject(vs);
    expect(errors).toEqual([]);
    expect(object).toEqual({ ...vs, apiVersion: 'networking.istio.io/v1' });
    expect(object).not.toBe(vs);
  });
});

/** A one-rule VirtualService for reviews with `http` as its only rule. */
const vs = (http: string): string => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - ${http.trim().split('\n').join('\n    ')}
`;

const dr = (spec: string): string => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  ${spec.trim().split('\n').join('\n  ')}
`;

const deployment = (patch: { selector?: string; labels?: string; podSpec?: string; spec?: string }): string => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1}
spec:
  ${patch.spec ?? 'replicas: 1'}
  selector:
    matchLabels: ${patch.selector ?? '{app: reviews, version: v1}'}
  template:
    metadata:
      labels: ${patch.labels ?? '{app: reviews, version: v1}'}
    spec:
      ${(patch.podSpec ?? 'containers: [{name: reviews, image: "reviews:v1"}]').trim().split('\n').join('\n      ')}
`;

/** [what is wrong, the manifest, every error expected, exactly]. */
const INVALID: [string, string, string[]][] = [
  // --- documents and kinds
  ['not an object', '- a\n- b', ['object: a manifest must be an object with apiVersion, kind, metadata and spec, got a list']],
  ['no apiVersion', 'kind: Service\nmetadata: {name: reviews}', ['Service reviews: apiVersion: required; e.g. networking.istio.io/v1 or apps/v1']],
  ['unknown kind', 'apiVersion: networking.istio.io/v1\nkind: VirtualServise\nmetadata: {name: x}', [
    'VirtualServise x: kind: unknown kind "VirtualServise" (apiVersion networking.istio.io/v1); did you mean "VirtualService"? graymesh supports v1 Namespace, apps/v1 Deployment, v1 Service, v1 ServiceAccount, v1 Secret, app.k8s.io/v1beta1 Application, networking.istio.io/v1 VirtualService, networking.istio.io/v1 DestinationRule, networking.istio.io/v1 Gateway, networking.istio.io/v1 ServiceEntry, graymesh.dev/v1alpha1 Release']],
  ['a kind at the wrong apiVersion', 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}', [
    'Deployment x: apiVersion: "extensions/v1beta1" does not serve Deployment; use apps/v1']],
  ['an Istio kind at an unknown version', 'apiVersion: networking.istio.io/v2\nkind: Gateway\nmetadata: {name: x}', [
    'Gateway x: apiVersion: "networking.istio.io/v2" does not serve Gateway; use networking.istio.io/v1 or networking.istio.io/v1beta1 or networking.istio.io/v1alpha3']],
  ['unknown top-level field', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\nspce: {}', ['Namespace demo: spce: unknown field; did you mean "spec"?']],

  // --- metadata
  ['no name', 'apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}', ['Namespace: metadata.name: required; give the Namespace a name, e.g. reviews']],
  ['Namespace names are DNS-1123 labels', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo.project}', [
    'Namespace demo.project: metadata.name: "demo.project" is not a DNS-1123 label: use lowercase letters, digits and \'-\', starting and ending with a letter or digit']],
  ['Service names are DNS-1123 labels', 'apiVersion: v1\nkind: Service\nmetadata: {name: reviews.v1}\nspec: {ports: [{port: 80}]}', [
    'Service reviews.v1: metadata.name: "reviews.v1" is not a DNS-1123 label: use lowercase letters, digits and \'-\', starting and ending with a letter or digit']],
  ['other names are DNS-1123 subdomains', vs('route: [{destination: {host: reviews}}]').replace('name: reviews}', 'name: Reviews}'), [
    'VirtualService Reviews: metadata.name: "Reviews" is not a DNS-1123 name: use lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit']],
  ['a label value that is a number', 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, labels: {version: 1.0}}', [
    'ServiceAccount sa: metadata.labels.version: must be a string, got the number 1; quote it: "1"']],
  ['a bad label key', 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, labels: {"-app": x}}', [
    'ServiceAccount sa: metadata.labels["-app"]: "-app" is not a valid key: up to 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit']],
  ['unknown metadata field', 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, label: {a: b}}', ['ServiceAccount sa: metadata.label: unknown field; did you mean "labels"?']],
  ['Secret data that is not base64', 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: p}\ndata: {token: "not base64!"}', [
    'Secret s: data.token: must be base64, as Kubernetes keeps Secret data; encode it (base64 -w0 FILE)']],
  ['Secret data sent back as graymesh shows it', 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: p}\ndata: {token: "REDACTED (3 bytes; --show-secrets to see)"}', [
    'Secret s: data.token: holds the placeholder graymesh shows instead of the value; apply the real base64 data (graymesh get secret NAME -o yaml --show-secrets)']],
  ['a TLS Secret without its key', 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: p}\ntype: kubernetes.io/tls\ndata: {tls.crt: "eA=="}', [
    'Secret s: data["tls.key"]: missing or not base64; add the base64 of the PEM private key']],
  ['a TLS Secret whose certificate is no PEM', 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: p}\ntype: kubernetes.io/tls\ndata: {tls.crt: "eA==", tls.key: "eA=="}', [
    expect.stringMatching(/^Secret s: data\["tls.crt"\]: not a PEM certificate \(.*\); put the base64 of the PEM file in it \(base64 -w0 cert.pem\)$/)]],

  // --- Deployment, strict like kubectl apply --validate=strict
  ['unknown Deployment field', deployment({ spec: 'replicaz: 3' }), ['Deployment reviews-v1: spec.replicaz: unknown field; did you mean "replicas"?']],
  ['unknown container field', deployment({ podSpec: 'containers: [{name: reviews, image: "reviews:v1", imagePolicy: Always}]' }), [
    'Deployment reviews-v1: spec.template.spec.containers[0].imagePolicy: unknown field; did you mean "imagePullPolicy"?']],
  ['replicas as a string', deployment({ spec: 'replicas: "3"' }), ['Deployment reviews-v1: spec.replicas: must be a whole number, got the string "3"; write it without quotes']],
  ['negative replicas', deployment({ spec: 'replicas: -1' }), ['Deployment reviews-v1: spec.replicas: -1 is negative; use 0 or more']],
  ['no containers', deployment({ podSpec: 'containers: []' }), [
    'Deployment reviews-v1: spec.template.spec.containers: must not be empty; add at least one container with a name and an image']],
  ['containers missing', deployment({ podSpec: 'serviceAccountName: reviews' }), [
    'Deployment reviews-v1: spec.template.spec.containers: required; add at least one container, e.g. "- name: reviews" with "image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.1"']],
  ['a container without a name', deployment({ podSpec: 'containers: [{image: "reviews:v1"}]' }), [
    'Deployment reviews-v1: spec.template.spec.containers[0].name: required; give the container a name, e.g. reviews']],
  ['a container with neither image nor command', deployment({ podSpec: 'containers: [{name: reviews}]' }), [
    'Deployment reviews-v1: spec.template.spec.containers[0].image: required; add the image to run, or a command to start as a local process']],
  ['selector that does not match the template', deployment({ labels: '{app: reviews}' }), [
    "Deployment reviews-v1: spec.template.metadata.labels: do not match spec.selector; add version: v1 to the template's labels"]],
  ['empty selector', deployment({ selector: '{}' }), [
    'Deployment reviews-v1: spec.selector: empty selector; add matchLabels with the labels of the pod template, e.g. app: reviews and version: v1']],
  ['an unsupported enum value', deployment({ podSpec: 'containers: [{name: reviews, image: "r:1", imagePullPolicy: ifNotPresent}]' }), [
    'Deployment reviews-v1: spec.template.spec.containers[0].imagePullPolicy: unsupported value "ifNotPresent"; did you mean "IfNotPresent"?']],
  ['a container port out of range', deployment({ podSpec: 'containers: [{name: reviews, image: "r:1", ports: [{containerPort: 70000}]}]' }), [
    'Deployment reviews-v1: spec.template.spec.containers[0].ports[0].containerPort: containerPort 70000 is out of range; use 1 to 65535']],
  ['a volume mount of no volume', deployment({ podSpec: 'containers: [{name: reviews, image: "r:1", volumeMounts: [{name: tmp, mountPath: /tmp}]}]' }), [
    'Deployment reviews-v1: spec.template.spec.containers[0].volumeMounts[0].name: no volume named "tmp"; add it to spec.template.spec.volumes, e.g. "- name: tmp" with "emptyDir: {}"']],
  ['restartPolicy Never', deployment({ podSpec: 'restartPolicy: Never\ncontainers: [{name: reviews, image: "r:1"}]' }), [
    'Deployment reviews-v1: spec.template.spec.restartPolicy: "Never" is not allowed in a Deployment; use Always, or remove it']],
  ['a list where an object belongs', deployment({ podSpec: 'containers: [{name: reviews, image: "r:1", resources: [cpu]}]' }), [
    'Deployment reviews-v1: spec.template.spec.containers[0].resources: must be an object with fields such as claims, limits, requests, got a list']],

  // --- Service
  ['Service port out of range', 'apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {ports: [{port: 0, name: http}]}', [
    'Service reviews: spec.ports[0].port: port 0 is out of range; use 1 to 65535']],
  ['Service targetPort out of range', 'apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {ports: [{port: 80, targetPort: 65536}]}', [
    'Service reviews: spec.ports[0].targetPort: targetPort 65536 is out of range; use 1 to 65535']],
  ['Service without ports', 'apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {selector: {app: reviews}}', [
    'Service reviews: spec.ports: required; add the port the service listens on, e.g. "- port: 9080" with "name: http"']],
  ['Service with two unnamed ports', 'apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {ports: [{port: 80}, {port: 81}]}', [
    'Service reviews: spec.ports[0].name: required when a service has several ports; name each, e.g. http',
    'Service reviews: spec.ports[1].name: required when a service has several ports; name each, e.g. http']],

  // --- VirtualService: schema
  ['misspelled route', vs('rout: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].rout: unknown field; did you mean "route"?',
    'VirtualService reviews: spec.http[0]: needs a route, redirect, directResponse or delegate; add route with a destination, e.g. host: reviews']],
  ['a field Istio dropped (abort.percent)', vs('route: [{destination: {host: ratings}}]\nfault: {abort: {percent: 100, httpStatus: 500}}'), [
    'VirtualService reviews: spec.http[0].fault.abort.percent: unknown field; did you mean "percentage"?']],
  ['destination without host', vs('route: [{destination: {subset: v1}}]'), [
    'VirtualService reviews: spec.http[0].route[0].destination.host: required; name the service to send traffic to, e.g. reviews']],
  ['snake_case field', vs('route: [{destination: {host: reviews}}]\nmirror_percentage: {value: 5}'), [
    'VirtualService reviews: spec.http[0].mirror_percentage: unknown field; did you mean "mirrorPercentage"?']],
  ['weight not an integer', vs('route: [{destination: {host: reviews, subset: v1}, weight: 50.5}, {destination: {host: reviews, subset: v2}, weight: 49.5}]'), [
    'VirtualService reviews: spec.http[0].route[0].weight: must be a whole number, got the number 50.5',
    'VirtualService reviews: spec.http[0].route[1].weight: must be a whole number, got the number 49.5']],

  // --- VirtualService: Istio's rules
  ['weights that sum to 90', vs('route: [{destination: {host: reviews, subset: v1}, weight: 40}, {destination: {host: reviews, subset: v2}, weight: 50}]'), [
    'VirtualService reviews: spec.http[0].route: weights sum to 90, must be 100']],
  ['a weight missing among several', vs('route: [{destination: {host: reviews, subset: v1}, weight: 50}, {destination: {host: reviews, subset: v2}}]'), [
    'VirtualService reviews: spec.http[0].route: weights sum to 50, must be 100; give each destination a weight (1 have none)']],
  ['a negative weight', vs('route: [{destination: {host: reviews, subset: v1}, weight: 110}, {destination: {host: reviews, subset: v2}, weight: -10}]'), [
    'VirtualService reviews: spec.http[0].route[1].weight: -10 is negative; use a whole number from 0 to 100']],
  ['a timeout without a unit', vs('route: [{destination: {host: reviews}}]\ntimeout: "10"'), [
    'VirtualService reviews: spec.http[0].timeout: "10" is not a duration; write a number with a unit, e.g. "5s", "500ms" or "1m"']],
  ['a timeout under 1ms', vs('route: [{destination: {host: reviews}}]\ntimeout: 0s'), [
    'VirtualService reviews: spec.http[0].timeout: "0s" is shorter than 1ms; use at least "1ms"']],
  ['perTryTimeout under 1ms', vs('route: [{destination: {host: reviews}}]\nretries: {attempts: 3, perTryTimeout: 500us}'), [
    'VirtualService reviews: spec.http[0].retries.perTryTimeout: "500us" is shorter than 1ms; use at least "1ms"']],
  ['an uppercase header name', vs('match: [{headers: {End-User: {exact: jason}}}]\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].match[0].headers["End-User"]: header names must be lowercase; write "end-user"']],
  ['a lookahead', vs('match: [{uri: {regex: "/api(?!/internal).*"}}]\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].match[0].uri.regex: invalid RE2 regex: lookaround (?! is not supported by RE2; match the text itself instead']],
  ['a lookbehind', vs('match: [{headers: {cookie: {regex: "(?<=user=)jason"}}}]\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].match[0].headers.cookie.regex: invalid RE2 regex: lookaround (?<= is not supported by RE2; match the text itself instead']],
  ['a backreference', vs('match: [{uri: {regex: "/(a)\\\\1"}}]\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].match[0].uri.regex: invalid RE2 regex: backreference \\1 is not supported by RE2; write the repeated text out']],
  ['a named backreference', vs('match: [{uri: {regex: "/(?P<x>a)\\\\k<x>"}}]\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].match[0].uri.regex: invalid RE2 regex: backreference \\k<name> is not supported by RE2; write the repeated text out']],
  // RE2's own parser judges the pattern, and says what it found.
  ['a regex that does not compile', vs('match: [{uri: {regex: "/api/(v1"}}]\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].match[0].uri.regex: invalid RE2 regex: missing ): a group is not closed; close it, or write a literal ( as \\(']],
  ['a JavaScript escape RE2 does not have', vs('match: [{headers: {xid: {regex: "\\\\u0041+"}}}]\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].match[0].headers.xid.regex: invalid RE2 regex: invalid escape sequence: \\u; RE2 writes a code point as \\x{41} (up to \\x{10FFFF})']],
  ['a rewrite regex RE2 refuses', vs('match: [{uri: {prefix: /a}}]\nrewrite: {uriRegexRewrite: {match: "^/a/(?=b)", rewrite: /b}}\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].rewrite.uriRegexRewrite.match: invalid RE2 regex: lookaround (?= is not supported by RE2; match the text itself instead']],
  ['two match types in one StringMatch', vs('match: [{uri: {exact: /a, prefix: /b}}]\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0].match[0].uri: sets exact and prefix; a match takes exactly one of exact, prefix or regex']],
  ['rewrite with redirect', vs('redirect: {uri: /v2}\nrewrite: {uri: /v3}'), [
    'VirtualService reviews: spec.http[0]: has both rewrite and redirect; put the new path in redirect.uri and remove rewrite']],
  ['redirect with route', vs('redirect: {uri: /v2}\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0]: has both route and redirect; a rule either forwards or redirects, so remove one']],
  ['directResponse with route', vs('directResponse: {status: 503}\nroute: [{destination: {host: reviews}}]'), [
    'VirtualService reviews: spec.http[0]: has both route and directResponse; a rule either forwards or answers itself, so remove one']],
  ['a rule that does nothing', vs('match: [{uri: {prefix: /}}]'), [
    'VirtualService reviews: spec.http[0]: needs a route, redirect, directResponse or delegate; add route with a destination, e.g. host: reviews']],
  ['fault percentage over 100', vs('route: [{destination: {host: reviews}}]\nfault: {delay: {fixedDelay: 5s, percentage: {value: 150}}}'), [
    'VirtualService reviews: spec.http[0].fault.delay.percentage.value: 150 is out of range; use a percentage from 0 to 100']],
  ['abort with an impossible status', vs('route: [{destination: {host: reviews}}]\nfault: {abort: {httpStatus: 700, percentage: {value: 10}}}'), [
    'VirtualService reviews: spec.http[0].fault.abort.httpStatus: 700 is not an HTTP status to abort with; use 200 to 599, e.g. 503']],
  ['an empty fault', vs('route: [{destination: {host: reviews}}]\nfault: {}'), ['VirtualService reviews: spec.http[0].fault: empty; add abort, delay or both']],
  ['mirrorPercentage over 100', vs('route: [{destination: {host: reviews, subset: v1}}]\nmirror: {host: reviews, subset: v2}\nmirrorPercentage: {value: 101}'), [
    'VirtualService reviews: spec.http[0].mirrorPercentage.value: 101 is out of range; use a percentage from 0 to 100']],
  ['negative retry attempts', vs('route: [{destination: {host: reviews}}]\nretries: {attempts: -1}'), [
    'VirtualService reviews: spec.http[0].retries.attempts: -1 is negative; use 0 to disable retries, or the number of retries, e.g. 3']],
  ['an unknown retryOn condition', vs('route: [{destination: {host: reviews}}]\nretries: {attempts: 3, retryOn: "5xx,conect-failure,503"}'), [
    'VirtualService reviews: spec.http[0].retries.retryOn: "conect-failure" is not a retry condition; did you mean "connect-failure"?']],
  ['retryOn with spaces', vs('route: [{destination: {host: reviews}}]\nretries: {attempts: 3, retryOn: "5xx, reset"}'), [
    'VirtualService reviews: spec.http[0].retries.retryOn: " reset" has spaces; write the conditions separated by commas only, e.g. 5xx,reset']],
  ['retry settings with attempts unset', vs('route: [{destination: {host: reviews}}]\nretries: {perTryTimeout: 2s}'), [
    'VirtualService reviews: spec.http[0].retries.attempts: 0 (or unset) disables retries, yet perTryTimeout is set; set attempts, e.g. 3']],
  ['a subset that is not a DNS label', vs('route: [{destination: {host: reviews, subset: V1}}]'), [
    'VirtualService reviews: spec.http[0].route[0].destination.subset: "V1" is not a valid subset name: use lowercase letters, digits and \'-\', e.g. v1']],
  ['a destination port out of range', vs('route: [{destination: {host: reviews, port: {number: 0}}}]'), [
    'VirtualService reviews: spec.http[0].route[0].destination.port.number: port 0 is out of range; use 1 to 65535']],
  ['"*" host for the mesh', `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: all}
spec: {hosts: ["*"], http: [{route: [{destination: {host: reviews}}]}]}`, [
    'VirtualService all: spec.hosts[0]: "*" is only allowed for gateways; name the service, e.g. reviews, or bind the VirtualService to a Gateway with spec.gateways']],
  ['no routes at all', 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec: {hosts: [reviews]}', [
    'VirtualService reviews: spec: routes nothing; add http rules, e.g. "http: [{route: [{destination: {host: reviews}}]}]"']],
  ['no spec', 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}', [
    'VirtualService reviews: spec: required; add it (an object)']],
  ['a redirect code that is not 3xx', vs('redirect: {uri: /v2, redirectCode: 200}'), [
    'VirtualService reviews: spec.http[0].redirect.redirectCode: 200 is not a redirect; use a 3xx code such as 301 or 302']],
  ['a direct response status out of range', vs('directResponse: {status: 99}'), [
    'VirtualService reviews: spec.http[0].directResponse.status: 99 is not an HTTP status to answer with; use 200 to 599']],
  ['a TCP route without destinations', 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: db}\nspec: {hosts: [mysql], tcp: [{match: [{port: 3306}]}]}', [
    'VirtualService db: spec.tcp[0].route: required; add a destination, e.g. "- destination: {host: mysql}"']],
  ['a single % in a header value', vs('route: [{destination: {host: reviews}}]\nheaders: {request: {set: {x-rate: "50%"}}}'), [
    'VirtualService reviews: spec.http[0].headers.request.set["x-rate"]: has a single %; write %% for a literal percent sign']],

  // --- DestinationRule
  ['a subset without labels', dr('subsets: [{name: v1}]'), [
    "DestinationRule reviews: spec.subsets[0].labels: required; add the labels that select this subset's pods, e.g. version: v1"]],
  ['duplicate subsets', dr('subsets: [{name: v1, labels: {version: v1}}, {name: v1, labels: {version: v2}}]'), [
    'DestinationRule reviews: spec.subsets[1].name: duplicate subset "v1" (also spec.subsets[0]); subset names must be unique']],
  ['a subset name that is not a DNS label', dr('subsets: [{name: v1.0, labels: {version: v1.0}}]'), [
    'DestinationRule reviews: spec.subsets[0].name: "v1.0" is not a valid subset name: use lowercase letters, digits and \'-\', e.g. v1']],
  ['a subset without a name', dr('subsets: [{labels: {version: v1}}]'), [
    "DestinationRule reviews: spec.subsets[0].name: required; name the subset, e.g. v1; routes refer to it as destination.subset"]],
  ['an unknown load balancer', dr('trafficPolicy: {loadBalancer: {simple: round_robin}}'), [
    'DestinationRule reviews: spec.trafficPolicy.loadBalancer.simple: unsupported value "round_robin"; did you mean "ROUND_ROBIN"?']],
  ['consistentHash on two keys', dr('trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user, useSourceIp: true}}}'), [
    'DestinationRule reviews: spec.trafficPolicy.loadBalancer.consistentHash: sets httpHeaderName and useSourceIp; set exactly one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName']],
  ['consistentHash on nothing', dr('trafficPolicy: {loadBalancer: {consistentHash: {minimumRingSize: 1024}}}'), [
    'DestinationRule reviews: spec.trafficPolicy.loadBalancer.consistentHash: says nothing to hash on; set exactly one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName']],
  ['an httpCookie without a name', dr('trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {ttl: 0s}}}}'), [
    'DestinationRule reviews: spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name: required; name the cookie to hash on, e.g. user']],
  ['simple and consistentHash together', dr('trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}'), [
    'DestinationRule reviews: spec.trafficPolicy.loadBalancer: sets both simple and consistentHash; a load balancer uses one, so keep one']],
  ['a negative connection limit', dr('trafficPolicy: {connectionPool: {tcp: {maxConnections: -1}}}'), [
    'DestinationRule reviews: spec.trafficPolicy.connectionPool.tcp.maxConnections: -1 is negative; use 0 or more']],
  ['maxEjectionPercent over 100', dr('trafficPolicy: {outlierDetection: {consecutive5xxErrors: 5, maxEjectionPercent: 120}}'), [
    'DestinationRule reviews: spec.trafficPolicy.outlierDetection.maxEjectionPercent: 120 is out of range; use a percentage from 0 to 100']],
  ['an empty traffic policy', dr('trafficPolicy: {}'), [
    'DestinationRule reviews: spec.trafficPolicy: empty; add connectionPool, loadBalancer, outlierDetection or tls, or remove it']],
  ['a baseEjectionTime without a unit', dr('trafficPolicy: {outlierDetection: {baseEjectionTime: 30}}'), [
    'DestinationRule reviews: spec.trafficPolicy.outlierDetection.baseEjectionTime: must be a duration string such as "5s" or "500ms"']],
  ['MUTUAL TLS without a certificate', dr('trafficPolicy: {tls: {mode: MUTUAL, privateKey: /etc/key.pem}}'), [
    'DestinationRule reviews: spec.trafficPolicy.tls.clientCertificate: required for MUTUAL; add the certificate file, or use credentialName']],
  ['no host', 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {subsets: [{name: v1, labels: {version: v1}}]}', [
    'DestinationRule reviews: spec.host: required; name the service these policies apply to, e.g. reviews']],

  // --- Gateway
  ['a server without a port', 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {servers: [{hosts: ["*"]}]}', [
    'Gateway gw: spec.servers[0].port: required; add the port to listen on, e.g. number: 80, name: http, protocol: HTTP']],
  ['a server without hosts', 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {servers: [{port: {number: 80, name: http, protocol: HTTP}}]}', [
    'Gateway gw: spec.servers[0].hosts: required; list the hosts this server takes, e.g. ["*"] or ["bookinfo.example.com"]']],
  ['a port without a name', 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {servers: [{port: {number: 80, protocol: HTTP}, hosts: ["*"]}]}', [
    'Gateway gw: spec.servers[0].port.name: required; name the port, e.g. http']],
  ['an unknown protocol', 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {servers: [{port: {number: 80, name: http, protocol: HTTP3}, hosts: ["*"]}]}', [
    'Gateway gw: spec.servers[0].port.protocol: unsupported protocol "HTTP3"; use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS or MYSQL']],
  ['HTTPS without TLS settings', 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"]}]}', [
    'Gateway gw: spec.servers[0].tls: required for HTTPS; add tls with mode SIMPLE and credentialName, e.g. bookinfo-credential']],
  ['a short host name', 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec: {servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [productpage]}]}', [
    'Gateway gw: spec.servers[0].hosts[0]: "productpage" is a short name; gateways take fully qualified hosts, e.g. productpage.example.com, or "*"']],
  ['Gateway names are DNS labels', 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: bookinfo.gateway}\nspec: {servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}', [
    'Gateway bookinfo.gateway: metadata.name: "bookinfo.gateway" is not a DNS-1123 label: use lowercase letters, digits and \'-\', starting and ending with a letter or digit']],

  // --- ServiceEntry
  ['no hosts', 'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec: {ports: [{number: 443, name: https, protocol: TLS}]}', [
    'ServiceEntry ext: spec.hosts: required; list the hosts of the service, e.g. [www.googleapis.com]']],
  ['an unknown resolution', 'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec: {hosts: [api.example.com], resolution: dns}', [
    'ServiceEntry ext: spec.resolution: unsupported value "dns"; did you mean "DNS"?']],
  ['a location close to a known one', 'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec: {hosts: [api.example.com], location: EXTERNAL}', [
    'ServiceEntry ext: spec.location: unsupported value "EXTERNAL"; did you mean "MESH_EXTERNAL"?']],
  ['an unknown location', 'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec: {hosts: [api.example.com], location: OUTSIDE}', [
    'ServiceEntry ext: spec.location: unsupported value "OUTSIDE"; use one of MESH_EXTERNAL, MESH_INTERNAL']],
  ['a resolution with a part left out', 'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec: {hosts: [api.example.com], resolution: ROUND_ROBIN}', [
    'ServiceEntry ext: spec.resolution: unsupported value "ROUND_ROBIN"; did you mean "DNS_ROUND_ROBIN"?']],
  ['STATIC endpoints that are names', 'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec: {hosts: [db.example.com], resolution: STATIC, ports: [{number: 5432, name: tcp-db, protocol: TCP}], endpoints: [{address: db1.example.com}]}', [
    'ServiceEntry ext: spec.endpoints[0].address: "db1.example.com" is not an IP address; resolution STATIC takes IPs, so use resolution DNS for host names']],

  // --- Tenancy annotations
  ['an allow list naming something that is no project', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo, annotations: {graymesh.dev/allow-routes-from: "shop, Pay_ments"}}', [
    'Namespace demo: metadata.annotations["graymesh.dev/allow-routes-from"]: "Pay_ments" is not a project name; list projects separated by commas, e.g. "shop,payments"']],
  ['an allow list naming the project itself', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo, annotations: {graymesh.dev/allow-routes-from: "shop,demo"}}', [
    'Namespace demo: metadata.annotations["graymesh.dev/allow-routes-from"]: lists the project itself, whose rules always apply to its own hosts; remove "demo"']],
  ['a Service exported to something that is no namespace', 'apiVersion: v1\nkind: Service\nmetadata: {name: db, annotations: {networking.istio.io/exportTo: "., *"}}\nspec: {ports: [{port: 5432}]}', [
    'Service db: metadata.annotations["networking.istio.io/exportTo"]: mixes "*" with other entries; "*" alone already exports to every namespace']],
];

describe('invalid manifests are refused with a message that names the fix', () => {
  it.each(INVALID)('%s', (_what, text, expected) => {
    const results = docs(text).map((d) => validateObject(d));
    expect(results.flatMap((r) => r.errors.map(formatIssue))).toEqual(expected);
    for (const r of results) expect(r.object).toBeUndefined();
  });
});

/** [what deserves a look, the manifest, every warning expected]; these still apply. */
const WARNED: [string, string, string[]][] = [
  ['a rule after a catch-all', `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: v1}}]
  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: reviews, subset: v2}}]
`, [
    'VirtualService reviews: spec.http[1]: never used: spec.http[0] has no match and takes all traffic first; move this rule above it']],
  ['a single destination with a weight', vs('route: [{destination: {host: reviews}, weight: 50}]'), [
    'VirtualService reviews: spec.http[0].route[0].weight: ignored: a single destination takes all traffic; remove the weight or set it to 100']],
  ['deprecated mirrorPercent', vs('route: [{destination: {host: reviews, subset: v1}}]\nmirror: {host: reviews, subset: v2}\nmirrorPercent: 10'), [
    'VirtualService reviews: spec.http[0].mirrorPercent: deprecated; write mirrorPercentage: {value: 10}']],
  ['deprecated consecutiveErrors', dr('trafficPolicy: {outlierDetection: {consecutiveErrors: 5}}'), [
    'DestinationRule reviews: spec.trafficPolicy.outlierDetection.consecutiveErrors: deprecated; use consecutive5xxErrors or consecutiveGatewayErrors']],
  ['a namespace on a Namespace', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: demo, namespace: default}', [
    'Namespace demo: metadata.namespace: ignored: a Namespace is not in a namespace; remove it']],
];

describe('questionable manifests apply with a warning', () => {
  it.each(WARNED)('%s', (_what, text, expected) => {
    const results = docs(text).map((d) => validateObject(d));
    expect(results.flatMap((r) => r.errors.map(formatIssue))).toEqual([]);
    expect(results.flatMap((r) => r.warnings.map(formatIssue))).toEqual(expected);
  });
});

describe('fields Kubernetes has but graymesh ignores are accepted', () => {
  it('takes a Deployment that uses the breadth of the pod spec', () => {
    const text = deployment({
      spec: 'replicas: 2\n  revisionHistoryLimit: 3\n  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}',
      podSpec: `securityContext: {runAsNonRoot: true, fsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
terminationGracePeriodSeconds: 30
affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: reviews}}}}]}}
tolerations: [{key: dedicated, operator: Equal, value: mesh, effect: NoSchedule}]
volumes: [{name: config, configMap: {name: reviews-config, items: [{key: a, path: a.json}]}}, {name: data, persistentVolumeClaim: {claimName: data}}]
containers:
- name: reviews
  image: "reviews:v1"
  imagePullPolicy: Always
  args: ["--port", "9080"]
  env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
  envFrom: [{configMapRef: {name: reviews-env}}]
  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 1, memory: 1Gi}}
  securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
  readinessProbe: {httpGet: {path: /health, port: http}, periodSeconds: 5}
  livenessProbe: {tcpSocket: {port: 9080}, initialDelaySeconds: 10}
  lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}
  ports: [{name: http, containerPort: 9080, protocol: TCP}]
  volumeMounts: [{name: config, mountPath: /etc/reviews, readOnly: true}, {name: data, mountPath: /data}]`,
    });
    expect(errorsOf(text)).toEqual([]);
  });
});

/** Valid manifests that reach the less common corners of each kind; all must pass cleanly. */
const VALID: [string, string][] = [
  ['a root VirtualService delegating to another', `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bookinfo}
spec:
  hosts: [bookinfo.example.com]
  gateways: [demo/bookinfo-gateway]
  http:
  - match: [{uri: {prefix: /reviews}}]
    delegate: {name: reviews, namespace: demo}
  - route: [{destination: {host: productpage.demo.svc.cluster.local, port: {number: 9080}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: demo}
spec:
  http:
  - match: [{uri: {regex: "(?i)/reviews/[0-9]+"}, headers: {cookie: {regex: "^(.*?;)?(user=jason)(;.*)?$"}}}]
    route: [{destination: {host: reviews, subset: v2}}]
    rewrite: {uriRegexRewrite: {match: "^/reviews/(.*)$", rewrite: "/\\\\1"}}
    retries: {attempts: 3, perTryTimeout: 2s, retryOn: "gateway-error,connect-failure,refused-stream,503"}
    timeout: 10s
    headers: {request: {set: {x-canary: "true"}}, response: {remove: [x-internal]}}
    corsPolicy: {allowOrigins: [{exact: https://example.com}], allowMethods: [GET, POST], maxAge: 24h}
  - route: [{destination: {host: reviews, subset: v1}}]
`],
  ['redirects, direct responses, TLS and TCP routes', `
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: edge}
spec:
  hosts: [login.example.com, db.example.com]
  gateways: [edge-gateway, mesh]
  http:
  - match: [{uri: {exact: /old}}]
    redirect: {uri: /new, redirectCode: 308}
  - match: [{uri: {prefix: /health}}]
    directResponse: {status: 200, body: {string: ok}}
  - route: [{destination: {host: login}}]
    mirrors: [{destination: {host: login, subset: v2}, percentage: {value: 5}}]
  tls:
  - match: [{sniHosts: [login.example.com], port: 443}]
    route: [{destination: {host: login, port: {number: 443}}}]
  tcp:
  - match: [{port: 3306, destinationSubnets: [10.0.0.0/16]}]
    route: [{destination: {host: mysql, subset: v1}, weight: 70}, {destination: {host: mysql, subset: v2}, weight: 30}]
`],
  ['a DestinationRule with every kind of policy', `
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews.demo.svc.cluster.local
  exportTo: ["."]
  trafficPolicy:
    loadBalancer:
      consistentHash: {httpCookie: {name: user, ttl: 0s, path: /}}
    connectionPool:
      tcp: {maxConnections: 100, connectTimeout: 30ms, tcpKeepalive: {time: 7200s, interval: 75s}}
      http: {http2MaxRequests: 1000, maxRequestsPerConnection: 10, idleTimeout: 1h, h2UpgradePolicy: UPGRADE}
    outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m, maxEjectionPercent: 50}
    tls: {mode: ISTIO_MUTUAL}
    portLevelSettings:
    - port: {number: 9080}
      loadBalancer: {simple: LEAST_REQUEST}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer:
        simple: ROUND_ROBIN
        localityLbSetting: {enabled: true, distribute: [{from: us-west/zone1/*, to: {"us-west/zone1/*": 80, "us-west/zone2/*": 20}}]}
`],
  ['an HTTPS Gateway redirecting HTTP', `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bookinfo-gateway}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [bookinfo.example.com]
    tls: {httpsRedirect: true}
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [./bookinfo.example.com]
    tls: {mode: SIMPLE, credentialName: bookinfo-credential}
`],
  ['ServiceEntries with STATIC and DNS resolution', `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external-db}
spec:
  hosts: [db.internal.example.com]
  addresses: [192.168.10.0/24]
  ports: [{number: 5432, name: tcp-postgres, protocol: TCP}]
  location: MESH_INTERNAL
  resolution: STATIC
  endpoints:
  - address: 192.168.10.5
    ports: {tcp-postgres: 15432}
    labels: {version: v1}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: wildcard-apis}
spec:
  hosts: ["*.googleapis.com"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  location: MESH_EXTERNAL
  resolution: NONE
`],
  ['a KubeSphere Application', `
apiVersion: app.k8s.io/v1beta1
kind: Application
metadata:
  name: bookinfo
  annotations: {servicemesh.kubesphere.io/enabled: "true"}
  labels: {app.kubernetes.io/name: bookinfo, app.kubernetes.io/version: v1}
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: bookinfo, app.kubernetes.io/version: v1}
  addOwnerRef: true
  componentKinds:
  - {group: "", kind: Service}
  - {group: apps, kind: Deployment}
  - {group: networking.istio.io, kind: VirtualService}
  descriptor:
    icons: [{src: /assets/bookinfo.svg}]
`],
  ['a Namespace with governance on', `
apiVersion: v1
kind: Namespace
metadata:
  name: demo-project
  annotations: {graymesh.dev/governance: "true", graymesh.dev/allow-routes-from: "shop,payments"}
  labels: {istio-injection: enabled}
`],
  ['a Service exported to its own namespace and one other', `
apiVersion: v1
kind: Service
metadata:
  name: db
  annotations: {networking.istio.io/exportTo: "., reporting"}
spec:
  ports: [{port: 5432}]
`],
  ['a Service with named ports and a named targetPort', `
apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  type: ClusterIP
  selector: {app: reviews}
  ports:
  - {name: http, port: 9080, targetPort: http, protocol: TCP, appProtocol: http}
  - {name: grpc, port: 9090, targetPort: 9090}
  sessionAffinity: None
`],
];

describe('valid manifests in the less common corners', () => {
  it.each(VALID)('%s', (_what, text) => {
    expect(errorsOf(text)).toEqual([]);
    expect(warningsOf(text)).toEqual([]);
  });
});
