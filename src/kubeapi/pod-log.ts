/**
 * pods/NAME/log: the pod's output from the engine's PodLogs port, with kubectl's options
 * (`--tail` tailLines, `--since` sinceSeconds, `--since-time` sinceTime, `--limit-bytes`
 * limitBytes, `-f` follow; `--previous` and `--timestamps` are refused). The head is sent only once the engine has the log open, so a
 * missing pod is a 404 Status, not a broken stream; a followed log ends when the pod's process
 * ends or the client goes away.
 */
import type { ServerResponse } from 'node:http';
import { GmError } from '../api/errors.js';
import type { PodLogOptions, PodLogs } from '../engine/deployments.js';
import { kubeBadRequest, kubeNotFound } from './status.js';

/** A positive whole number from the query, or undefined when absent. */
function count(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw kubeBadRequest(`${name}: "${v}" must be a whole number, 0 or more`);
  return n;
}

/** The engine's options from the query of GET .../pods/NAME/log. */
export function logOptionsOf(q: URLSearchParams, signal: AbortSignal): PodLogOptions {
  // kubectl sends tailLines only for --tail ≥ 0 (0: nothing of what is there).
  const tailLines = count(q, 'tailLines');
  const sinceSeconds = count(q, 'sinceSeconds');
  const limitBytes = count(q, 'limitBytes');
  const sinceTime = q.get('sinceTime') ?? undefined;
  if (sinceSeconds !== undefined && sinceTime !== undefined) throw kubeBadRequest('sinceSeconds and sinceTime: give at most one of them (kubectl logs --since or --since-time)');
  if (q.get('previous') === 'true') throw kubeBadRequest('previous: graymesh keeps one log per pod, its restarts included; leave out --previous');
  if (q.get('timestamps') === 'true') throw kubeBadRequest("timestamps: a pod's log lines carry no times here; leave out --timestamps");
  const follow = q.get('follow') === 'true' || q.get('follow') === '1';
  return {
    follow,
    signal,
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    ...(sinceTime ? { sinceTime } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}

/** Streams the log to res; throws (before any byte is sent) when there is no such pod. */
export async function servePodLog(logs: PodLogs, ns: string, pod: string, q: URLSearchParams, res: ServerResponse, signal: AbortSignal, log: (m: string) => void): Promise<void> {
  let lines: AsyncIterable<string>;
  try {
    lines = await logs.podLog(ns, pod, logOptionsOf(q, signal));
  } catch (err) {
    if (err instanceof GmError && err.status === 404) throw kubeNotFound('pods', pod, { kind: 'pods' });
    throw err;
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
  res.flushHeaders();
  try {
    for await (const chunk of lines) {
      if (signal.aborted) break;
      res.write(chunk);
    }
  } catch (err) {
    log(`kube API: log of pod ${ns}/${pod}: ${(err as Error).message}`);
  }
  res.end();
}
