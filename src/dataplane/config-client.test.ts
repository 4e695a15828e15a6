import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigAck, ConfigSnapshot } from '../config/snapshot.js';
import { ConfigClient } from './config-client.js';

const DEADLINE_MS = 10_000;

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function snapshot(version: number): ConfigSnapshot {
  return { version, gatewayPort: 8080, projects: [], services: [], endpoints: [], listeners: [], virtualServices: [], destinationRules: [], gateways: [], serviceEntries: [] };
}

/**
 * A control plane's config endpoints on a real socket: each stream gets one
 * snapshot, then whatever the test writes, or nothing at all (a half-open
 * connection looks like that from the proxy's side).
 */
class FakeControlPlane {
  readonly streams: http.ServerResponse[] = [];
  readonly acks: ConfigAck[] = [];
  /** ACKs are read but never answered (a control plane that stopped answering them). */
  holdAcks = false;
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.url?.startsWith('/xds/v1/stream')) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify(snapshot(this.streams.length + 1))}\n`);
      this.streams.push(res);
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      this.acks.push(JSON.parse(body) as ConfigAck);
      if (!this.holdAcks) res.end('{}');
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let cp: FakeControlPlane;
let client: ConfigClient | undefined;
const logs: string[] = [];
const applied: number[] = [];

beforeEach(async () => {
  cp = new FakeControlPlane();
  await cp.start();
  logs.length = 0;
  applied.length = 0;
});

afterEach(async () => {
  client?.stop();
  await cp.close();
});

function startClient(idleTimeoutMs: number): ConfigClient {
  let version = 0;
  client = new ConfigClient({
    url: `http://127.0.0.1:${cp.port}`,
    token: 't',
    name: 'node-proxy',
    apply: async (s) => {
      version = s.version;
      applied.push(s.version);
    },
    version: () => version,
    log: (m) => logs.push(m),
    idleTimeoutMs,
  });
  client.start();
  return client;
}

describe('ConfigClient stream liveness', () => {
  it('ACKs each snapshot with its name and process id', async () => {
    startClient(DEADLINE_MS);
    await until(() => cp.acks.length === 1, 'the first ACK');
    expect(cp.acks[0]).toEqual({ proxy: 'node-proxy', pid: process.pid, version: 1 });
  });

  it('takes a stream that stays silent for the idle timeout for dead and opens a new one', async () => {
    startClient(200);
    await until(() => cp.streams.length >= 2, 'a second stream');
    expect(logs).toContain('config stream silent for 200 ms; reconnecting');
    await until(() => cp.acks.some((a) => a.version === 2), 'the new stream\'s snapshot to be ACKed');
  });

  it('keeps a stream that carries heartbeats', async () => {
    startClient(200);
    await until(() => cp.streams.length === 1, 'the stream');
    const stream = cp.streams[0]!;
    // Ten heartbeats 50 ms apart span 500 ms, more than twice the idle timeout.
    for (let i = 0; i < 10; i++) {
      stream.write('{}\n');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(cp.streams).toHaveLength(1);
    expect(logs.filter((l) => l.includes('silent'))).toEqual([]);
  });

  it('applies the next snapshot while the ACK of the one before goes unanswered', async () => {
    cp.holdAcks = true;
    startClient(DEADLINE_MS);
    await until(() => cp.acks.length === 1, 'the first ACK to arrive');
    cp.streams[0]!.write(`${JSON.stringify(snapshot(2))}\n`);
    await until(() => applied.includes(2), 'version 2 to be applied');
    expect(applied).toEqual([1, 2]);
  });
});
