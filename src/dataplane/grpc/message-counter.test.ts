import { describe, expect, it } from 'vitest';
import { GrpcMessageCounter } from './message-counter.js';

const message = (bytes: number): Buffer => Buffer.concat([Buffer.from([0, 0, 0, (bytes >> 8) & 0xff, bytes & 0xff]), Buffer.alloc(bytes, 7)]);

function count(chunks: Buffer[]): number {
  const c = new GrpcMessageCounter();
  for (const chunk of chunks) c.feed(chunk);
  return c.messages;
}

describe('gRPC message counter', () => {
  it('counts messages in one chunk, empty messages included', () => {
    expect(count([Buffer.concat([message(3), message(0), message(300)])])).toBe(3);
    expect(count([])).toBe(0);
  });

  it('counts the same when chunks split prefixes and messages at every byte', () => {
    const body = Buffer.concat([message(1), message(0), message(258), message(5)]);
    expect(count([...body].map((b) => Buffer.from([b])))).toBe(4);
    for (let cut = 0; cut <= body.length; cut++) expect(count([body.subarray(0, cut), body.subarray(cut)])).toBe(4);
  });

  it('reads a 4-byte length above 16 MiB without losing bits', () => {
    const c = new GrpcMessageCounter();
    c.feed(Buffer.from([1, 0x01, 0x00, 0x00, 0x02]));
    c.feed(Buffer.alloc(0x1000002));
    c.feed(message(0));
    expect(c.messages).toBe(2);
  });
});
