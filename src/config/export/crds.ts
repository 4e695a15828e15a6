/**
 * graymesh's own kinds as CustomResourceDefinitions (apiextensions.k8s.io/v1), their
 * openAPIV3Schema generated from the same field tables the validator checks
 * (src/config/validate/schema/schema.ts notation), so the cluster and `graymesh apply` accept the
 * same shapes. The schemas are structural, as Kubernetes requires of v1 CRDs:
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
import type { KubeObject } from '../../api/objects.js';
import { KIND_DEFS, type KindDef } from '../validate/kinds.js';
import type { TypeTable } from '../validate/schema/schema.js';

/** A JSONSchemaProps node of a CRD's openAPIV3Schema. */
export interface JsonSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JsonSchemaProps>;
  required?: string[];
  items?: JsonSchemaProps;
  additionalProperties?: JsonSchemaProps;
  enum?: string[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message: string }[];
}

/** The label every object graymesh generates for a cluster carries, so they can be listed together. */
export const PART_OF = { 'app.kubernetes.io/part-of': 'graymesh' };

/** The schema of one field type expression (`[]Destination`, `enum:A|B`, `string`). */
export function schemaOf(expr: string, table: TypeTable, stack: string[] = []): JsonSchemaProps {
  const type = expr.replace(/!$/, '');
  if (type.startsWith('[]')) return { type: 'array', items: schemaOf(type.slice(2), table, stack) };
  if (type.startsWith('{}')) return { type: 'object', additionalProperties: schemaOf(type.slice(2), table, stack) };
  if (type.startsWith('enum:')) return { type: 'string', enum: type.slice(5).split('|') };
  switch (type) {
    case 'string':
    case 'duration':
    case 'duration0':
      return { type: 'string' };
    case 'integer':
    case 'number':
    case 'boolean':
      return { type };
    case 'int-or-string':
      return { 'x-kubernetes-int-or-string': true };
    case 'any':
      return { 'x-kubernetes-preserve-unknown-fields': true };
    default: {
      const fields = table[type];
      if (fields === undefined) throw new Error(`crd: unknown type ${type}`);
      // A structural schema cannot recurse; a recursive type keeps its unknown fields below the loop.
      if (stack.includes(type)) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      return objectSchema(fields, table, [...stack, type]);
    }
  }
}

function objectSchema(fields: Readonly<Record<string, string>>, table: TypeTable, stack: string[]): JsonSchemaProps {
  const properties: Record<string, JsonSchemaProps> = {};
  const required: string[] = [];
  for (const [name, expr] of Object.entries(fields)) {
    properties[name] = schemaOf(expr, table, stack);
    if (expr.endsWith('!')) required.push(name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

/** The openAPIV3Schema of a kind: apiVersion, kind, metadata and the kind's top-level fields. */
export function kindSchema(def: KindDef): JsonSchemaProps {
  const top = objectSchema(def.fields, def.types, []);
  top.properties = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    ...top.properties,
  };
  // Status is written by the engine; keep whatever it holds.
  if (top.properties.status) top.properties.status = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return top;
}

function defOf(kind: string): KindDef {
  const def = KIND_DEFS.find((d) => d.kind === kind);
  if (!def) throw new Error(`crd: no kind ${kind}`);
  return def;
}

export interface CrdOptions {
  singular: string;
  shortNames: readonly string[];
  printerColumns?: { name: string; type: string; jsonPath: string; description?: string }[];
  statusSubresource: boolean;
  description: string;
  validations?: { rule: string; message: string }[];
}

/** A CustomResourceDefinition of a kind, its schema from the kind's field table. */
export function crd(def: KindDef, o: CrdOptions): KubeObject {
  const [group, version] = (def.apiVersions[0] as string).split('/') as [string, string];
  const schema = kindSchema(def);
  schema.description = o.description;
  const spec = schema.properties?.spec;
  if (spec && o.validations) spec['x-kubernetes-validations'] = o.validations;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${group}`, labels: { ...PART_OF } },
    spec: {
      group,
      scope: def.namespaced ? 'Namespaced' : 'Cluster',
      names: { kind: def.kind, listKind: `${def.kind}List`, plural: def.plural, singular: o.singular, shortNames: [...o.shortNames] },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          ...(o.statusSubresource ? { subresources: { status: {} } } : {}),
          ...(o.printerColumns ? { additionalPrinterColumns: o.printerColumns } : {}),
        },
      ],
    },
  };
}

/**
 * releases.graymesh.dev: the Release kind. Its structure comes from RELEASE_TYPES; two of the
 * release rules are simple enough for CEL on the API server, the rest are checked by graymesh.
 */
export function releaseCrd(): KubeObject {
  const def = defOf('Release');
  return crd(def, {
    singular: 'release',
    shortNames: def.short,
    statusSubresource: true,
    description: 'A grayscale release of one service, from its principal version to a new version, by canary, blue-green or mirror.',
    validations: [
      { rule: 'self.principal != self.newVersion.version', message: 'newVersion.version equals the principal version; release a different version' },
      { rule: "self.type != 'bluegreen' || (has(self.routes) && has(self.routes.serve))", message: 'a blue-green release names the version serving 100% in routes.serve' },
    ],
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Service', type: 'string', jsonPath: '.spec.service' },
      { name: 'Principal', type: 'string', jsonPath: '.spec.principal' },
      { name: 'New', type: 'string', jsonPath: '.spec.newVersion.version' },
      { name: 'Governor', type: 'string', jsonPath: '.spec.governor' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}

/**
 * applications.app.k8s.io: the SIG Apps Application kind KubeSphere uses. A cluster that runs
 * KubeSphere or the SIG's controller has it already; exported projects carry it so that
 * `kubectl apply` takes their Application on a bare cluster too.
 */
export function applicationCrd(): KubeObject {
  const def = defOf('Application');
  const out = crd(def, {
    singular: 'application',
    shortNames: def.short,
    statusSubresource: true,
    description: 'Application groups the components of a composed app (kubernetes-sigs/application, v1beta1).',
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.descriptor.type' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
  return out;
}

/** The CRDs of graymesh's kinds, in the order they are applied. */
export function graymeshCrds(): KubeObject[] {
  return [applicationCrd(), releaseCrd()];
}
