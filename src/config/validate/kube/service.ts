/** v1 Service: the stable name and ports of a component. Rules after Kubernetes' core validation. */
import { EXPORT_TO_ANNOTATION } from '../../tenancy/exports.js';
import { at, item, type Report } from '../issues.js';
import { checkLabelMap } from '../meta.js';
import { addRequiredHints } from '../schema/schema.js';
import { isDns1123Label, list, num, rec, str } from '../values.js';
import { portNameError, portNumberError } from './pod.js';

addRequiredHints({
  'ServicePort.port': 'add the port the service listens on, e.g. 9080',
});

export function checkService(obj: Record<string, unknown>, r: Report): void {
  const spec = rec(obj.spec) ?? {};
  const type = str(spec.type) ?? 'ClusterIP';
  const headless = spec.clusterIP === 'None';
  const ports = list(spec.ports);
  if (type === 'ExternalName') {
    if (str(spec.externalName) === undefined) r.error('spec.externalName', 'required for type ExternalName; add the DNS name to alias, e.g. example.com');
  } else if (ports.length === 0 && !headless) {
    r.error('spec.ports', 'required; add the port the service listens on, e.g. "- port: 9080" with "name: http"');
  }
  const names = new Set<string>();
  const numbers = new Set<string>();
  ports.forEach((p, i) => {
    const port = rec(p);
    if (port === undefined) return;
    const path = item('spec.ports', i);
    const n = num(port.port);
    if (n !== undefined && Number.isInteger(n)) {
      const err = portNumberError(n);
      if (err !== undefined) r.error(at(path, 'port'), err);
      const key = `${n}/${str(port.protocol) ?? 'TCP'}`;
      if (numbers.has(key)) r.error(at(path, 'port'), `duplicate port ${key}; each port and protocol may appear once`);
      numbers.add(key);
    }
    const target = port.targetPort;
    if (typeof target === 'number' && Number.isInteger(target)) {
      const err = portNumberError(target, 'targetPort');
      if (err !== undefined) r.error(at(path, 'targetPort'), err);
    } else if (typeof target === 'string') {
      const err = portNameError(target);
      if (err !== undefined) r.error(at(path, 'targetPort'), `${err}; or use the container's port number`);
    }
    const nodePort = num(port.nodePort);
    if (nodePort !== undefined && nodePort !== 0 && portNumberError(nodePort) !== undefined) {
      r.error(at(path, 'nodePort'), `nodePort ${nodePort} is out of range; use 1 to 65535, usually 30000 to 32767`);
    }
    const name = str(port.name);
    if (name === undefined || name === '') {
      if (ports.length > 1) r.error(at(path, 'name'), 'required when a service has several ports; name each, e.g. http');
    } else {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
        r.error(at(path, 'name'), `"${name}" is not a valid port name: use lowercase letters, digits and '-'`);
      }
      if (names.has(name)) r.error(at(path, 'name'), `duplicate port name "${name}"; port names must be unique`);
      names.add(name);
    }
  });
  checkLabelMap(spec.selector, 'spec.selector', r);
  checkExportTo(obj, r);
}

/** The `networking.istio.io/exportTo` annotation: ".", "*" or namespace names, comma-separated (Istio's rule for Services). */
function checkExportTo(obj: Record<string, unknown>, r: Report): void {
  const value = str(rec(rec(obj.metadata)?.annotations)?.[EXPORT_TO_ANNOTATION]);
  if (value === undefined) return;
  const path = at('metadata.annotations', EXPORT_TO_ANNOTATION);
  const entries = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const e of entries) {
    if (e !== '.' && e !== '*' && !isDns1123Label(e)) r.error(path, `"${e}" is not a namespace: use ".", "*" or namespace names separated by commas`);
  }
  if (entries.includes('*') && entries.length > 1) r.error(path, 'mixes "*" with other entries; "*" alone already exports to every namespace');
}
