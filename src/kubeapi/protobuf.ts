/**
 * The Kubernetes protobuf encoding, read for the objects kubectl's typed commands send that
 * way (`kubectl create namespace|secret|configmap|serviceaccount|deployment`): the `k8s\0`
 * envelope (runtime.Unknown) and the fields of those kinds, by their numbers in the Kubernetes
 * API's generated.proto. A field not in these tables is refused by name, not dropped.
 */
import { kubeUnsupportedMediaType } from './status.js';

type FieldType = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'intOrString' | `map:${'string' | 'bytes'}` | `msg:${string}`;
interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
}
type Message = Record<number, Field>;

const f = (name: string, type: FieldType, repeated = false): Field => ({ name, type, repeated });

const MESSAGES: Record<string, Message> = {
  ObjectMeta: {
    1: f('name', 'string'), 2: f('generateName', 'string'), 3: f('namespace', 'string'), 5: f('uid', 'string'),
    6: f('resourceVersion', 'string'), 7: f('generation', 'int'), 8: f('creationTimestamp', 'time'),
    11: f('labels', 'map:string'), 12: f('annotations', 'map:string'), 14: f('finalizers', 'string', true),
  },
  Namespace: { 1: f('metadata', 'msg:ObjectMeta'), 2: f('spec', 'msg:Empty'), 3: f('status', 'msg:Empty') },
  ServiceAccount: { 1: f('metadata', 'msg:ObjectMeta'), 4: f('automountServiceAccountToken', 'bool') },
  ConfigMap: { 1: f('metadata', 'msg:ObjectMeta'), 2: f('data', 'map:string'), 3: f('binaryData', 'map:bytes'), 4: f('immutable', 'bool') },
  Secret: { 1: f('metadata', 'msg:ObjectMeta'), 2: f('data', 'map:bytes'), 3: f('type', 'string'), 4: f('stringData', 'map:string'), 5: f('immutable', 'bool') },
  Deployment: { 1: f('metadata', 'msg:ObjectMeta'), 2: f('spec', 'msg:DeploymentSpec'), 3: f('status', 'msg:Empty') },
  DeploymentSpec: {
    1: f('replicas', 'int'), 2: f('selector', 'msg:LabelSelector'), 3: f('template', 'msg:PodTemplateSpec'), 4: f('strategy', 'msg:Strategy'),
    5: f('minReadySeconds', 'int'), 6: f('revisionHistoryLimit', 'int'), 7: f('paused', 'bool'), 9: f('progressDeadlineSeconds', 'int'),
  },
  Strategy: { 1: f('type', 'string') },
  LabelSelector: { 1: f('matchLabels', 'map:string') },
  PodTemplateSpec: { 1: f('metadata', 'msg:ObjectMeta'), 2: f('spec', 'msg:PodSpec') },
  PodSpec: { 2: f('containers', 'msg:Container', true), 3: f('restartPolicy', 'string'), 8: f('serviceAccountName', 'string') },
  Container: {
    1: f('name', 'string'), 2: f('image', 'string'), 3: f('command', 'string', true), 4: f('args', 'string', true),
    6: f('ports', 'msg:ContainerPort', true), 7: f('env', 'msg:EnvVar', true), 8: f('resources', 'msg:Empty'), 14: f('imagePullPolicy', 'string'),
  },
  ContainerPort: { 1: f('name', 'string'), 3: f('containerPort', 'int'), 4: f('protocol', 'string') },
  EnvVar: { 1: f('name', 'string'), 2: f('value', 'string') },
  Empty: {},
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer<ArrayBufferLike>) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw kubeUnsupportedMediaType('protobuf body ends inside a number; send application/json');
      if (shift > 63) throw kubeUnsupportedMediaType('protobuf number longer than ten bytes; send application/json');
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }
  bytes(): Buffer<ArrayBufferLike> {
    const n = this.varint();
    if (n > this.buf.length - this.pos) throw kubeUnsupportedMediaType('protobuf field longer than the body (truncated); send application/json');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (n > this.buf.length - this.pos) throw kubeUnsupportedMediaType('protobuf field longer than the body (truncated); send application/json');
      this.pos += n;
    }
    else throw kubeUnsupportedMediaType(`protobuf wire type ${wire} is not supported; send application/json`);
  }
}

function decodeMap(buf: Buffer, valueType: 'string' | 'bytes'): [string, string] {
  const r = new Reader(buf);
  let k = '';
  let v = '';
  while (!r.done) {
    const tag = r.varint();
    const b = r.bytes();
    if (tag >> 3 === 1) k = b.toString('utf8');
    else v = valueType === 'bytes' ? b.toString('base64') : b.toString('utf8');
  }
  return [k, v];
}

function decodeMessage(buf: Buffer<ArrayBufferLike>, type: string, path: string): Record<string, unknown> {
  const def = MESSAGES[type] as Message;
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = r.varint();
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    const field = def[num];
    if (!field) {
      // Go writes every field that is not a pointer, empty or not: an empty one says nothing.
      const start = r.pos;
      r.skip(wire);
      const empty = wire === 0 ? r.buf[start] === 0 : wire === 2 ? r.buf[start] === 0 : false;
      if (empty || type === 'Empty' || type === 'Strategy') continue;
      throw kubeUnsupportedMediaType(`protobuf field ${num} of ${path || type} is not read here; send application/json (kubectl apply -f)`);
    }
    let value: unknown;
    if (field.type === 'int') value = r.varint();
    else if (field.type === 'bool') value = r.varint() !== 0;
    else {
      const b = r.bytes();
      if (b.length === 0 && field.type !== 'bytes' && !field.type.startsWith('msg:')) continue;
      if (field.type === 'string') value = b.toString('utf8');
      else if (field.type === 'bytes') value = b.toString('base64');
      else if (field.type === 'time') {
        const t = decodeRaw(b);
        if (!t[1]) continue;
        const at = new Date((t[1] ?? 0) * 1000);
        if (Number.isNaN(at.getTime())) throw kubeUnsupportedMediaType(`protobuf ${path}${path ? '.' : ''}${field.name}: not a time; send application/json`);
        value = at.toISOString().replace(/\.\d+Z$/, 'Z');
      } else if (field.type.startsWith('map:')) {
        const [k, v] = decodeMap(b, field.type.slice(4) as 'string' | 'bytes');
        out[field.name] = { ...((out[field.name] as object | undefined) ?? {}), [k]: v };
        continue;
      } else value = decodeMessage(b, field.type.slice(4), `${path}${path ? '.' : ''}${field.name}`);
    }
    if (field.repeated) out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), value];
    else out[field.name] = value;
  }
  return out;
}

/** Varint fields of a small message (Time: seconds, nanos). */
function decodeRaw(buf: Buffer): Record<number, number> {
  const r = new Reader(buf);
  const out: Record<number, number> = {};
  while (!r.done) {
    const tag = r.varint();
    if ((tag & 7) !== 0) r.skip(tag & 7);
    else out[Math.floor(tag / 8)] = r.varint();
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A protobuf body (`application/vnd.kubernetes.protobuf`) as the JSON object it encodes. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw kubeUnsupportedMediaType('protobuf body without the k8s envelope; send application/json');
  const r = new Reader(body.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  while (!r.done) {
    const tag = r.varint();
    const num = Math.floor(tag / 8);
    if ((tag & 7) !== 2) {
      r.skip(tag & 7);
      continue;
    }
    const b = r.bytes();
    if (num === 1) {
      const t = new Reader(b);
      while (!t.done) {
        const tt = t.varint();
        const v = t.bytes().toString('utf8');
        if (tt >> 3 === 1) apiVersion = v;
        else if (tt >> 3 === 2) kind = v;
      }
    } else if (num === 2) raw = b;
  }
  if (!MESSAGES[kind] || kind === 'Empty' || !/^[A-Z]/.test(kind) || ['ObjectMeta', 'DeploymentSpec', 'PodSpec', 'PodTemplateSpec', 'Container'].includes(kind)) {
    throw kubeUnsupportedMediaType(`a ${kind || 'message'} in protobuf is not read here; send it as application/json (kubectl apply -f)`);
  }
  const obj = decodeMessage(raw, kind, '');
  for (const k of ['status', 'spec']) if (obj[k] && Object.keys(obj[k] as object).length === 0) delete obj[k];
  return { apiVersion, kind, ...obj };
}
