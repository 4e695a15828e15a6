/**
 * Where the local engine keeps its logs, under the instance home's `logs/`:
 * read by the control plane's log routes, written by the supervisor (pods'
 * stdout and stderr) and the node proxy (access logs).
 */
import path from 'node:path';

/** A pod's stdout and stderr. */
export function podLogFile(home: string, namespace: string, pod: string): string {
  return path.join(home, 'logs', 'pods', namespace, `${pod}.log`);
}

/** The proxy's access log of one pod (requests it served) or one workload (requests it sent). */
export function accessLogFile(logDir: string, project: string, name: string): string {
  return path.join(logDir, 'proxy', project, `${name}.log`);
}

/** The proxy's access log of the gateway. */
export function gatewayAccessLogFile(logDir: string): string {
  return path.join(logDir, 'proxy', 'gateway.log');
}
