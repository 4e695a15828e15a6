/**
 * OpenAPI v3 as kubectl reads it: /openapi/v3 lists a document per group version, each with
 * the kinds' schemas (generated from the validator's field tables, as the exported CRDs are:
 * src/config/export/crds.ts) marked with `x-kubernetes-group-version-kind`, and paths whose
 * PATCH takes `fieldValidation`, so `kubectl apply` leaves validation to the server (which is
 * strict) and `kubectl explain` finds every field.
 */
import { createHash } from 'node:crypto';
import { kindSchema, schemaOf, type JsonSchemaProps } from '../config/export/crds.js';
import { KIND_DEFS } from '../config/validate/kinds.js';
import { KUBE_TYPES } from '../config/validate/schema/kube-types.js';
import { groupVersionPaths } from './discovery.js';
import { mergeKeyOf } from './patch.js';
import { resourcesOf, type Resource } from './resources.js';

type Schema = JsonSchemaProps & Record<string, unknown>;

const DESCRIPTIONS: Record<string, string> = {
  Namespace: 'A graymesh project: a namespace for its workloads, services and traffic rules.',
  Pod: 'A running instance of a Deployment, started by graymesh as a process on this machine.',
  Service: 'The stable name and port of a component.',
  ServiceAccount: 'An account workloads run as; kept as given.',
  Secret: 'Data kept for workloads, as given.',
  ConfigMap: 'Configuration data kept for workloads, as given.',
  Event: 'A report of something that happened to an object.',
  ReplicaSet: "One revision of a Deployment: its pod template and the pods of it that run; kept by graymesh's workload controller, read-only.",
  Deployment: 'One version of one service: graymesh runs its replicas as processes and rolls out a changed template make-before-break.',
};

/** Adds the strategic merge keys kubectl reads (containers by name, ports by containerPort, ...). */
function withMergeKeys(s: Schema, kind: string, path: string[] = []): Schema {
  const out: Schema = { ...s };
  if (s.properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(s.properties)) {
      let child = withMergeKeys(v as Schema, kind, [...path, k]);
      if (child.type === 'array') {
        const key = mergeKeyOf(k, path, kind);
        if (key) child = { ...child, 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] };
      }
      out.properties[k] = child;
    }
  }
  if (s.items) out.items = withMergeKeys(s.items as Schema, kind, path);
  return out;
}

const plainSchemas: Record<string, () => Schema> = {
  Pod: () => ({ type: 'object', properties: { spec: schemaOf('PodSpec', KUBE_TYPES), status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }),
  ConfigMap: () => ({
    type: 'object',
    properties: {
      data: { type: 'object', additionalProperties: { type: 'string' } },
      binaryData: { type: 'object', additionalProperties: { type: 'string' } },
      immutable: { type: 'boolean' },
    },
  }),
  Event: () => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
  ReplicaSet: () => ({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          selector: { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } } },
          template: schemaOf('PodTemplateSpec', KUBE_TYPES),
        },
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  }),
};

/** The schema of a kind, with apiVersion, kind and the full ObjectMeta. */
export function schemaOfKind(kind: string): Schema {
  const def = KIND_DEFS.find((d) => d.kind === kind);
  const body = (def ? kindSchema(def) : (plainSchemas[kind]?.() ?? { type: 'object' })) as Schema;
  const schema: Schema = {
    ...body,
    description: body.description ?? DESCRIPTIONS[kind] ?? `graymesh ${kind}`,
    properties: {
      ...body.properties,
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { ...schemaOf('ObjectMeta', KUBE_TYPES), description: "Standard object's metadata." },
    },
  };
  return withMergeKeys(schema, kind);
}

const schemaName = (r: Resource, version: string): string => `dev.graymesh.${r.group === '' ? 'core' : r.group}.${version}.${r.kind}`;

const QUERY = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string' }, uniqueItems: true }));

function operations(r: Resource, group: string, version: string, ref: string): Record<string, unknown> {
  const gvk = { group, version, kind: r.kind };
  const op = (action: string, summary: string, withBody: boolean): unknown => ({
    description: summary,
    operationId: `${action}${r.kind}`,
    parameters: QUERY,
    ...(withBody ? { requestBody: { content: { 'application/json': { schema: { $ref: ref } } } } } : {}),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: ref } } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  const prefix = `/${group === '' ? 'api' : `apis/${group}`}/${version}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
  return {
    [prefix]: { get: op('list', `list ${r.kind}`, false), post: op('post', `create a ${r.kind}`, true) },
    [`${prefix}/{name}`]: {
      get: op('get', `read the specified ${r.kind}`, false),
      put: op('put', `replace the specified ${r.kind}`, true),
      patch: op('patch', `partially update the specified ${r.kind}`, true),
      delete: op('delete', `delete a ${r.kind}`, false),
    },
  };
}

/** The OpenAPI v3 document of one group version. */
export function groupVersionDocument(group: string, version: string): unknown {
  const schemas: Record<string, unknown> = {};
  let paths: Record<string, unknown> = {};
  for (const r of resourcesOf(group, version)) {
    const n = schemaName(r, version);
    schemas[n] = { ...schemaOfKind(r.kind), 'x-kubernetes-group-version-kind': [{ group, version, kind: r.kind }] };
    paths = { ...paths, ...operations(r, group, version, `#/components/schemas/${n}`) };
  }
  return { openapi: '3.0.0', info: { title: 'graymesh', version: 'v1.32.0-graymesh' }, paths, components: { schemas } };
}

const hashes = new Map<string, string>();
function hashOf(group: string, version: string): string {
  const k = `${group}/${version}`;
  let h = hashes.get(k);
  if (!h) {
    h = createHash('sha512').update(JSON.stringify(groupVersionDocument(group, version))).digest('hex').slice(0, 64).toUpperCase();
    hashes.set(k, h);
  }
  return h;
}

/** /openapi/v3: where each group version's document is. */
export function openApiRoot(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersionPaths()) paths[gv.path] = { serverRelativeURL: `/openapi/v3/${gv.path}?hash=${hashOf(gv.group, gv.version)}` };
  return { paths };
}

/** The document at /openapi/v3/<path>, or undefined. */
export function openApiDocument(path: string): unknown {
  const gv = groupVersionPaths().find((g) => g.path === path);
  return gv ? groupVersionDocument(gv.group, gv.version) : undefined;
}
