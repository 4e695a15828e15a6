/**
 * A RequestRecord by hand, for the tests of the record sinks (metrics,
 * spans, access log). Not used by the proxy itself.
 */
import type { RequestRecord } from '../request-record.js';
import type { Source } from '../router.js';

/** productpage-v1's outbound listener. */
export const PRODUCTPAGE_LISTENER: Source = { kind: 'outbound', project: 'demo', workload: 'productpage-v1', labels: { app: 'productpage', version: 'v1' } };

/** A finished GET from productpage-v1 to reviews, with `over` applied. */
export function requestRecord(over: Partial<RequestRecord> & { grpc?: boolean } = {}): RequestRecord {
  return {
    startTime: 0,
    hrStart: 0,
    durationMs: 3,
    traced: false,
    method: 'GET',
    path: '/reviews/0',
    protocol: 'HTTP/1.1',
    grpc: false,
    grpcStatus: undefined,
    requestMessages: 0,
    responseMessages: 0,
    status: 200,
    flags: '-',
    bytesReceived: 0,
    bytesSent: 120,
    authority: 'reviews:9080',
    source: PRODUCTPAGE_LISTENER,
    attempts: 1,
    mirror: false,
    downstreamRemote: '127.0.0.1:5000',
    downstreamLocal: '127.0.0.1:15001',
    ...over,
  };
}
