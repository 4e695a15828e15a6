/** Greeter entry point: `node dist/samples/grpc-greeter/main.js`, configured by PORT, SERVICE_NAME and SERVICE_VERSION. */
import { exitOnSignal } from '../lib/graceful-shutdown.js';
import { startGreeter } from './greeter.js';

const DEFAULT_PORT = 50051;

async function main(): Promise<void> {
  const env = process.env;
  const port = env.PORT ? Number(env.PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT=${env.PORT ?? ''}: not a port number; set PORT to an integer from 0 to 65535`);
  }
  const from = `${env.SERVICE_NAME || 'greeter'}-${env.SERVICE_VERSION || 'v1'}`;
  const greeter = await startGreeter({ port, from, ...(env.LISTEN_HOST ? { host: env.LISTEN_HOST } : {}) });
  process.stdout.write(`greeter ${from} listening on ${greeter.address}\n`);
  exitOnSignal([greeter]);
}

main().catch((error: unknown) => {
  process.stderr.write(`greeter: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
