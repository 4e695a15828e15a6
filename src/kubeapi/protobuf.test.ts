import { describe, expect, it } from 'vitest';
import { decodeProtobuf } from './protobuf.js';
import { KubeError } from './status.js';

const len = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  return [...out, n];
};
const field = (num: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([(num << 3) | 2, ...len(body.length)]), body]);
const typeMeta = Buffer.concat([field(1, Buffer.from('v1')), field(2, Buffer.from('Namespace'))]);
const envelope = (raw: Buffer): Buffer => Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, typeMeta), raw]);

/** The error decodeProtobuf throws, which must be a 4xx KubeError. */
function refusal(body: Buffer): KubeError {
  try {
    decodeProtobuf(body);
  } catch (err) {
    expect(err).toBeInstanceOf(KubeError);
    return err as KubeError;
  }
  throw new Error('decoded a malformed body');
}

describe('protobuf bodies', () => {
  it('reads a Namespace', () => {
    expect(decodeProtobuf(envelope(field(2, field(1, field(1, Buffer.from('a'))))))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } });
  });

  it('refuses a length past the end of the body instead of reading what is there', () => {
    const raw = Buffer.concat([Buffer.from([0x12, ...len(0xffffffff)]), field(1, field(1, Buffer.from('a')))]);
    expect(refusal(envelope(raw)).code).toBe(415);
    const inner = Buffer.from([0x0a, 0x05, 0x0a, 0x7f, 0x61]);
    expect(refusal(envelope(field(2, inner))).code).toBe(415);
  });

  it('refuses a number longer than ten bytes', () => {
    expect(refusal(envelope(Buffer.concat([Buffer.from([0x12]), Buffer.alloc(200, 0xff), Buffer.from([0x01])]))).code).toBe(415);
  });

  it('refuses a creationTimestamp out of range as a bad body, not an internal error', () => {
    const time = Buffer.from([0x08, ...len(2 ** 52)]);
    expect(refusal(envelope(field(2, field(1, Buffer.concat([field(1, Buffer.from('a')), field(8, time)])))))).toMatchObject({ code: 415 });
  });
});
