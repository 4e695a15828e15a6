/**
 * The local engine's pod logs (the PodLogs port, src/engine/deployments.ts): a pod's
 * stdout and stderr from its file under the home (src/runtime/log-paths.ts), the last
 * N lines (none with 0, as `kubectl logs --tail=0`), limited in bytes, and followed as the process writes them until that process
 * ends (it exits, or the pod is removed) or the caller aborts. Lines carry no time of
 * their own, so `since` is decided per file: nothing from before it when the file was
 * last written earlier, else what the file holds (within tailLines). The first read is
 * at most the last 8 MiB, each later one 64 KiB, so a large or fast log is read in
 * bounded memory.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import type { Pod } from '../api/objects.js';
import { invalid, notFound } from '../api/errors.js';
import type { PodLogOptions, PodLogs } from '../engine/deployments.js';
import { podLogFile } from '../runtime/log-paths.js';
import type { Store } from './store.js';

const FIRST_READ_MAX = 8 * 1024 * 1024;
const CHUNK = 64 * 1024;
/** How often a followed file is read when no change was signalled (a missed inotify event costs at most this). */
const POLL_MS = 500;

/** The byte offset from which the last `lines` lines of [0, size) start. */
async function tailOffset(fh: FileHandle, size: number, lines: number | undefined): Promise<number> {
  const floor = Math.max(0, size - FIRST_READ_MAX);
  if (lines === 0) return size;
  if (lines === undefined || lines < 0) return floor;
  let pos = size;
  let seen = 0;
  // A last line without its newline counts as a line.
  let skipFinal = true;
  while (pos > floor) {
    const len = Math.min(CHUNK, pos - floor);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, pos - len);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) {
        skipFinal = false;
        continue;
      }
      if (skipFinal && pos - len + i === size - 1) continue;
      seen++;
      if (seen === lines) return pos - len + i + 1;
    }
    pos -= len;
  }
  return floor;
}

/** Since when lines are wanted (ms since the epoch), or undefined for all. */
function sinceMs(opts: PodLogOptions): number | undefined {
  if (opts.sinceTime !== undefined) {
    const t = Date.parse(opts.sinceTime);
    if (Number.isNaN(t)) throw invalid(`pod log: sinceTime: "${opts.sinceTime}" is not an RFC 3339 time; give one such as 2024-01-02T15:04:05Z`);
    return t;
  }
  if (opts.sinceSeconds !== undefined) {
    if (!(opts.sinceSeconds > 0)) throw invalid(`pod log: sinceSeconds: ${opts.sinceSeconds} must be a positive number of seconds`);
    return Date.now() - opts.sinceSeconds * 1000;
  }
  return undefined;
}

export class LocalPodLogs implements PodLogs {
  constructor(
    private readonly store: Store,
    private readonly home: string,
  ) {}

  async podLog(namespace: string, name: string, opts: PodLogOptions = {}): Promise<AsyncIterable<string>> {
    const pod = this.store.get<Pod>('Pod', namespace, name);
    if (!pod) throw notFound(`pod ${name} not found in project ${namespace}`);
    const since = sinceMs(opts);
    if (opts.limitBytes !== undefined && !(opts.limitBytes > 0)) throw invalid(`pod log: limitBytes: ${opts.limitBytes} must be a positive number of bytes`);
    const file = podLogFile(this.home, namespace, name);
    const pid = pod.status?.pid;
    // Ended once the process followed is gone: the pod removed or stopping, or its process exited (a
    // restart is another process); with no process running there is nothing to follow.
    const ended = (): boolean => {
      const now = this.store.get<Pod>('Pod', namespace, name);
      return pid === undefined || !now || now.metadata.deletionTimestamp !== undefined || now.status?.pid !== pid;
    };
    const watchPod = (wake: () => void): (() => void) =>
      this.store.watch((e) => {
        if (e.object.kind === 'Pod' && e.object.metadata.namespace === namespace && e.object.metadata.name === name) wake();
      });
    return readLog(file, { ...opts, ...(since !== undefined ? { sinceMs: since } : {}) }, ended, watchPod);
  }
}

interface ReadOptions extends PodLogOptions {
  sinceMs?: number;
}

async function* readLog(file: string, opts: ReadOptions, ended: () => boolean, watchPod: (wake: () => void) => () => void): AsyncGenerator<string> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
  } catch {
    fh = undefined;
  }
  let left = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  let pos = 0;
  let partial = '';
  // What there is now: the tail, unless the file was last written before `since`.
  if (fh) {
    const st = await fh.stat();
    pos = opts.sinceMs !== undefined && st.mtimeMs < opts.sinceMs ? st.size : await tailOffset(fh, st.size, opts.tailLines);
  }
  const drain = async function* (final: boolean): AsyncGenerator<string> {
    if (!fh) return;
    for (;;) {
      const len = Math.min(CHUNK, left);
      if (len <= 0) break;
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      left -= bytesRead;
      const text = partial + buf.subarray(0, bytesRead).toString('utf8');
      const nl = text.lastIndexOf('\n');
      partial = text.slice(nl + 1);
      if (nl >= 0) yield text.slice(0, nl + 1);
    }
    // The end of the stream (or of limitBytes) yields a last line without its newline too.
    if ((final || left <= 0) && partial !== '') {
      yield partial;
      partial = '';
    }
  };
  try {
    if (!opts.follow) {
      yield* drain(true);
      return;
    }
    let wake: (() => void) | undefined;
    const poke = (): void => wake?.();
    const unwatchPod = watchPod(poke);
    let fileWatch: FSWatcher | undefined;
    const signal = opts.signal;
    signal?.addEventListener('abort', poke, { once: true });
    try {
      for (;;) {
        if (!fh) {
          fh = await open(file, 'r').catch(() => undefined);
        }
        if (fh && !fileWatch) {
          try {
            fileWatch = watch(file, poke);
          } catch {
            fileWatch = undefined;
          }
        }
        if (signal?.aborted) return;
        const done = ended();
        yield* drain(done);
        if (done || left <= 0) return;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unwatchPod();
      fileWatch?.close();
      signal?.removeEventListener('abort', poke);
    }
  } finally {
    await fh?.close();
  }
}
