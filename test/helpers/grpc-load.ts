/**
 * gRPC calls through the gateway for end-to-end tests: a Greeter client of
 * @grpc/grpc-js (cleartext HTTP/2 to the gateway's port, `:authority` the
 * gateway host), and continuous SayHello load in the pattern of Load
 * (load.ts): a few loops that count which version answered and every failed
 * call, so a test can assert that a release step lost nothing.
 */
import * as grpc from '@grpc/grpc-js';
import { greeterService, type HelloReply } from '../../samples/grpc-greeter/proto.js';

export type GreeterClient = grpc.Client & {
  SayHello(req: { name: string }, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, r?: HelloReply) => void): void;
};

/** Longest a call may take before it counts as failed. */
const CALL_DEADLINE_MS = 20_000;

/** A Greeter client to the gateway at `port`, for the gateway host `authority` (e.g. greeter.demo.localhost). */
export function greeterClient(port: number, authority: string): GreeterClient {
  const Greeter = greeterService();
  return new Greeter(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': authority }) as unknown as GreeterClient;
}

/** Metadata from plain pairs, e.g. { 'x-canary': 'yes' }. */
export function metadata(pairs: Record<string, string> = {}): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(pairs)) md.set(k, v);
  return md;
}

/** One SayHello call; rejects with the call's ServiceError. */
export function sayHello(client: GreeterClient, name: string, md = new grpc.Metadata()): Promise<HelloReply> {
  return new Promise((resolve, reject) =>
    client.SayHello({ name }, md, { deadline: Date.now() + CALL_DEADLINE_MS }, (err, r) => (err || !r ? reject(err ?? new Error('no reply')) : resolve(r))),
  );
}

/** The version named by a reply `Hello NAME from greeter-v2`, or undefined when it names none. */
export function greeterVersion(message: string): string | undefined {
  return /^Hello \S+ from greeter-(v\d+)$/.exec(message)?.[1];
}

export interface GrpcLoadTarget {
  /** The gateway's port. */
  port: number;
  /** The gateway host, e.g. greeter.demo.localhost. */
  authority: string;
  /** Metadata every call carries. */
  metadata?: Record<string, string>;
}

export class GrpcLoad {
  private stopped = false;
  private readonly clients: GreeterClient[] = [];
  private loops: Promise<void>[] = [];
  /** Counts resets, so an answer to a call sent before the last one is not counted in `seen`. */
  private epoch = 0;
  /** Answers per version to the calls sent since the last reset. */
  readonly seen = new Map<string, number>();
  /** Every failed call, prefixed with the phase it happened in. */
  failures: string[] = [];
  total = 0;
  /** Names the step under way, so a failure says when it happened. */
  phase = 'start';

  constructor(private readonly target: GrpcLoadTarget) {}

  /** Starts `concurrency` loops, each on its own channel. */
  start(concurrency = 4): void {
    for (let i = 0; i < concurrency; i++) {
      const client = greeterClient(this.target.port, this.target.authority);
      this.clients.push(client);
      this.loops.push(this.loop(client, i));
    }
  }

  private async loop(client: GreeterClient, n: number): Promise<void> {
    const md = metadata(this.target.metadata);
    while (!this.stopped) {
      this.total++;
      const epoch = this.epoch;
      try {
        const reply = await sayHello(client, `load${n}`, md);
        const v = greeterVersion(reply.message);
        if (v === undefined) this.failures.push(`${this.phase}: reply ${JSON.stringify(reply.message)} names no version`);
        else if (epoch === this.epoch) this.seen.set(v, (this.seen.get(v) ?? 0) + 1);
      } catch (err) {
        const e = err as Partial<grpc.ServiceError>;
        this.failures.push(`${this.phase}: ${e.code !== undefined ? grpc.status[e.code] : ''} ${e.details ?? e.message ?? String(err)}`);
      }
    }
  }

  /** Counts afresh: `seen` holds only answers to calls sent from now on (failures are all kept). */
  reset(): void {
    this.epoch++;
    this.seen.clear();
  }

  /** Resolves once `n` answers have been counted since the last reset. */
  async counted(n: number): Promise<void> {
    const sum = (): number => [...this.seen.values()].reduce((a, b) => a + b, 0);
    while (sum() < n) {
      if (this.stopped) throw new Error(`load stopped after ${sum()} of ${n} answers`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    for (const c of this.clients) c.close();
  }
}
