/**
 * An answer the proxy makes itself (no route, overflow, fault abort, timeout), as Envoy's local
 * replies. To a gRPC request it is a gRPC answer, as Envoy makes it: HTTP 200, trailers-only,
 * grpc-status mapped from the HTTP status (or the one given) and the text as grpc-message.
 */
import type { DownstreamResponse } from '../downstream.js';
import { encodeGrpcMessage, grpcStatusForHttp } from '../grpc/status.js';
import type { RequestRecord } from '../request-record.js';

/** Answers `status` with a plain-text body; when the head is already out, the client's connection is cut instead. */
export function localReply(res: DownstreamResponse, rec: RequestRecord, status: number, body: string): void {
  if (rec.grpc) return grpcReply(res, rec, grpcStatusForHttp(status), body);
  rec.status = status;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  rec.bytesSent = Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': rec.bytesSent });
  res.end(body);
}

/** A trailers-only gRPC answer: status 200 and grpc-status `code` in one HEADERS frame. */
export function grpcReply(res: DownstreamResponse, rec: RequestRecord, code: number, message: string): void {
  rec.status = 200;
  rec.grpcStatus = code;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message.trimEnd()) });
  res.end();
}
