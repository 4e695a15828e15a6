/**
 * Schema checks for manifests meant for a cluster: graymesh's own strict validator (Kubernetes
 * 1.34 and Istio CRD field tables), the upstream models' validators (kubernetes-models 4.5.1 and
 * @kubernetes-models/istio 2.3.0, the last releases that run on Node 20; Istio 2.3.0 predates
 * networking.istio.io/v1, so v1 objects are checked against v1beta1, the same schema), and for
 * graymesh's CRDs, the CRD's own openAPIV3Schema compiled with ajv.
 */
import { Ajv } from 'ajv';
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { DestinationRule, Gateway, ServiceEntry, VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import type { KubeObject } from '../../src/api/objects.js';
import { formatIssue, validateObject } from '../../src/config/validate/index.js';
import type { JsonSchemaProps } from '../../src/config/export/crds.js';

type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, Model> = {
  Namespace: Namespace as unknown as Model,
  Service: Service as unknown as Model,
  ServiceAccount: ServiceAccount as unknown as Model,
  Deployment: Deployment as unknown as Model,
  CustomResourceDefinition: CustomResourceDefinition as unknown as Model,
  VirtualService: VirtualService as unknown as Model,
  DestinationRule: DestinationRule as unknown as Model,
  Gateway: Gateway as unknown as Model,
  ServiceEntry: ServiceEntry as unknown as Model,
};

/** The problems the upstream model validator finds, or [] (kinds it has no model for: none checked). */
export function upstreamProblems(o: KubeObject): string[] {
  const M = MODELS[o.kind];
  if (!M) return [];
  const data = structuredClone(o);
  if (data.apiVersion === 'networking.istio.io/v1') data.apiVersion = 'networking.istio.io/v1beta1';
  try {
    new M(data as never).validate();
    return [];
  } catch (err) {
    return [`${o.kind} ${o.metadata.name}: ${(err as Error).message}`];
  }
}

/** What graymesh's strict validator says of an object (CRDs are not a kind it accepts). */
export function graymeshProblems(o: KubeObject): string[] {
  if (o.kind === 'CustomResourceDefinition') return [];
  return validateObject(o).errors.map(formatIssue);
}

/** The JSON schema a CRD's openAPIV3Schema means, with pruning made strict (unknown fields fail). */
function toJsonSchema(s: JsonSchemaProps): Record<string, unknown> {
  if (s['x-kubernetes-int-or-string']) return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  if (s['x-kubernetes-preserve-unknown-fields']) return {};
  const out: Record<string, unknown> = {};
  if (s.type) out.type = s.type;
  if (s.enum) out.enum = s.enum;
  if (s.required) out.required = s.required;
  if (s.items) out.items = toJsonSchema(s.items);
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toJsonSchema(v)]));
    out.additionalProperties = false;
  } else if (s.additionalProperties) {
    out.additionalProperties = toJsonSchema(s.additionalProperties);
  }
  return out;
}

/** Checks objects of a CRD's kind against its openAPIV3Schema. */
export function crdProblems(crd: KubeObject, o: KubeObject): string[] {
  const version = (crd.spec as { versions: { schema: { openAPIV3Schema: JsonSchemaProps } }[] }).versions[0];
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(toJsonSchema(version!.schema.openAPIV3Schema));
  const head = `${o.kind} ${o.metadata.name}`;
  const ok: boolean = validate(o);
  if (ok) return [];
  return (validate.errors ?? []).map((e) => `${head}: ${e.instancePath} ${e.message ?? ''}`);
}

/**
 * Kubernetes' structural schema rules that matter here: every node has a type, or says it keeps
 * unknown fields or is int-or-string; arrays have items.
 */
export function structuralProblems(s: JsonSchemaProps, path = ''): string[] {
  const out: string[] = [];
  if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) out.push(`${path || '.'}: no type`);
  if (s.type === 'array' && !s.items) out.push(`${path}: array without items`);
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...structuralProblems(v, `${path}.${k}`));
  if (s.items) out.push(...structuralProblems(s.items, `${path}[]`));
  if (s.additionalProperties) out.push(...structuralProblems(s.additionalProperties, `${path}{}`));
  return out;
}
