/**
 * A pod's status as a kubelet reports it, from the supervisor's observed state of its
 * process: phase, the pod's and node's IP (127.0.0.1, one machine), the conditions
 * PodScheduled, Initialized, ContainersReady and Ready (ready when the readiness check
 * passes), and the container's status (ready, restartCount, running or waiting, the last
 * exit). A condition's lastTransitionTime moves only when its status does, so a state
 * reported again writes nothing.
 */
import type { Container, Pod, PodStatus } from '../../api/objects.js';
import type { PodState } from '../../runtime/supervisor.js';

const NODE_IP = '127.0.0.1';

type Condition = NonNullable<PodStatus['conditions']>[number];

function conditions(prior: PodStatus | undefined, state: PodState, now: string): Condition[] {
  const was = (type: string): Condition | undefined => prior?.conditions?.find((c) => c.type === type);
  const cond = (type: string, ok: boolean, reason?: string): Condition => {
    const before = was(type);
    const status = ok ? 'True' : 'False';
    return {
      type,
      status,
      lastTransitionTime: before?.status === status ? (before.lastTransitionTime ?? now) : now,
      ...(!ok && reason ? { reason } : {}),
    };
  };
  return [
    cond('PodReadyToStartContainers', true),
    cond('Initialized', true),
    cond('Ready', state.ready, 'ContainersNotReady'),
    cond('ContainersReady', state.ready, 'ContainersNotReady'),
    cond('PodScheduled', true),
  ];
}

/** The status to store for a pod whose process is in `state`. */
export function podStatus(pod: Pod, state: PodState, now = new Date().toISOString()): PodStatus {
  const c = (pod.spec as { containers?: Container[] } | undefined)?.containers?.[0];
  const prior = pod.status;
  const running = state.pid !== undefined;
  const status: PodStatus = {
    phase: state.phase,
    port: state.port,
    hostIP: NODE_IP,
    hostIPs: [{ ip: NODE_IP }],
    podIP: NODE_IP,
    podIPs: [{ ip: NODE_IP }],
    conditions: conditions(prior, state, now),
    containerStatuses: [
      {
        name: c?.name ?? 'main',
        image: c?.image ?? '',
        imageID: c?.image ?? '',
        ...(running ? { containerID: `graymesh://${state.pid}` } : {}),
        ready: state.ready,
        restartCount: state.restartCount,
        started: running,
        state: running
          ? { running: { startedAt: state.startTime } }
          : { waiting: { reason: state.restartCount > 0 ? 'CrashLoopBackOff' : 'ContainerCreating', message: state.message } },
        ...(state.lastExit
          ? { lastState: { terminated: { exitCode: state.lastExit.code, signal: state.lastExit.signal, finishedAt: state.lastExit.at, reason: state.lastExit.code === 0 ? 'Completed' : 'Error' } } }
          : {}),
      },
    ],
    qosClass: 'BestEffort',
  };
  if (state.pid !== undefined) status.pid = state.pid;
  if (state.startTime) status.startTime = state.startTime;
  if (state.message) status.message = state.message;
  if (prior?.proxyPort) status.proxyPort = prior.proxyPort;
  return status;
}
