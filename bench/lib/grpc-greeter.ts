/**
 * The gRPC benchmark upstream: the Greeter sample (samples/grpc-greeter/) with
 * its per-call log line silenced, so the figure measures the call and not a
 * piped stdout. Run as its own process: `node grpc-greeter.js`; prints
 * `ready PORT` when listening.
 */
import { startGreeter } from '../../samples/grpc-greeter/greeter.js';

if (process.argv[1]?.endsWith('grpc-greeter.js')) {
  void startGreeter({ port: 0, from: 'greeter-v1', log: () => undefined }).then((g) => process.stdout.write(`ready ${g.port}\n`));
}
