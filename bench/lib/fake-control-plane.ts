/**
 * A stand-in control plane for benchmarks of the node proxy alone: it serves
 * the proxy's config stream and ACK endpoint with the real wire format, and
 * swallows spans, so the proxy runs exactly as in production with a snapshot
 * the benchmark chooses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigAck, ConfigSnapshot } from '../../src/config/snapshot.js';

export class FakeControlPlane {
  private server: http.Server | undefined;
  private stream: http.ServerResponse | undefined;
  private readonly waiters = new Map<number, (ack: ConfigAck) => void>();
  acked = 0;
  spansReceived = 0;
  connected: Promise<void>;
  private onConnect!: () => void;

  constructor() {
    this.connected = new Promise((r) => (this.onConnect = r));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/xds/v1/stream')) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.flushHeaders();
        this.stream = res;
        this.onConnect();
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (url.startsWith('/xds/v1/ack')) {
          const ack = JSON.parse(body) as ConfigAck;
          if (!ack.error) this.acked = Math.max(this.acked, ack.version);
          this.waiters.get(ack.version)?.(ack);
          this.waiters.delete(ack.version);
        } else if (url.startsWith('/v1/traces')) {
          this.spansReceived++;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  /** Sends a snapshot; resolves with the ACK and the ms from send to ACK. */
  publish(snapshot: ConfigSnapshot): Promise<{ ack: ConfigAck; ms: number; bytes: number }> {
    const line = `${JSON.stringify(snapshot)}\n`;
    const t0 = process.hrtime.bigint();
    return new Promise((resolve) => {
      this.waiters.set(snapshot.version, (ack) => resolve({ ack, ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes: Buffer.byteLength(line) }));
      this.stream!.write(line);
    });
  }

  close(): void {
    this.stream?.end();
    this.server?.closeAllConnections();
    this.server?.close();
  }
}
