/**
 * Flagger's webhook contract: a POST of JSON {name, namespace, phase, metadata} to each
 * webhook of a type, with a timeout; a 2xx answer passes, anything else (or no answer)
 * fails. Gates (confirm-rollout, confirm-promotion) are asked again every interval.
 */
import { parseIstioDuration } from '../../../config/validate/duration.js';
import type { AnalysisWebhook, Release, WebhookCall, WebhookType } from '../../../config/release/types.js';

const DEFAULT_TIMEOUT_MS = 10_000;

export async function callWebhook(h: AnalysisWebhook, r: Release, phase: string, time: string): Promise<WebhookCall> {
  const timeoutMs = (h.timeout !== undefined ? parseIstioDuration(h.timeout) : undefined) ?? DEFAULT_TIMEOUT_MS;
  const body = JSON.stringify({ name: r.metadata.name, namespace: r.metadata.namespace, phase, metadata: { type: h.type, service: r.spec!.service, version: r.spec!.newVersion.version, ...h.metadata } });
  const start = performance.now();
  const call = { time, name: h.name, type: h.type, phase };
  try {
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    const ms = Math.round(performance.now() - start);
    return { ...call, status: res.status, passed: res.status >= 200 && res.status < 300, ms };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ...call, status: 0, passed: false, error, ms: Math.round(performance.now() - start) };
  }
}

/** Calls every webhook of `type` in order; passes when each did (none: passes). */
export async function callHooks(hooks: AnalysisWebhook[] | undefined, type: WebhookType, r: Release, phase: string, time: string): Promise<{ passed: boolean; calls: WebhookCall[] }> {
  const calls: WebhookCall[] = [];
  for (const h of hooks ?? []) if (h.type === type) calls.push(await callWebhook(h, r, phase, time));
  return { passed: calls.every((c) => c.passed), calls };
}

/** One line saying why a webhook failed, for the release's message. */
export function failedCall(calls: WebhookCall[]): string {
  const c = calls.find((x) => !x.passed);
  return c ? `${c.type} webhook ${c.name} ${c.status ? `answered ${c.status}` : `failed: ${c.error}`}` : '';
}
