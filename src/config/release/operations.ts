/**
 * What each release operation does to a Release's spec, and how it is kept
 * in the release's history: pure, and shared by the local engine's release
 * controller and the Kubernetes engine's.
 */
import { invalid } from '../../api/errors.js';
import { releaseVersions } from './compile.js';
import type { Release, ReleaseHistoryEntry, ReleaseSpec } from './types.js';

/** The history keeps the last this many operations. */
export const HISTORY_LIMIT = 100;

/** Changes a spec in place; throws a GmError naming the release when the operation does not apply. */
export type SpecMutation = (spec: ReleaseSpec, r: Release) => void;

/** Refuses weights that name unknown versions, are out of range, or do not sum to 100. */
export function checkWeights(r: Release, weights: Record<string, number>): void {
  const versions = releaseVersions(r);
  const name = `Release ${r.metadata.name}`;
  for (const [v, w] of Object.entries(weights)) {
    if (!versions.includes(v)) throw invalid(`${name}: weights: unknown version "${v}"; this release has ${versions.join(' and ')}`);
    if (!Number.isInteger(w) || w < 0 || w > 100) throw invalid(`${name}: weights.${v}: ${w} is not an integer from 0 to 100`);
  }
  const sum = Object.values(weights).reduce((a, b) => a + b, 0);
  if (sum !== 100) throw invalid(`${name}: weights sum to ${sum}, must be 100`);
}

export const setWeightsOp =
  (weights: Record<string, number>): SpecMutation =>
  (spec, r) => {
    if (spec.type !== 'canary' || !spec.routes.weights) {
      throw invalid(`Release ${r.metadata.name}: set-weights applies to canary releases by traffic ratio; this one is ${spec.type}${spec.routes.match ? ' by request content' : ''}`);
    }
    checkWeights(r, weights);
    spec.routes.weights = weights;
  };

export const takeoverOp =
  (version: string): SpecMutation =>
  (spec, r) => {
    const versions = releaseVersions(r);
    if (!versions.includes(version)) throw invalid(`Release ${r.metadata.name}: unknown version "${version}"; use ${versions.join(' or ')}`);
    spec.governor = version;
  };

export const restoreOp: SpecMutation = (spec) => {
  delete spec.governor;
};

export const rollbackOp: SpecMutation = (spec) => {
  spec.governor = spec.principal;
};

export const setPolicyOp =
  (policy: ReleaseSpec['policy']): SpecMutation =>
  (spec) => {
    spec.policy = policy;
  };

/** The part of a spec an operation changes, as history keeps it (before and after). */
export function releaseSummary(spec: ReleaseSpec): Record<string, unknown> {
  return {
    ...(spec.routes.weights ? { weights: spec.routes.weights } : {}),
    ...(spec.routes.match ? { match: spec.routes.match } : {}),
    ...(spec.routes.serve ? { serve: spec.routes.serve } : {}),
    ...(spec.routes.mirrorPercent !== undefined ? { mirrorPercent: spec.routes.mirrorPercent } : {}),
    governor: spec.governor ?? '',
    policy: spec.policy ?? 'WaitForWorkloadReady',
  };
}

export function historyEntry(user: string, operation: string, before: unknown, after: unknown): ReleaseHistoryEntry {
  return { time: new Date().toISOString(), user, operation, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

export function pushHistory(h: ReleaseHistoryEntry[] | undefined, e: ReleaseHistoryEntry): ReleaseHistoryEntry[] {
  return [...(h ?? []), e].slice(-HISTORY_LIMIT);
}
