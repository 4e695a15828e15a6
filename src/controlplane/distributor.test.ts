import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GmError } from '../api/errors.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import { Distributor } from './distributor.js';

const DEADLINE_MS = 10_000;

function snapshot(version: number): ConfigSnapshot {
  return {
    version,
    gatewayPort: 8080,
    projects: [{ name: 'demo', governance: false }],
    services: [],
    endpoints: [],
    listeners: [],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
  };
}

/** Polls cond until it holds or the deadline passes. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A proxy's side of the stream: collects every NDJSON line it receives. */
class StreamClient {
  readonly lines: unknown[] = [];
  ended = false;
  headers: IncomingMessage['headers'] = {};
  private req: http.ClientRequest | undefined;

  static async connect(port: number, name: string, pid = 4242, version = 0): Promise<StreamClient> {
    const c = new StreamClient();
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/stream?proxy=${name}&pid=${pid}&version=${version}`, agent: false }, (res) => {
        c.headers = res.headers;
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            c.lines.push(JSON.parse(buf.slice(0, nl)));
            buf = buf.slice(nl + 1);
          }
        });
        res.on('end', () => (c.ended = true));
        res.on('error', () => (c.ended = true));
        resolve();
      });
      req.on('error', reject);
      c.req = req;
    });
    return c;
  }

  /** Snapshot versions received, heartbeats (`{}`) left out. */
  versions(): number[] {
    return this.lines.filter((l): l is ConfigSnapshot => typeof (l as Partial<ConfigSnapshot>).version === 'number').map((l) => l.version);
  }

  close(): void {
    this.req?.destroy();
  }
}

let distributor: Distributor;
let server: Server;
let port: number;
const clients: StreamClient[] = [];

async function connect(name: string, version = 0, pid = 4242): Promise<StreamClient> {
  const c = await StreamClient.connect(port, name, pid, version);
  clients.push(c);
  return c;
}

/** Open connections on the server side, as the kernel and Node see them. */
function connections(): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

async function untilAsync(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(async () => {
  distributor = new Distributor();
  // The same call the control plane's /xds/v1/stream route makes after hijacking the reply.
  server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    distributor.connect(q.get('proxy') ?? '', Number(q.get('pid')), Number(q.get('version')), res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  distributor.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('Distributor streams', () => {
  it('sends the current snapshot at connect and every later publish, as NDJSON', async () => {
    distributor.publish(snapshot(1));
    const c = await connect('proxy-a');
    expect(c.headers['content-type']).toBe('application/x-ndjson');
    await until(() => c.versions().length === 1, 'the snapshot sent at connect');
    expect(c.lines[0]).toEqual(snapshot(1));
    distributor.publish(snapshot(2));
    distributor.publish(snapshot(3));
    await until(() => c.versions().length === 3, 'two published snapshots');
    expect(c.versions()).toEqual([1, 2, 3]);
    expect(distributor.version).toBe(3);
  });

  it('sends nothing at connect before the first publish, then the published one', async () => {
    const c = await connect('proxy-a');
    await until(() => distributor.list().length === 1, 'the proxy to register');
    expect(c.lines).toEqual([]);
    distributor.publish(snapshot(7));
    await until(() => c.versions().length === 1, 'the first snapshot');
    expect(c.versions()).toEqual([7]);
  });

  it('reaches every connected proxy with each publish', async () => {
    const a = await connect('proxy-a');
    const b = await connect('proxy-b');
    await until(() => distributor.list().length === 2, 'both proxies');
    distributor.publish(snapshot(1));
    await until(() => a.versions().length === 1 && b.versions().length === 1, 'both to receive v1');
    expect([a.versions(), b.versions()]).toEqual([[1], [1]]);
  });

  it('records name, pid and the version the proxy says it enforces at connect', async () => {
    await connect('proxy-a', 5);
    await until(() => distributor.list().length === 1, 'the proxy to register');
    const [info] = distributor.list();
    expect(info).toMatchObject({ name: 'proxy-a', pid: 4242, ackedVersion: 5, connected: true });
  });

  it('marks a proxy disconnected when its stream closes, and stops waiting for it', async () => {
    distributor.publish(snapshot(1));
    const c = await connect('proxy-a');
    await until(() => c.versions().length === 1, 'the snapshot');
    expect(distributor.converged(1)).toBe(false);
    const waiting = distributor.waitFor(1, DEADLINE_MS);
    c.close();
    await until(() => distributor.list()[0]?.connected === false, 'connected=false');
    // Only connected proxies count: with none left behind, version 1 is converged.
    expect(distributor.converged(1)).toBe(true);
    await expect(waiting).resolves.toBeUndefined();
  });

  it('ends the old stream when a proxy reconnects under the same name, and the old close does not mark it disconnected', async () => {
    const old = await connect('proxy-a');
    await until(() => distributor.list().length === 1, 'first connection');
    const fresh = await connect('proxy-a', 3);
    await until(() => old.ended, 'the old stream to end');
    // The old socket's close has run its handler once the server holds only the new connection.
    await untilAsync(async () => (await connections()) === 1, 'the old connection to close');
    expect(distributor.list()).toHaveLength(1);
    expect(distributor.list()[0]).toMatchObject({ connected: true, ackedVersion: 3 });
    distributor.publish(snapshot(4));
    await until(() => fresh.versions().length === 1, 'the new stream to get v4');
    expect(old.versions()).toEqual([]);
  });

  it('close() ends every stream', async () => {
    const a = await connect('proxy-a');
    const b = await connect('proxy-b');
    await until(() => distributor.list().length === 2, 'both proxies');
    distributor.close();
    await until(() => a.ended && b.ended, 'both streams to end');
    expect([a.ended, b.ended]).toEqual([true, true]);
  });
});

describe('Distributor acknowledgements', () => {
  it('converges and resolves waitFor once the proxy ACKs the version', async () => {
    distributor.publish(snapshot(1));
    const c = await connect('proxy-a');
    await until(() => c.versions().length === 1, 'the snapshot');
    const waiting = distributor.waitFor(1, DEADLINE_MS);
    let settled = false;
    void waiting.then(() => (settled = true));
    // Everything already queued runs first; nothing but the ACK can settle the wait.
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    expect(distributor.converged(1)).toBe(false);
    distributor.ack({ proxy: 'proxy-a', pid: 4242, version: 1 });
    await expect(waiting).resolves.toBeUndefined();
    expect(distributor.converged(1)).toBe(true);
    expect(distributor.list()[0]?.ackedVersion).toBe(1);
  });

  it('resolves at once for a version already enforced (ACK of a later one counts)', async () => {
    await connect('proxy-a');
    await until(() => distributor.list().length === 1, 'the proxy');
    distributor.ack({ proxy: 'proxy-a', version: 5 });
    expect(distributor.converged(3)).toBe(true);
    await expect(distributor.waitFor(3, 50)).resolves.toBeUndefined();
  });

  it('rejects waitFor with a timeout GmError naming each proxy behind and its version', async () => {
    distributor.publish(snapshot(2));
    const a = await connect('proxy-a', 1);
    const b = await connect('proxy-b', 1);
    await until(() => a.versions().length === 1 && b.versions().length === 1, 'both snapshots');
    distributor.ack({ proxy: 'proxy-b', version: 2 });
    const err = await distributor.waitFor(2, 100).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GmError);
    const gm = err as GmError;
    expect(gm.code).toBe('GM_ERR_TIMEOUT');
    expect(gm.status).toBe(504);
    // proxy-a still enforces 1; proxy-b is up to date and must not be blamed.
    expect(gm.message).toContain('proxy-a at 1');
    expect(gm.message).not.toContain('proxy-b');
  });

  it('does not advance ackedVersion on a NACK, and reports the refusal reason on timeout', async () => {
    distributor.publish(snapshot(1));
    const c = await connect('proxy-a');
    await until(() => c.versions().length === 1, 'v1');
    distributor.ack({ proxy: 'proxy-a', version: 1 });
    distributor.publish(snapshot(2));
    distributor.ack({ proxy: 'proxy-a', version: 2, error: 'cannot open listener: port 15001 in use' });
    const [info] = distributor.list();
    expect(info?.ackedVersion).toBe(1);
    expect(info?.lastError).toBe('cannot open listener: port 15001 in use');
    expect(distributor.converged(2)).toBe(false);
    const err = await distributor.waitFor(2, 100).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('proxy-a at 1 (refused: cannot open listener: port 15001 in use)');
    // A later ACK clears the refusal.
    distributor.ack({ proxy: 'proxy-a', version: 2 });
    expect(distributor.list()[0]?.lastError).toBeUndefined();
    expect(distributor.converged(2)).toBe(true);
  });

  it('sends a new process the last version its name enforced before a current one that name refused', async () => {
    distributor.publish(snapshot(1));
    const a = await connect('node-proxy', 0, 100);
    await until(() => a.versions().length === 1, 'v1');
    distributor.ack({ proxy: 'node-proxy', pid: 100, version: 1 });
    distributor.publish(snapshot(2));
    await until(() => a.versions().length === 2, 'v2');
    distributor.ack({ proxy: 'node-proxy', pid: 100, version: 2, error: 'cannot open listener: port 15001 in use' });
    a.close();
    await until(() => distributor.get('node-proxy', 100)?.connected === false, 'the first process to go');
    // Its successor gets version 1 to enforce, then the current version 2.
    const b = await connect('node-proxy', 0, 200);
    await until(() => b.versions().length === 2, 'both versions');
    expect(b.versions()).toEqual([1, 2]);
    // A process of a name that enforces the current version gets only the current one.
    distributor.ack({ proxy: 'node-proxy', pid: 200, version: 2 });
    const c = await connect('node-proxy', 0, 300);
    await until(() => c.versions().length === 1, 'v2');
    expect(c.versions()).toEqual([2]);
  });

  it('ignores an ACK from a proxy that never connected', () => {
    distributor.ack({ proxy: 'stranger', version: 9 });
    expect(distributor.list()).toEqual([]);
  });

  it('with requireProxy waits for a proxy to connect, and says so when none does', async () => {
    const none = await distributor.waitFor(1, 100, true).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(none?.message).toContain('no proxy connected');
    const waiting = distributor.waitFor(1, DEADLINE_MS, true);
    // A proxy that connects already enforcing version 1 (e.g. after a control plane restart) satisfies it.
    await connect('proxy-a', 1);
    await expect(waiting).resolves.toBeUndefined();
  });
});

describe('Distributor and proxy processes', () => {
  it('keeps two processes of one name apart while one hands over to the other, and waits for both', async () => {
    distributor.publish(snapshot(1));
    const a = await connect('node-proxy', 0, 100);
    const b = await connect('node-proxy', 0, 200);
    await until(() => a.versions().length === 1 && b.versions().length === 1, 'both processes to get v1');
    expect(a.ended).toBe(false);
    expect(distributor.list().map((p) => p.pid).sort()).toEqual([100, 200]);
    const forB = distributor.waitForProcess('node-proxy', 200, DEADLINE_MS);
    distributor.ack({ proxy: 'node-proxy', pid: 200, version: 1 });
    await expect(forB).resolves.toBeUndefined();
    expect(distributor.converged(1)).toBe(false);
    distributor.ack({ proxy: 'node-proxy', pid: 100, version: 1 });
    expect(distributor.converged(1)).toBe(true);
  });

  it('forgets a process that is gone once another of the same name connects', async () => {
    const a = await connect('node-proxy', 0, 100);
    await until(() => distributor.list().length === 1, 'the first process');
    a.close();
    await until(() => distributor.get('node-proxy', 100)?.connected === false, 'the first to disconnect');
    await connect('node-proxy', 0, 200);
    await until(() => distributor.get('node-proxy', 200) !== undefined, 'the second process');
    expect(distributor.list().map((p) => p.pid)).toEqual([200]);
  });

  it('counts an expected proxy that is not connected as behind, and names it when the wait gives up', async () => {
    distributor.publish(snapshot(3));
    distributor.expect('node-proxy');
    expect(distributor.converged(3)).toBe(false);
    const err = await distributor.waitFor(3, 50).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('node-proxy expected but not connected');
    const waiting = distributor.waitFor(3, DEADLINE_MS);
    const c = await connect('node-proxy', 0, 300);
    await until(() => c.versions().length === 1, 'the snapshot');
    expect(distributor.converged(3)).toBe(false);
    distributor.ack({ proxy: 'node-proxy', pid: 300, version: 3 });
    await expect(waiting).resolves.toBeUndefined();
    distributor.expect('node-proxy', false);
    c.close();
    await until(() => distributor.get('node-proxy', 300)?.connected === false, 'the stream to close');
    expect(distributor.converged(3)).toBe(true);
  });

  it('says why a process did not come to enforce the version', async () => {
    distributor.publish(snapshot(2));
    const never = await distributor.waitForProcess('node-proxy', 9, 30).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(never?.message).toBe('node-proxy (pid 9) did not enforce config version 2 within 30 ms: it never connected');
    await connect('node-proxy', 1, 9);
    await until(() => distributor.get('node-proxy', 9) !== undefined, 'the process');
    distributor.ack({ proxy: 'node-proxy', pid: 9, version: 2, error: 'cannot open listener: port 15001 in use' });
    const refused = await distributor.waitForProcess('node-proxy', 9, 30).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toContain('it enforces 1 (refused: cannot open listener: port 15001 in use)');
  });

  it('sends heartbeat lines on every stream', async () => {
    const beating = new Distributor(20);
    const local = http.createServer((req, res) => beating.connect('p', 1, 0, res));
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
    const c = await StreamClient.connect((local.address() as AddressInfo).port, 'p');
    try {
      await until(() => c.lines.length >= 3, 'three heartbeats');
      expect(c.lines.slice(0, 3)).toEqual([{}, {}, {}]);
    } finally {
      c.close();
      beating.close();
      local.closeAllConnections();
      await new Promise<void>((r) => local.close(() => r()));
    }
  });
});
