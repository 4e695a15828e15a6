/**
 * Errors of the Kubernetes API: every failure answers a `Status` object (code, reason, message),
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/. Mapped to
 * graymesh's catalogue so the CLI prints one sentence whatever the engine.
 */
import { GmError } from '../api/errors.js';

const CODES: Record<number, string> = {
  400: 'GM_ERR_BAD_REQUEST',
  401: 'GM_ERR_UNAUTHORIZED',
  403: 'GM_ERR_FORBIDDEN',
  404: 'GM_ERR_NOT_FOUND',
  409: 'GM_ERR_CONFLICT',
  410: 'GM_ERR_GONE',
  422: 'GM_ERR_INVALID',
  504: 'GM_ERR_TIMEOUT',
};

/** A failed API call: HTTP status (0 when unreachable), Status reason and message. */
export class KubeApiError extends GmError {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(CODES[statusCode] ?? 'GM_ERR_UNAVAILABLE', statusCode === 0 ? 503 : statusCode, message);
    this.name = 'KubeApiError';
  }

  /** True for a 409 from a stale resourceVersion (not AlreadyExists). */
  get isConflict(): boolean {
    return this.statusCode === 409 && this.reason === 'Conflict';
  }

  /** True for 410 Gone / Expired: the resourceVersion was compacted; list again. */
  get isGone(): boolean {
    return this.statusCode === 410 || this.reason === 'Expired' || this.reason === 'Gone';
  }
}

/** The error a non-2xx answer means. */
export async function statusError(status: number, text: string, what: string): Promise<KubeApiError> {
  let reason = '';
  let message = text.trim().slice(0, 300);
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    reason = body.reason ?? '';
    if (body.message) message = body.message;
  } catch {
    // not a Status: keep the text
  }
  return new KubeApiError(status, reason, `${what}: ${status}${reason ? ` ${reason}` : ''}: ${message || 'no message'}`);
}

/** The error carried by a watch ERROR event's Status object. */
export function watchError(status: { code?: number; reason?: string; message?: string }): KubeApiError {
  return new KubeApiError(status.code ?? 500, status.reason ?? '', `watch: ${status.code ?? ''} ${status.reason ?? ''}: ${status.message ?? ''}`);
}
