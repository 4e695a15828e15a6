/**
 * The executor's request path as a chain of stages, as Envoy's HTTP filter
 * chain and Linkerd's layers are: each stage does one thing to the request's
 * Exchange and tells the pipeline to go on (CONTINUE) or to stop there
 * (STOP), because it answered or because it waits for something (a fault
 * delay, the body, the upstream) and resumes the pipeline itself with
 * `Exchange.resume()`. Stages are created once per executor and keep no
 * per-request state; per request there is only the Exchange. A stage added
 * later (a protocol's, say) is one more entry in the list.
 */
import type { Exchange } from './exchange.js';

export const CONTINUE = 0;
export const STOP = 1;
/** A stage's answer: go on to the next stage, or stop here. */
export type Next = typeof CONTINUE | typeof STOP;

export interface Stage {
  /** The stage's name, as the pipeline lists it. */
  readonly name: string;
  run(x: Exchange): Next;
}

export class Pipeline {
  constructor(readonly stages: readonly Stage[]) {}

  /** Runs the stages from `from` on until one stops. Whatever a stage throws ends this request only (never the proxy). */
  run(x: Exchange, from: number): void {
    const stages = this.stages;
    try {
      for (let i = from; i < stages.length; i++) {
        x.at = i;
        if (stages[i]!.run(x) === STOP) return;
      }
    } catch (err) {
      x.fail(err as Error);
    }
  }
}
