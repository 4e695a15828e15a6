/**
 * Node and V8 flags of the node proxy process, wherever it is started
 * (`graymesh up`, the benchmarks), so that the process measured is the one
 * that runs.
 *
 * - `--v8-pool-size=2`: V8's background threads (concurrent marking and
 *   sweeping, optimising compiles) are 4 by default whatever the machine;
 *   each keeps its compile jobs' memory in a malloc arena of its own. Two
 *   held 3–4 MB less RSS at 1000 req/s, at the same CPU per request.
 * - `--max-semi-space-size=4` (MB): V8 grows each half of the young
 *   generation up to 16 MB under load. Capped at 4, the proxy's RSS after
 *   the benchmark's 1000 req/s runs was 74 MB against 80 (pool size 2 alone)
 *   and 83 (no flags), medians of 3 runs; after `wrk -c32` at saturation
 *   88–100 MB against 114–130. The price is more scavenges: main-thread GC
 *   pause per request 6.0 µs against 4.3 (of about 47 µs of main-thread CPU
 *   per request, so 2–4%); throughput beside the uncapped build 1.01× and
 *   0.97× in two runs. At 2 MB the pause was 8.7 µs and throughput 0.92×,
 *   for 1–5 MB less; at 8 MB nothing was saved at 1000 req/s.
 *
 * Tried and left out: `--single-threaded-gc` and `--no-parallel-scavenge`
 * (7–18% more CPU per request, no less memory), `--optimize-for-size`
 * (6 MB less at 1000 req/s for 30% more CPU), `--heap-growing-percent`,
 * `--max-old-space-size=256`, `MALLOC_ARENA_MAX`, `UV_THREADPOOL_SIZE=2`
 * (no change beyond run-to-run noise).
 */
export const PROXY_NODE_ARGS: readonly string[] = ['--v8-pool-size=2', '--max-semi-space-size=4'];
