/**
 * Validation of every object a user can apply, as pure functions: the schema of each kind
 * (strict, as `kubectl apply --validate=strict`), Istio's semantic rules (pilot's validation),
 * and cross-object analysis (as `istioctl analyze`).
 */
export { analyze, qualifyHost } from './analyze.js';
export { parseIstioDuration } from './duration.js';
export { formatIssue, type ValidationIssue, type ValidationResult } from './issues.js';
export { KIND_DEFS, kindInfo, type KindDef, type KindInfo } from './kinds.js';
export { compileRe2, re2Error, Re2Error } from './re2.js';
export { validateObject } from './validate.js';
