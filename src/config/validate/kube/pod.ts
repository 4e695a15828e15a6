/** Pod template rules Kubernetes applies to a Deployment's pods (apis/core/validation). */
import { dns1123LabelError } from '../../../api/names.js';
import { at, item, type Report } from '../issues.js';
import { addRequiredHints } from '../schema/schema.js';
import { list, num, rec, str } from '../values.js';

addRequiredHints({
  'PodSpec.containers': 'add at least one container, e.g. "- name: reviews" with "image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.1"',
  'Container.name': 'give the container a name, e.g. reviews',
  'ContainerPort.containerPort': 'add the port the process listens on, e.g. 9080',
  'Volume.name': 'give the volume a name that a volumeMount can refer to',
  'VolumeMount.name': 'name the volume to mount, one of spec.template.spec.volumes',
  'VolumeMount.mountPath': 'add the path inside the container, e.g. /tmp',
  'EnvVar.name': 'give the variable a name, e.g. LOG_DIR',
});

/** Kubernetes' IsValidPortName (IANA_SVC_NAME): what a named targetPort or probe port can be. */
export function portNameError(name: string): string | undefined {
  if (name.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || !/[a-z]/.test(name) || name.includes('--')) {
    return `"${name}" is not a valid port name: up to 15 lowercase letters, digits and '-', with at least one letter`;
  }
  return undefined;
}

export function portNumberError(n: number, what = 'port'): string | undefined {
  return n >= 1 && n <= 65535 ? undefined : `${what} ${n} is out of range; use 1 to 65535`;
}

/** Checks `spec.template.spec` at `path`. */
export function checkPodSpec(spec: Record<string, unknown>, path: string, r: Report): void {
  const volumes = new Set<string>();
  list(spec.volumes).forEach((v, i) => {
    const name = str(rec(v)?.name);
    if (name === undefined) return;
    if (volumes.has(name)) r.error(at(item(at(path, 'volumes'), i), 'name'), `duplicate volume name "${name}"; volume names must be unique`);
    volumes.add(name);
  });

  const containers = list(spec.containers);
  if (Array.isArray(spec.containers) && containers.length === 0) {
    r.error(at(path, 'containers'), 'must not be empty; add at least one container with a name and an image');
  }
  const seen = new Set<string>();
  for (const field of ['initContainers', 'containers']) {
    list(spec[field]).forEach((c, i) => checkContainer(rec(c), item(at(path, field), i), seen, volumes, r));
  }
}

function checkContainer(
  c: Record<string, unknown> | undefined,
  path: string,
  seen: Set<string>,
  volumes: Set<string>,
  r: Report,
): void {
  if (c === undefined) return;
  const name = str(c.name);
  if (name !== undefined) {
    const err = dns1123LabelError(name);
    if (err !== undefined) r.error(at(path, 'name'), err);
    else if (seen.has(name)) r.error(at(path, 'name'), `duplicate container name "${name}"; container names must be unique in a pod`);
    seen.add(name);
  }
  // graymesh runs a container either from its image or, on the local engine, as a local command.
  if (c.image === undefined && c.command === undefined) {
    r.error(at(path, 'image'), 'required; add the image to run, or a command to start as a local process');
  }
  const portNames = new Set<string>();
  list(c.ports).forEach((p, i) => {
    const port = rec(p);
    const n = num(port?.containerPort);
    const pPath = item(at(path, 'ports'), i);
    if (n !== undefined && Number.isInteger(n)) {
      const err = portNumberError(n, 'containerPort');
      if (err !== undefined) r.error(at(pPath, 'containerPort'), err);
    }
    const pn = str(port?.name);
    if (pn !== undefined) {
      const err = portNameError(pn);
      if (err !== undefined) r.error(at(pPath, 'name'), err);
      portNames.add(pn);
    }
  });
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const pr = rec(c[probe]);
    for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
      const port = rec(pr?.[handler])?.port;
      const pPath = at(at(at(path, probe), handler), 'port');
      if (typeof port === 'number' && Number.isInteger(port)) {
        const err = portNumberError(port);
        if (err !== undefined) r.error(pPath, err);
      } else if (typeof port === 'string' && !portNames.has(port)) {
        r.error(pPath, `no container port is named "${port}"; name one of ${at(path, 'ports')} "${port}", or use the port number`);
      }
    }
  }
  list(c.volumeMounts).forEach((m, i) => {
    const name = str(rec(m)?.name);
    if (name !== undefined && !volumes.has(name)) {
      r.error(at(item(at(path, 'volumeMounts'), i), 'name'), `no volume named "${name}"; add it to spec.template.spec.volumes, e.g. "- name: ${name}" with "emptyDir: {}"`);
    }
  });
}
