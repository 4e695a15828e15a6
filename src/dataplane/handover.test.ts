/**
 * The proxy's side of the socket hand-over over a real IPC channel: a child
 * process plays the keeper (as the control plane does), holding the raw
 * handles it is given without accepting on them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigSnapshot } from '../config/snapshot.js';
import { HANDOVER, socketKey } from '../runtime/handover-protocol.js';
import { SocketHandover } from './handover.js';
import { NodeProxy } from './node-proxy.js';

/** Keeps what it is given, hands it out on TAKE, closes it on RELEASE, and tells the test each time. */
const KEEPER = `
const held = new Map();
process.on('message', (m, h) => {
  if (m.type === '${HANDOVER.LISTENER}' && h) { held.set(m.key, h); process.send({ held: m.key }); }
  if (m.type === '${HANDOVER.TAKE}') {
    for (const [key, handle] of held) process.send({ type: '${HANDOVER.LISTENER}', key }, handle);
    process.send({ type: '${HANDOVER.SENT}', key: '' });
  }
  if (m.type === '${HANDOVER.RELEASE}') { held.get(m.key)?.close(); held.delete(m.key); process.send({ released: m.key }); }
});
setInterval(() => {}, 1000);
`;

const DEADLINE_MS = 10_000;
const children: ChildProcess[] = [];
const proxies: NodeProxy[] = [];

afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function keeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', KEEPER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
  children.push(child);
  return child;
}

/** Resolves with the first message from the keeper that has `field` set to `value`. */
function heard(child: ChildProcess, field: 'held' | 'released', value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the keeper never said ${field} ${value}`)), DEADLINE_MS);
    const onMessage = (m: Record<string, unknown>): void => {
      if (m[field] !== value) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
  });
}

/** A socket a previous proxy bound and reported, now only in the keeper's hands. */
async function keptSocket(child: ChildProcess): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const key = socketKey('127.0.0.1', port);
  const kept = heard(child, 'held', key);
  child.send({ type: HANDOVER.LISTENER, key }, (server as unknown as { _handle: net.Server })._handle);
  await kept;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function snapshot(version: number): ConfigSnapshot {
  return {
    version,
    gatewayPort: 0,
    projects: [],
    services: [],
    endpoints: [],
    listeners: [],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
  };
}

describe('SocketHandover', () => {
  it('lets go of an inherited socket the first config has no listener for, so its port refuses instead of queueing', async () => {
    const child = keeper();
    const port = await keptSocket(child);
    const handover = new SocketHandover(child);
    await handover.ready();
    expect(handover.inherited(port, '127.0.0.1')).toBe(true);
    const proxy = new NodeProxy({ gatewayPort: 0, binder: handover });
    proxies.push(proxy);
    await proxy.start();
    const released = heard(child, 'released', socketKey('127.0.0.1', port));
    await proxy.apply(snapshot(1));
    await released;
    expect(handover.inherited(port, '127.0.0.1')).toBe(false);
    expect(await refused(port)).toBe('ECONNREFUSED');
  });
});
