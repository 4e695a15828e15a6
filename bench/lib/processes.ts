/** Child processes for benchmarks: started, awaited until they say `ready`, measured from /proc, stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Proc {
  child: ChildProcess;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** Starts `node script args` and waits for a `ready PORT` line on stdout. */
export function startReady(script: string, args: string[], env: Record<string, string> = {}, readyPattern = /ready (\d+)/, nodeArgs: string[] = []): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${err || out}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = readyPattern.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({
          child,
          pid: child.pid as number,
          port: Number(m[1]),
          stop: () =>
            new Promise<void>((r) => {
              if (child.exitCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 3000).unref();
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${err || out}`));
    });
  });
}

/** Runs `node [nodeArgs] script args` to completion and parses its last stdout line as JSON. */
export function runJson<T>(script: string, args: string[], nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} exited ${code} without a result: ${out}`));
      }
    });
  });
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat; here offset by the 2 fields before ')'.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident set size of a process, MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : 0;
}

/** A process and its descendants (nginx's workers, a pod's children). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const children = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'latin1').trim();
      if (children) out.push(...children.split(' ').map(Number));
    } catch {
      // Gone since it was listed.
    }
  }
  return out;
}

/** CPU seconds a process and its descendants have used so far. */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((a, p) => a + (safe(() => cpuSeconds(p)) ?? 0), 0);
}

/** Resident and anonymous (heap, stacks: RssAnon) memory of one process, MB. */
export function memoryMb(pid: number): { rss: number; anon: number } {
  const status = safe(() => readFileSync(`/proc/${pid}/status`, 'latin1')) ?? '';
  return { rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024, anon: Number(/RssAnon:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024 };
}

/** memoryMb of a process and its descendants, summed. */
export function treeMemoryMb(pid: number): { rss: number; anon: number } {
  const all = processTree(pid).map(memoryMb);
  return { rss: all.reduce((a, m) => a + m.rss, 0), anon: all.reduce((a, m) => a + m.anon, 0) };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
