/**
 * The error catalogue: one stable code, one HTTP status and one message per
 * kind of failure, shared by the API, the CLI and the console. Domain code
 * throws GmError and knows nothing of HTTP; the API maps the status in one place.
 */

export interface ErrorBody {
  error: { code: string; message: string; details?: string[] };
}

export class GmError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'GmError';
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details.length > 0) body.error.details = this.details;
    return body;
  }
}

export const invalid = (message: string, details: string[] = []): GmError =>
  new GmError('GM_ERR_INVALID', 422, message, details);
export const badRequest = (message: string): GmError => new GmError('GM_ERR_BAD_REQUEST', 400, message);
export const notFound = (message: string): GmError => new GmError('GM_ERR_NOT_FOUND', 404, message);
export const conflict = (message: string): GmError => new GmError('GM_ERR_CONFLICT', 409, message);
export const alreadyExists = (message: string): GmError => new GmError('GM_ERR_ALREADY_EXISTS', 409, message);
/** What an engine does not offer, with where to find it instead (a cluster's pod logs: kubectl logs). */
export const notImplemented = (message: string): GmError => new GmError('GM_ERR_NOT_IMPLEMENTED', 501, message);
export const unavailable = (message: string): GmError => new GmError('GM_ERR_UNAVAILABLE', 503, message);
export const timeout = (message: string): GmError => new GmError('GM_ERR_TIMEOUT', 504, message);
export const forbidden = (message: string): GmError => new GmError('GM_ERR_FORBIDDEN', 403, message);
export const unauthorized = (message: string): GmError => new GmError('GM_ERR_UNAUTHORIZED', 401, message);

/** Rebuilds a GmError from an API response body; used by the CLI and console clients. */
export function fromBody(status: number, body: unknown): GmError {
  const e = (body as Partial<ErrorBody> | undefined)?.error;
  if (e && typeof e.message === 'string') {
    return new GmError(e.code ?? 'GM_ERR_UNKNOWN', status, e.message, e.details ?? []);
  }
  return new GmError('GM_ERR_UNKNOWN', status, `the server answered ${status}`);
}
