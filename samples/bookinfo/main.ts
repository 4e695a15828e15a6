/**
 * Bookinfo entry point: `node dist/samples/bookinfo/main.js <service>`, one
 * service per process, configured from the environment (see env-config.ts).
 */
import { exitOnSignal } from '../lib/graceful-shutdown.js';
import { listenAddress, type RunningServer } from '../lib/serve.js';
import { startDetails } from './details.js';
import { listenOptions, productpageOptions, ratingsOptions, reviewsOptions, type Env } from './env-config.js';
import { startProductpage } from './productpage.js';
import { startRatings } from './ratings.js';
import { startReviews } from './reviews.js';

const STARTERS: Record<string, (env: Env) => Promise<RunningServer>> = {
  productpage: (env) => startProductpage(productpageOptions(env)),
  details: (env) => startDetails(listenOptions(env)),
  reviews: (env) => startReviews(reviewsOptions(env)),
  ratings: (env) => startRatings(ratingsOptions(env)),
};

async function main(): Promise<void> {
  const name = process.argv[2] ?? process.env.SERVICE_NAME ?? '';
  const start = STARTERS[name];
  if (!start) {
    process.stderr.write(`usage: main.js <${Object.keys(STARTERS).join('|')}> (got "${name}")\n`);
    process.exit(2);
  }
  const server = await start(process.env);
  const version = process.env.SERVICE_VERSION ?? 'v1';
  process.stdout.write(`bookinfo ${name} ${version} listening on ${listenAddress(server)}\n`);
  exitOnSignal([server]);
}

main().catch((error: unknown) => {
  process.stderr.write(`bookinfo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
