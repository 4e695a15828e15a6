/**
 * `watch=true`: the response head goes out at once and the connection stays open; every change
 * to the selected objects is one JSON line `{"type": "ADDED"|"MODIFIED"|"DELETED", "object": ...}`
 * (a one-row Table when the client asked for Tables). A watch from a resourceVersion skips the
 * objects a list at that version already showed. It ends at `timeoutSeconds`, or when the
 * client goes.
 */
import type { KubeObject } from '../api/objects.js';
import type { ObjectStore, StoreEvent } from '../engine/store.js';
import type { Call } from './handlers.js';
import { shown } from './objects.js';
import { equalities, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { tableOf, wantsTable } from './table.js';

/** Longest a watch stays open (kubectl asks for less, and watches again). */
const MAX_WATCH_S = 30 * 60;

export async function watch(store: ObjectStore, c: Call, visible: (o: KubeObject) => boolean): Promise<void> {
  const labels = parseLabelSelector(c.query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(c.query.get('fieldSelector') ?? undefined);
  const since = Number(c.query.get('resourceVersion') ?? 0) || 0;
  const asTable = wantsTable(c.accept);
  const timeout = Math.min(Number(c.query.get('timeoutSeconds') ?? MAX_WATCH_S) || MAX_WATCH_S, MAX_WATCH_S);
  const { res } = c;
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  let initial = true;
  const send = (type: string, o: KubeObject): void => {
    const object = shown(o, c.r, c.version);
    const body = asTable ? tableOf(c.r.kind, [object], { resourceVersion: o.metadata.resourceVersion as string }) : object;
    res.write(`${JSON.stringify({ type, object: body })}\n`);
  };
  const onEvent = (e: StoreEvent): void => {
    const o = e.object;
    if (!matchesLabels(o.metadata.labels, labels) || !matchesFields(o, fields) || !visible(o)) return;
    // What a list at `since` showed is not told again; what changed after it is.
    if (initial && since > 0) {
      if (Number(o.metadata.resourceVersion ?? 0) <= since) return;
      send('MODIFIED', o);
      return;
    }
    send(e.type, o);
  };
  const eq = equalities(labels);
  const namespace = c.r.kind === 'Namespace' ? undefined : c.ns;
  const unwatch = await store.watch(c.r.kind, { ...(namespace !== undefined ? { namespace } : {}), ...(eq ? { labels: eq } : {}) }, onEvent);
  initial = false;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeout * 1000);
    c.signal.addEventListener('abort', () => resolve(), { once: true });
    res.once('close', () => resolve());
    if (c.signal.aborted) resolve();
    timer.unref();
  });
  await unwatch();
  res.end();
}
