/**
 * Node and V8 flags of the node proxy process, wherever it is started
 * (`graymesh up`, the benchmarks), so that the process measured is the one
 * that runs.
 *
 * `--v8-pool-size=2`: V8's background threads (concurrent marking and
 * sweeping, optimising compiles) are 4 by default whatever the machine. Each
 * keeps the memory of its compile jobs in a malloc arena of its own; with 2
 * the proxy serving 1000 req/s held 3–4 MB less RSS (70 against 74 MB, median
 * of 8 runs; 86 against 92–102 MB with undici on the request path), with the
 * same CPU per request under `wrk -c32` (47 against 46 µs) and the same
 * throughput (20.8k req/s both).
 *
 * Tried and left out:
 * - `--max-semi-space-size=2` (MB; V8 grows each of the young generation's
 *   two halves up to 16 MB): at 1000 req/s the young generation stays near
 *   4 MB anyway, so it saved 1–3 MB there, and 35 MB at saturation (83
 *   against 117 MB after `wrk -c32`); but requests, spans and log lines alive
 *   across two scavenges are promoted, and it cost 5–8% more CPU per request
 *   (+30% while undici was on the request path). 4 and 8 MB saved less and
 *   cost as much.
 * - `--single-threaded-gc`, `--no-parallel-scavenge`: more CPU per request
 *   (+15–20%), no less memory. `--optimize-for-size`: 10 MB less at 1000
 *   req/s for 60% more CPU. `--heap-growing-percent`, `MALLOC_ARENA_MAX`,
 *   `UV_THREADPOOL_SIZE=2`: no change beyond run-to-run noise.
 */
export const PROXY_NODE_ARGS: readonly string[] = ['--v8-pool-size=2'];
