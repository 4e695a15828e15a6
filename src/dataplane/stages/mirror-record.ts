/**
 * The record of a mirror's copy of a request, as the mirror pod's own proxy
 * would keep it: the caller's request as it was sent (peers, service, trace
 * context unsampled), Host `-shadow`, the mirror pod's status and grpc-status,
 * and the time the copy took. It goes to the record sinks when the copy ends,
 * where it counts at the destination reporter only.
 */
import type { EndpointConfig } from '../../config/snapshot.js';
import { grpcStatusOf } from '../grpc/status.js';
import type { ResponseHandler } from '../http1/client.js';
import type { RequestRecord } from '../request-record.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';

export class MirrorRecord implements ResponseHandler {
  private readonly rec: RequestRecord;

  constructor(
    private readonly main: RequestRecord,
    ep: EndpointConfig,
    authority: string,
    telemetry: RequestTelemetry | undefined,
    private readonly finish: (rec: RequestRecord) => void,
  ) {
    const hr = performance.now();
    this.rec = {
      ...main,
      mirror: true,
      authority,
      sampled: false,
      startTime: performance.timeOrigin + hr,
      hrStart: hr,
      upstreamStartMs: 0,
      upstream: ep,
      attempts: 1,
      status: 0,
      upstreamStatus: undefined,
      grpcStatus: undefined,
      flags: '-',
      bytesSent: 0,
      responseMessages: 0,
    };
    telemetry?.attempt(this.rec, ep);
  }

  onConnect(): void {}

  onHeaders(status: number, headers: string[]): boolean {
    this.rec.status = status;
    this.rec.upstreamStatus = status;
    if (this.rec.grpc) this.rec.grpcStatus = grpcStatusOf(headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.rec.bytesSent += chunk.length;
    return true;
  }

  onTrailers(fields: string[]): void {
    if (this.rec.grpc) this.rec.grpcStatus = grpcStatusOf(fields) ?? this.rec.grpcStatus;
  }

  onComplete(): void {
    this.done();
  }

  onError(): void {
    // A copy that got no answer is counted nowhere (no pod answered it).
    this.rec.flags = 'UF';
    this.done();
  }

  private done(): void {
    const rec = this.rec;
    rec.durationMs = performance.now() - rec.hrStart;
    rec.requestMessages = this.main.requestMessages;
    rec.bytesReceived = this.main.bytesReceived;
    this.finish(rec);
  }
}
