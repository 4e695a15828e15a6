/**
 * Every process the local engine starts carries GRAYMESH_INSTANCE in its
 * environment, so `graymesh down` can find exactly the processes one home
 * started (also after the control plane died) and never touch another.
 */
import { readFileSync, readdirSync } from 'node:fs';

export const INSTANCE_ENV = 'GRAYMESH_INSTANCE';

/** The instance id a process carries, read from /proc; undefined when unreadable or absent. */
export function instanceOf(pid: number): string | undefined {
  return envOf(pid, INSTANCE_ENV);
}

/** A variable of a process's environment, read from /proc; undefined when unreadable or absent. */
export function envOf(pid: number, name: string): string | undefined {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    for (const kv of env.split('\0')) {
      if (kv.startsWith(`${name}=`)) return kv.slice(name.length + 1);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** True when pid is alive (and not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z';
  } catch {
    return true;
  }
}

/** Pids of every live process carrying the instance id (Linux /proc). */
export function processesOf(instance: string): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    if (instanceOf(pid) === instance && isAlive(pid)) out.push(pid);
  }
  return out;
}

/** True when pid is alive and carries the instance id. */
export function isOurs(pid: number, instance: string): boolean {
  return isAlive(pid) && instanceOf(pid) === instance;
}
