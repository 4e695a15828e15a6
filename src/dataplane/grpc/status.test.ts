import { describe, expect, it } from 'vitest';
import { encodeGrpcMessage, grpcStatusForHttp, grpcStatusOf, grpcTimeoutMs, isGrpc } from './status.js';

describe('gRPC status and timeout', () => {
  it('knows a gRPC request by its content type, not gRPC-Web', () => {
    expect([isGrpc('application/grpc'), isGrpc('application/grpc+proto'), isGrpc('application/grpc-web'), isGrpc('text/plain'), isGrpc(undefined)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('reads grpc-status from a flat field list, unknown codes as UNKNOWN', () => {
    expect(grpcStatusOf(['content-type', 'application/grpc', 'grpc-status', '14'])).toBe(14);
    expect(grpcStatusOf(['grpc-status', '99'])).toBe(2);
    expect(grpcStatusOf(['grpc-status', 'x'])).toBeUndefined();
    expect(grpcStatusOf(['content-type', 'application/grpc'])).toBeUndefined();
  });

  it("maps the proxy's HTTP statuses as Envoy does", () => {
    expect([400, 401, 403, 404, 429, 503, 504, 500].map(grpcStatusForHttp)).toEqual([13, 16, 7, 12, 14, 14, 14, 2]);
  });

  it('reads grpc-timeout in every unit and refuses malformed ones', () => {
    expect(['1H', '2M', '3S', '200m', '5000u', '7000000n'].map(grpcTimeoutMs)).toEqual([3_600_000, 120_000, 3000, 200, 5, 7]);
    expect(['', 'S', '123456789S', '1s', '-1S', '1.5S'].map(grpcTimeoutMs)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('percent-encodes grpc-message outside printable ASCII', () => {
    expect(encodeGrpcMessage('fault 100% é\n')).toBe('fault 100%25 %C3%A9%0A');
  });
});
