/**
 * tcp-echo entry point, as Istio's image runs it: `main.js PORT PREFIX...` (`["9000", "one"]`).
 * Under graymesh the pod's PORT (set by the supervisor) wins over the port argument, which is
 * the container port the Service targets; the prefix is the arguments after it joined by spaces
 * (default `hello`, as Istio's server answers without one).
 */
import { exitOnSignal } from '../lib/graceful-shutdown.js';
import { startEcho } from './echo.js';

async function main(): Promise<void> {
  const [portArg, ...prefixArgs] = process.argv.slice(2);
  const raw = process.env.PORT ?? portArg ?? '9000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`port ${raw}: not a port number; pass an integer from 0 to 65535 (PORT or the first argument)`);
  }
  const prefix = prefixArgs.length > 0 ? prefixArgs.join(' ') : 'hello';
  const echo = await startEcho({ port, prefix, ...(process.env.LISTEN_HOST ? { host: process.env.LISTEN_HOST } : {}) });
  process.stdout.write(`tcp-echo "${prefix}" listening on ${echo.address}\n`);
  exitOnSignal([echo]);
}

main().catch((error: unknown) => {
  process.stderr.write(`tcp-echo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
