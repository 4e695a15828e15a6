/**
 * DestinationRules whose `tls.credentialName` names a Secret graymesh cannot find get a status
 * condition saying so (`ResolvedCredentials=False, reason SecretNotFound`), removed once every
 * name they give is found; the rule stays in force (its cluster's TLS connections fail with the
 * same reason). Where a Secret is looked up is one function, `findTlsCredential`.
 */
import type { KubeObject } from '../api/objects.js';
import type { Store } from './store.js';

export const CREDENTIALS_CONDITION = 'ResolvedCredentials';
export const SECRET_NOT_FOUND = 'SecretNotFound';

/** The Secret `name` in `namespace` holding TLS credentials, when the store has one. */
export function findTlsCredential(store: Store, namespace: string, name: string): KubeObject | undefined {
  return store.get('Secret', namespace, name);
}

interface TlsAt {
  path: string;
  tls: { mode?: string; credentialName?: string } | undefined;
}

type Policy = { tls?: TlsAt['tls']; portLevelSettings?: { tls?: TlsAt['tls'] }[] } | undefined;

/** Every tls of a DestinationRule's spec, with its path. */
export function tlsSettings(spec: Record<string, unknown> | undefined): TlsAt[] {
  const out: TlsAt[] = [];
  const policy = (p: Policy, at: string): void => {
    if (!p) return;
    out.push({ path: `${at}.tls`, tls: p.tls });
    (p.portLevelSettings ?? []).forEach((s, i) => out.push({ path: `${at}.portLevelSettings[${i}].tls`, tls: s.tls }));
  };
  policy(spec?.trafficPolicy as Policy, 'spec.trafficPolicy');
  ((spec?.subsets as { trafficPolicy?: Policy }[] | undefined) ?? []).forEach((s, i) => policy(s.trafficPolicy, `spec.subsets[${i}].trafficPolicy`));
  return out;
}

/** Why a DestinationRule's credentials are not resolved, one line per name; none when all are. */
export function unresolvedCredentials(store: Store, rule: KubeObject): string[] {
  const ns = rule.metadata.namespace ?? 'default';
  const out: string[] = [];
  for (const { path, tls } of tlsSettings(rule.spec)) {
    const name = tls?.credentialName;
    if (!name || (tls.mode !== 'SIMPLE' && tls.mode !== 'MUTUAL')) continue;
    if (findTlsCredential(store, ns, name)) continue;
    out.push(`${path}.credentialName: Secret "${name}" not found in project ${ns}; create it, or use caCertificates with a PEM file the proxy can read`);
  }
  return out;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** Writes the condition on every DestinationRule whose verdict changed. */
export function recordCredentialVerdicts(store: Store, now: () => Date = () => new Date()): void {
  for (const rule of store.list('DestinationRule')) {
    recordCredentialCondition(store, rule, unresolvedCredentials(store, rule).map((message) => ({ message, reason: SECRET_NOT_FOUND })), now);
  }
}

/** One unresolved credential of an object: the condition's message and reason. */
export interface CredentialProblem {
  message: string;
  reason: string;
}

/**
 * Sets the ResolvedCredentials condition of `obj` (a DestinationRule or a Gateway) to what its
 * problems say, writing only when the verdict changed: none clears it, otherwise False with the
 * messages joined and the reason all problems share (else SecretNotFound).
 */
export function recordCredentialCondition(store: Store, obj: KubeObject, problems: CredentialProblem[], now: () => Date): void {
  const all = (obj.status?.conditions as Condition[] | undefined) ?? [];
  const prior = all.find((c) => c.type === CREDENTIALS_CONDITION);
  const others = all.filter((c) => c.type !== CREDENTIALS_CONDITION);
  const { name, namespace } = obj.metadata;
  if (problems.length === 0) {
    if (prior) store.updateStatus(obj.kind, namespace, name, withConditions(obj.status, others));
    return;
  }
  const message = problems.map((p) => p.message).join(' | ');
  if (prior?.message === message) return;
  const first = problems[0]!.reason;
  const reason = problems.every((p) => p.reason === first) ? first : SECRET_NOT_FOUND;
  const condition: Condition = { type: CREDENTIALS_CONDITION, status: 'False', reason, message, lastTransitionTime: now().toISOString() };
  store.updateStatus(obj.kind, namespace, name, withConditions(obj.status, [...others, condition]));
}

export function withConditions(status: KubeObject['status'], conditions: Condition[]): KubeObject['status'] {
  const { conditions: _old, ...rest } = status ?? {};
  if (conditions.length === 0) return Object.keys(rest).length > 0 ? rest : undefined;
  return { ...rest, conditions };
}
