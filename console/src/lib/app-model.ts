/**
 * A composed app as the console shows it, pure: its services, each with its
 * versions (one Deployment per version, label `version`), and the status of
 * each workload and of the whole app.
 */
import type { Deployment, KubeObject, Service } from '../api/types';

export type WorkloadStatus = 'Running' | 'Updating' | 'Stopped';

/** One version of one service. */
export interface VersionInfo {
  version: string;
  workload: string;
  desired: number;
  ready: number;
  status: WorkloadStatus;
  image: string;
}

/** One component of the app. */
export interface ComponentInfo {
  service: string;
  ports: string;
  versions: VersionInfo[];
}

export function workloadStatus(d: Deployment): WorkloadStatus {
  const desired = d.spec?.replicas ?? 1;
  const ready = d.status?.readyReplicas ?? 0;
  if (desired === 0) return 'Stopped';
  return ready >= desired ? 'Running' : 'Updating';
}

export function versionInfo(d: Deployment): VersionInfo {
  return {
    version: d.metadata.labels?.version ?? '–',
    workload: d.metadata.name,
    desired: d.spec?.replicas ?? 1,
    ready: d.status?.readyReplicas ?? 0,
    status: workloadStatus(d),
    image: d.spec?.template?.spec?.containers?.[0]?.image ?? '',
  };
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The selector of an Application (spec.selector.matchLabels). */
export function appSelector(app: KubeObject): Record<string, string> | undefined {
  return (app.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
}

/** The services of an app and their versions, by the app's label selector and each workload's `app` label. */
export function appComponents(app: KubeObject, services: Service[], deployments: Deployment[]): ComponentInfo[] {
  const sel = appSelector(app);
  const mine = services.filter((s) => selects(sel, s.metadata.labels));
  const deps = deployments.filter((d) => selects(sel, d.metadata.labels));
  return mine
    .map((s) => {
      const name = s.metadata.labels?.app ?? s.metadata.name;
      return {
        service: s.metadata.name,
        ports: (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', '),
        versions: deps
          .filter((d) => (d.metadata.labels?.app ?? '') === name)
          .map(versionInfo)
          .sort((a, b) => a.version.localeCompare(b.version)),
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service));
}

/** Ready when every workload is running; Updating while any is not; Empty with none. */
export function appStatus(components: ComponentInfo[]): 'Ready' | 'Updating' | 'Empty' {
  const all = components.flatMap((c) => c.versions);
  if (all.length === 0) return 'Empty';
  return all.every((v) => v.status === 'Running' || v.status === 'Stopped') ? 'Ready' : 'Updating';
}

/** The app's entry service: the `graymesh.dev/entry` annotation, else productpage, else the first service. */
export function entryService(app: KubeObject, components: ComponentInfo[]): string | undefined {
  return app.metadata.annotations?.['graymesh.dev/entry'] ?? components.find((c) => c.service === 'productpage')?.service ?? components[0]?.service;
}

/** The address users open: `http://<entry>.<project>.localhost:<gateway port>/<path>`. */
export function accessAddress(gatewayUrl: string | undefined, entry: string, project: string, path = `/${entry}`): { host: string; port: string; url: string } | undefined {
  if (!gatewayUrl) return undefined;
  let port: string;
  try {
    const u = new URL(gatewayUrl);
    port = u.port || (u.protocol === 'https:' ? '443' : '80');
  } catch {
    return undefined;
  }
  const host = `${entry}.${project}.localhost`;
  return { host, port, url: `http://${host}:${port}${path}` };
}
