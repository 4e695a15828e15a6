/**
 * gRPC over the request path as Envoy carries it: which requests are gRPC
 * (Content-Type application/grpc…), the status of an answer (grpc-status in
 * its head, a trailers-only answer, or in its trailers), Envoy's HTTP-to-gRPC
 * status mapping for the proxy's own answers, and the grpc-timeout field.
 */

/** A gRPC request or answer: Content-Type `application/grpc`, `application/grpc+proto`, … (not gRPC-Web). */
export function isGrpc(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.startsWith('application/grpc') && !contentType.startsWith('application/grpc-web');
}

/** The grpc-status of a flat field list, or undefined without one. */
export function grpcStatusOf(fields: readonly string[] | undefined): number | undefined {
  if (fields === undefined) return undefined;
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'grpc-status') {
      const n = Number(fields[i + 1]);
      if (!Number.isInteger(n) || n < 0) return undefined;
      // A code gRPC does not define reads as UNKNOWN, as gRPC's clients read it.
      return n <= 16 ? n : 2;
    }
  }
  return undefined;
}

/** Envoy's Grpc::Utility::httpToGrpcStatus, after gRPC's doc/http-grpc-status-mapping.md. */
export function grpcStatusForHttp(status: number): number {
  switch (status) {
    case 400:
      return 13; // INTERNAL
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    default:
      return 2; // UNKNOWN
  }
}

/** gRPC's retry conditions in Envoy's retry-on (x-envoy-retry-grpc-on), by the status each names. */
export const GRPC_RETRY_ON: ReadonlyMap<string, number> = new Map([
  ['cancelled', 1],
  ['deadline-exceeded', 4],
  ['resource-exhausted', 8],
  ['internal', 13],
  ['unavailable', 14],
]);

const TIMEOUT_UNITS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** `grpc-timeout` (1-8 digits and a unit, gRPC's PROTOCOL-HTTP2.md) in ms; undefined when absent or malformed. */
export function grpcTimeoutMs(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || value.length < 2 || value.length > 9) return undefined;
  const unit = TIMEOUT_UNITS[value[value.length - 1]!];
  const digits = value.slice(0, -1);
  if (unit === undefined || !/^\d+$/.test(digits)) return undefined;
  return Number(digits) * unit;
}

/** grpc-message as gRPC writes it: percent-encoded outside printable ASCII, and `%` itself. */
export function encodeGrpcMessage(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
