/**
 * Pod logs on a cluster (the PodLogs port, src/engine/deployments.ts): the kubelet's,
 * read through the API server's `pods/NAME/log` subresource with the same options
 * (tailLines, sinceSeconds, sinceTime, limitBytes, follow), streamed as it answers.
 */
import type { PodLogOptions, PodLogs } from '../engine/deployments.js';
import type { KubeClient } from './client.js';

export class ClusterPodLogs implements PodLogs {
  constructor(private readonly client: KubeClient) {}

  async podLog(namespace: string, pod: string, opts: PodLogOptions = {}): Promise<AsyncIterable<string>> {
    const num = (n: number | undefined): string | undefined => (n === undefined ? undefined : String(n));
    const res = await this.client.raw('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`, {
      query: {
        tailLines: opts.tailLines !== undefined && opts.tailLines > 0 ? String(opts.tailLines) : undefined,
        sinceSeconds: num(opts.sinceSeconds),
        sinceTime: opts.sinceTime,
        limitBytes: num(opts.limitBytes),
        follow: opts.follow ? 'true' : undefined,
      },
      accept: 'text/plain',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return lines(res.body, opts.signal);
  }
}

async function* lines(body: AsyncIterable<unknown>, signal: AbortSignal | undefined): AsyncGenerator<string> {
  let partial = '';
  try {
    for await (const chunk of body) {
      const text = partial + (chunk as Buffer).toString('utf8');
      const nl = text.lastIndexOf('\n');
      partial = text.slice(nl + 1);
      if (nl >= 0) yield text.slice(0, nl + 1);
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
  if (partial !== '') yield partial;
}
