/**
 * Fault injection, as Envoy's fault filter, before anything reaches the
 * upstream: a delay (flag DI) holds the request for its time, then the
 * pipeline goes on; an abort (FI) answers the route's status itself (a
 * gRPC status as a trailers-only answer, HTTP 200). A
 * request both delayed and aborted carries both flags (DI,FI).
 */
import type { Exchange } from './exchange.js';
import { chance } from './chance.js';
import { grpcReply, localReply } from './local-reply.js';
import { addFlag } from './response-flags.js';
import { CONTINUE, STOP, type Next, type Stage } from './stage.js';

/** Runs `fn(x)` after `ms`: setTimeout, or a test's own clock. */
export type Schedule = (fn: (x: Exchange) => void, ms: number, x: Exchange) => unknown;

export class FaultDelay implements Stage {
  readonly name = 'fault-delay';

  constructor(private readonly schedule: Schedule = setTimeout) {}

  run(x: Exchange): Next {
    const fault = x.action.fault;
    if (fault?.delayMs === undefined || !chance(fault.delayPercent)) return CONTINUE;
    x.rec.flags = addFlag(x.rec.flags, 'DI');
    this.schedule(afterDelay, fault.delayMs, x);
    return STOP;
  }
}

/** The delay is over: on, unless the client went away meanwhile. */
function afterDelay(x: Exchange): void {
  if (x.res.destroyed) return;
  x.resume();
}

export class FaultAbort implements Stage {
  readonly name = 'fault-abort';

  run(x: Exchange): Next {
    const fault = x.action.fault;
    if (fault === undefined || (fault.abortStatus === undefined && fault.abortGrpcStatus === undefined) || !chance(fault.abortPercent)) return CONTINUE;
    x.rec.flags = addFlag(x.rec.flags, 'FI');
    x.req.resume();
    if (fault.abortStatus !== undefined) localReply(x.res, x.rec, fault.abortStatus, 'fault filter abort\n');
    else grpcReply(x.res, x.rec, fault.abortGrpcStatus!, 'fault filter abort');
    return STOP;
  }
}
