/**
 * The answer to the client: the upstream's status and end-to-end fields with
 * x-envoy-upstream-service-time, the hash cookie and the route's Set-Cookie,
 * CORS fields for an allowed origin and the route's response header
 * operations, then the body streamed with backpressure, bounded by what is
 * left of the route's timeout, and the upstream's trailers at its end (a
 * gRPC answer's grpc-status is recorded from its head or trailers, its messages
 * counted as they go to the client). A local failure of the last try is answered
 * with its status and flag; no try before the timeout ran out, 504 UT.
 */
import { GrpcMessageCounter } from '../grpc/message-counter.js';
import { grpcStatusOf } from '../grpc/status.js';
import type { RequestRecord } from '../request-record.js';
import { corsHeaders } from './cors.js';
import type { Exchange } from './exchange.js';
import { appendHeader, applyOps, toHeaderMap } from './header-ops.js';
import { localReply } from './local-reply.js';
import { addFlag } from './response-flags.js';
import { STOP, type Next, type Stage } from './stage.js';

export class Respond implements Stage {
  readonly name = 'response';

  run(x: Exchange): Next {
    const rec = x.rec;
    const head = x.head;
    if (head === undefined) {
      rec.flags = addFlag(rec.flags, 'UT');
      localReply(x.res, rec, 504, 'upstream request timeout\n');
      return STOP;
    }
    rec.upstream = x.upstream;
    rec.upstreamMs = Date.now() - x.upstreamStart;
    const failure = head.failure;
    if (failure) {
      rec.flags = addFlag(rec.flags, failure.flag);
      localReply(x.res, rec, failure.status, failure.text);
      return STOP;
    }
    const status = head.status!;
    rec.upstreamStatus = status;
    rec.status = status;
    const up = x.attempt!;
    if (rec.grpc) {
      rec.grpcStatus = grpcStatusOf(head.headers);
      up.whenTrailers((t) => (rec.grpcStatus = grpcStatusOf(t) ?? rec.grpcStatus));
    }
    up.limit(x.deadline - Date.now());
    const action = x.action;
    const res = x.res;
    if (x.setCookie === undefined && !action.setCookie && x.corsOrigin === undefined && !action.responseHeaders) {
      // The common case: the upstream's fields as they came, as a flat list (no object built).
      const flat = head.headers!;
      flat.push('x-envoy-upstream-service-time', String(rec.upstreamMs));
      res.writeHead(status, flat);
    } else {
      const out = toHeaderMap(head.headers!);
      out['x-envoy-upstream-service-time'] = String(rec.upstreamMs);
      if (x.setCookie !== undefined) out['set-cookie'] = appendHeader(out['set-cookie'], x.setCookie);
      if (action.setCookie) out['set-cookie'] = appendHeader(out['set-cookie'], action.setCookie);
      if (x.corsOrigin !== undefined) corsHeaders(out, action.cors!, x.corsOrigin);
      applyOps(out, action.responseHeaders);
      res.writeHead(status, out);
    }
    if (head.contentLength !== undefined) rec.bytesSent = head.contentLength;
    else up.whenEnded(() => (rec.bytesSent = up.bytes));
    up.pipe(res, rec.grpc ? responseMeter(rec) : undefined);
    return STOP;
  }
}

/** Counts a gRPC answer's messages into the record as its body goes to the client. */
function responseMeter(rec: RequestRecord): (chunk: Buffer) => void {
  const counter = new GrpcMessageCounter();
  return (chunk) => {
    counter.feed(chunk);
    rec.responseMessages = counter.messages;
  };
}
