/**
 * Process-level shutdown for a sample workload. Kubernetes (and the local engine)
 * send SIGTERM and wait a grace period before SIGKILL; draining inside that window
 * means a rollout never cuts a request in half.
 */
/** Anything a workload serves on: an HTTP server, a gRPC server. */
export interface Closable {
  close(): Promise<void>;
}

/** On SIGTERM or SIGINT: stop accepting, finish in-flight requests, exit 0. */
export function exitOnSignal(servers: Closable[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining ${servers.length} server(s)`);
    void Promise.allSettled(servers.map((s) => s.close())).then(() => {
      log('drained, exiting');
      process.exit(0);
    });
  };
  // Kept installed: a second SIGTERM (a restarted control plane stopping the pod again) must not cut the drain short.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
