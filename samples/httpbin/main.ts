/** httpbin entry point: `node dist/samples/httpbin/main.js`, configured by PORT, SERVICE_VERSION and POD_NAME. */
import { hostname } from 'node:os';
import { exitOnSignal } from '../lib/graceful-shutdown.js';
import { listenAddress } from '../lib/serve.js';
import { startHttpbin } from './httpbin.js';

const DEFAULT_PORT = 8000;

async function main(): Promise<void> {
  const env = process.env;
  const port = env.PORT ? Number(env.PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT=${env.PORT ?? ''}: not a port number; set PORT to an integer from 0 to 65535`);
  }
  const server = await startHttpbin({
    port,
    version: env.SERVICE_VERSION || 'v1',
    pod: env.POD_NAME || env.HOSTNAME || hostname(),
    ...(env.LISTEN_HOST ? { host: env.LISTEN_HOST } : {}),
  });
  process.stdout.write(`httpbin listening on ${listenAddress(server)}\n`);
  exitOnSignal([server]);
}

main().catch((error: unknown) => {
  process.stderr.write(`httpbin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
