/**
 * The Greeter server: gRPC's helloworld.Greeter on @grpc/grpc-js, in
 * cleartext HTTP/2 on 127.0.0.1:PORT (the engine's contract,
 * samples/README.md). Every reply names the workload that made it,
 * `Hello NAME from greeter-v2`, so a caller sees which version answered.
 * One log line per call; on close it stops taking calls, lets those in
 * flight finish, then exits.
 */
import * as grpc from '@grpc/grpc-js';
import { greeterService, type HelloReply, type HelloRequest } from './proto.js';

export interface GreeterOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Address to bind; 127.0.0.1 when left out. */
  host?: string;
  /** Who answers, e.g. `greeter-v1`. */
  from: string;
  /** Where log lines go; stdout when left out. */
  log?: (line: string) => void;
  /** Longest wait for calls in flight on close before they are cut. */
  drainTimeoutMs?: number;
}

/** A listening Greeter. */
export interface RunningGreeter {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** `host:port`, for the startup line. */
  address: string;
  /** Stops taking calls, lets those in flight finish, then resolves. */
  close(): Promise<void>;
}

const DEFAULT_DRAIN_MS = 20_000;

/** `Hello NAME from greeter-v1`; an empty name greets "world", as gRPC's own examples do. */
export function greeting(name: string, from: string): string {
  return `Hello ${name || 'world'} from ${from}`;
}

/** The three methods of helloworld.Greeter. */
function implementation(from: string, log: (line: string) => void): grpc.UntypedServiceImplementation {
  const logged = (method: string, started: number, code: grpc.status): void =>
    log(`${method} ${grpc.status[code]} ${Math.round(performance.now() - started)}ms`);
  return {
    SayHello(call: grpc.ServerUnaryCall<HelloRequest, HelloReply>, callback: grpc.sendUnaryData<HelloReply>) {
      const started = performance.now();
      callback(null, { message: greeting(call.request.name, from) });
      logged('SayHello', started, grpc.status.OK);
    },
    SayHelloStreamReply(call: grpc.ServerWritableStream<HelloRequest, HelloReply>) {
      const started = performance.now();
      call.write({ message: greeting(call.request.name, from) });
      call.end();
      logged('SayHelloStreamReply', started, grpc.status.OK);
    },
    SayHelloBidiStream(call: grpc.ServerDuplexStream<HelloRequest, HelloReply>) {
      const started = performance.now();
      call.on('data', (req: HelloRequest) => call.write({ message: greeting(req.name, from) }));
      call.on('end', () => {
        call.end();
        logged('SayHelloBidiStream', started, grpc.status.OK);
      });
    },
  };
}

function shutdown(server: grpc.Server, drainTimeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.forceShutdown(), drainTimeoutMs);
    deadline.unref();
    server.tryShutdown(() => {
      clearTimeout(deadline);
      resolve();
    });
  });
}

/** Starts a Greeter and resolves once it is listening. */
export function startGreeter(options: GreeterOptions): Promise<RunningGreeter> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const server = new grpc.Server();
  server.addService(greeterService().service, implementation(options.from, log));
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) {
        reject(new Error(`${host}:${options.port}: ${err.message}`));
        return;
      }
      resolve({ port, address: `${host}:${port}`, close: () => shutdown(server, options.drainTimeoutMs ?? DEFAULT_DRAIN_MS) });
    });
  });
}
