/**
 * gRPC's helloworld proto (helloworld.proto beside this file in the source
 * tree), loaded at run time with @grpc/proto-loader, from the source tree or
 * from dist/ alike.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_FILE = 'helloworld.proto';
const FROM_ROOT = path.join('samples', 'grpc-greeter', PROTO_FILE);

/** The proto's path: beside this module when run from source, else under the package root above dist/. */
export function protoPath(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let d = from; ; d = path.dirname(d)) {
    for (const candidate of [path.join(d, PROTO_FILE), path.join(d, FROM_ROOT)]) if (existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) throw new Error(`${FROM_ROOT}: not found above ${from}; run from a graymesh checkout or package`);
  }
}

/** The Greeter service's client constructor (with its service definition), from the proto. */
export type GreeterConstructor = grpc.ServiceClientConstructor & { service: grpc.ServiceDefinition };

let loaded: GreeterConstructor | undefined;

/** helloworld.Greeter, loaded once per process. */
export function greeterService(): GreeterConstructor {
  if (!loaded) {
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath())) as unknown as { helloworld: { Greeter: GreeterConstructor } };
    loaded = pkg.helloworld.Greeter;
  }
  return loaded;
}

export interface HelloRequest {
  name: string;
}

export interface HelloReply {
  message: string;
}
