/**
 * gRPC calls through the gateway for end-to-end tests: a Greeter client of
 * @grpc/grpc-js (cleartext HTTP/2 to the gateway's port, `:authority` the
 * gateway host), and continuous SayHello load in the pattern of Load
 * (load.ts): a few loops that count which version answered and every failed
 * call, so a test can assert that a release step lost nothing.
 */
import * as grpc from '@grpc/grpc-js';
import { greeterService, type HelloReply } from '../../samples/grpc-greeter/proto.js';
import { LoadLoops, type Outcome } from './load.js';

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

export class GrpcLoad extends LoadLoops {
  private readonly clients: GreeterClient[] = [];
  private readonly md: grpc.Metadata;

  constructor(private readonly target: GrpcLoadTarget) {
    super();
    this.md = metadata(target.metadata);
  }

  /** Starts `concurrency` loops, each on its own channel. */
  start(concurrency = 4): void {
    for (let i = 0; i < concurrency; i++) {
      this.clients.push(greeterClient(this.target.port, this.target.authority));
      this.runLoop(i);
    }
  }

  protected async once(n: number): Promise<Outcome> {
    const reply = await sayHello(this.clients[n]!, `load${n}`, this.md);
    const v = greeterVersion(reply.message);
    return v === undefined ? { failure: `reply ${JSON.stringify(reply.message)} names no version` } : { version: v };
  }

  protected override describe(err: unknown): string {
    const e = err as Partial<grpc.ServiceError>;
    return `${e.code !== undefined ? grpc.status[e.code] : ''} ${e.details ?? e.message ?? String(err)}`;
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
    await this.stopLoops();
    for (const c of this.clients) c.close();
  }
}
