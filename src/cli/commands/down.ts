/**
 * `graymesh down`: stops every process `up` started on this home (control
 * plane, node proxy, workloads), also when the control plane has died, and
 * nothing else: a process is ours only when it carries this home's instance id.
 */
import { readFileSync } from 'node:fs';
import { Home } from '../../runtime/home.js';
import { isAlive, isOurs, processesOf } from '../../runtime/process-marker.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(isAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter(isAlive);
  }
  return left;
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

export async function down(home: Home): Promise<number> {
  const instance = home.instanceId();
  const inst = home.readInstance();
  let stopped = 0;
  // The control plane first: it stops its workloads gracefully and the proxy.
  if (inst && inst.pid > 0 && inst.pid !== process.pid && (isOurs(inst.pid, instance) || isControlPlane(inst.pid, home))) {
    kill(inst.pid, 'SIGTERM');
    const left = await waitGone([inst.pid], 15_000);
    for (const p of left) kill(p, 'SIGKILL');
    stopped++;
  }
  // Then whatever is left: the proxy and workloads of a control plane that died.
  const rest = processesOf(instance);
  for (const p of rest) kill(p, 'SIGTERM');
  const stubborn = await waitGone(rest, 5_000);
  for (const p of stubborn) kill(p, 'SIGKILL');
  await waitGone(stubborn, 2_000);
  stopped += rest.length;
  if (inst) home.writeInstance({ ...inst, pid: 0, proxyPid: 0 });
  process.stdout.write(stopped > 0 ? `graymesh stopped (${stopped} processes)\n` : `graymesh was not running on ${home.dir}\n`);
  return 0;
}

/** A foreground `up` carries no instance marker; recognise it by its command line naming this home's CLI. */
function isControlPlane(pid: number, home: Home): boolean {
  if (!isAlive(pid)) return false;
  const inst = home.readInstance();
  return inst?.pid === pid && cmdlineHas(pid, 'up');
}

function cmdlineHas(pid: number, word: string): boolean {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    return text.split('\0').includes(word);
  } catch {
    return false;
  }
}
