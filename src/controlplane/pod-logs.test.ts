import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GmError } from '../api/errors.js';
import type { Pod } from '../api/objects.js';
import { podLogFile } from '../runtime/log-paths.js';
import { LocalPodLogs } from './pod-logs.js';
import { Store } from './store.js';

let home: string;
let store: Store;
let writer: ChildProcess | undefined;

beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'graymesh-podlogs-'));
  store = new Store(path.join(home, 'store.db'));
});

afterEach(() => {
  writer?.kill('SIGKILL');
  writer = undefined;
  store.close();
  rmSync(home, { recursive: true, force: true });
});

/** A pod whose process is a shell writing to its log file as the supervisor arranges it (stdout to the file). */
function startPod(name: string, script: string): { pod: Pod; file: string } {
  const file = podLogFile(home, 'demo', name);
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  writer = spawn('sh', ['-c', script], { stdio: ['pipe', fd, fd] });
  closeSync(fd);
  const pod = store.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo' }, spec: {} });
  store.updateStatus('Pod', 'demo', name, { phase: 'Running', pid: writer.pid });
  return { pod, file };
}

async function next(it: AsyncIterator<string>): Promise<string> {
  const r = await it.next();
  if (r.done) throw new Error('the log ended');
  return r.value;
}

describe('LocalPodLogs', () => {
  it('reads the last lines, and refuses a pod that does not exist', async () => {
    const file = podLogFile(home, 'demo', 'p1');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'one\ntwo\nthree\nfour');
    store.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'demo' }, spec: {} });
    const logs = new LocalPodLogs(store, home);
    let text = '';
    for await (const chunk of await logs.podLog('demo', 'p1', { tailLines: 2 })) text += chunk;
    expect(text).toBe('three\nfour');
    text = '';
    for await (const chunk of await logs.podLog('demo', 'p1', { tailLines: 0 })) text += chunk;
    expect(text).toBe('');
    for await (const chunk of await logs.podLog('demo', 'p1', { tailLines: -1 })) text += chunk;
    expect(text).toBe('one\ntwo\nthree\nfour');
    text = '';
    for await (const chunk of await logs.podLog('demo', 'p1', { limitBytes: 7 })) text += chunk;
    expect(text).toBe('one\ntwo');
    const err = await logs.podLog('demo', 'nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GmError);
    expect((err as GmError).status).toBe(404);
  });

  it('follows lines as the process writes them and ends when the caller aborts', async () => {
    // The writer prints a line for every line it reads, so the test decides when lines are written.
    startPod('p2', 'echo first; while read l; do echo "got $l"; done');
    const logs = new LocalPodLogs(store, home);
    const abort = new AbortController();
    const it = (await logs.podLog('demo', 'p2', { follow: true, signal: abort.signal }))[Symbol.asyncIterator]();
    let seen = await next(it);
    while (!seen.includes('first')) seen += await next(it);
    writer?.stdin?.write('a\n');
    seen = await next(it);
    expect(seen).toBe('got a\n');
    writer?.stdin?.write('b\n');
    expect(await next(it)).toBe('got b\n');
    abort.abort();
    expect((await it.next()).done).toBe(true);
  });

  it('ends a follow when the pod is removed, after what the process wrote last', async () => {
    startPod('p3', 'while read l; do echo "got $l"; done');
    const logs = new LocalPodLogs(store, home);
    const it = (await logs.podLog('demo', 'p3', { follow: true }))[Symbol.asyncIterator]();
    writer?.stdin?.write('x\n');
    expect(await next(it)).toBe('got x\n');
    writer?.stdin?.write('last\n');
    // Once the line is in the file, remove the pod: the follow yields the line, then ends.
    const file = podLogFile(home, 'demo', 'p3');
    const { readFileSync } = await import('node:fs');
    while (!readFileSync(file, 'utf8').includes('got last')) await new Promise((r) => setTimeout(r, 20));
    store.delete('Pod', 'demo', 'p3');
    let rest = '';
    for (let r = await it.next(); !r.done; r = await it.next()) rest += r.value;
    expect(rest).toBe('got last\n');
  });
});
