/**
 * Errors as the Kubernetes API gives them: a metav1.Status with the reason kubectl reads
 * (NotFound, AlreadyExists, Conflict, Invalid with `details.causes` field paths, Forbidden,
 * Unauthorized, BadRequest, MethodNotAllowed, UnsupportedMediaType), mapped from graymesh's
 * error catalogue.
 */
import { GmError } from '../api/errors.js';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** An error already in the API's terms. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }
}

export const kubeNotFound = (resource: string, name: string, details: StatusDetails = {}): KubeError =>
  new KubeError(404, 'NotFound', `${resource} "${name}" not found`, { name, ...details });
export const kubeAlreadyExists = (resource: string, name: string, details: StatusDetails = {}): KubeError =>
  new KubeError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, ...details });
export const kubeBadRequest = (message: string): KubeError => new KubeError(400, 'BadRequest', message);
export const kubeMethodNotAllowed = (message: string): KubeError => new KubeError(405, 'MethodNotAllowed', message);
export const kubeUnsupportedMediaType = (message: string): KubeError => new KubeError(415, 'UnsupportedMediaType', message);

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  501: 'NotImplemented',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** `Deployment reviews: spec.replicas: must be ...` → the field and the message. */
export function causeOf(detail: string): StatusCause {
  const m = /^[A-Za-z]+ [a-z0-9.-]+: ([A-Za-z][\w.[\]"/-]*(?:\[\d+\])?[\w.[\]"/-]*): (.*)$/.exec(detail);
  if (m) return { reason: 'FieldValueInvalid', field: m[1] as string, message: m[2] as string };
  return { reason: 'FieldValueInvalid', message: detail };
}

/** The Status of any error a handler threw; `what` names the object for Invalid's details. */
export function statusOf(err: unknown, what: { kind?: string; group?: string; name?: string } = {}): Status {
  const base = { kind: 'Status' as const, apiVersion: 'v1' as const, metadata: {}, status: 'Failure' as const };
  if (err instanceof KubeError) {
    return { ...base, code: err.code, reason: err.reason, message: err.message, ...(err.details ? { details: err.details } : {}) };
  }
  if (err instanceof GmError) {
    const reason = err.code === 'GM_ERR_ALREADY_EXISTS' ? 'AlreadyExists' : (REASONS[err.status] ?? 'InternalError');
    const named = { ...(what.name ? { name: what.name } : {}), ...(what.group !== undefined ? { group: what.group } : {}), ...(what.kind ? { kind: what.kind } : {}) };
    if (err.status === 422) {
      const details = err.details.length > 0 ? err.details : [err.message];
      const causes = details.map(causeOf);
      const message = `${what.kind ?? 'object'} "${what.name ?? ''}" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ')}`;
      return { ...base, code: 422, reason, message, details: { ...named, causes } };
    }
    return { ...base, code: err.status, reason, message: err.message, ...(Object.keys(named).length > 0 ? { details: named } : {}) };
  }
  return { ...base, code: 500, reason: 'InternalError', message: 'internal error; see the control plane log' };
}
