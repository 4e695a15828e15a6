import { describe, expect, it, vi } from 'vitest';

/** What the next pool fills hold: a pattern, then all zeros, then real randomness. */
const fills: ('pattern' | 'zeros')[] = ['pattern', 'zeros'];

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    randomFillSync: <T extends NodeJS.ArrayBufferView>(buf: T): T => {
      const kind = fills.shift();
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      if (kind === 'pattern') for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 255;
      else if (kind === 'zeros') bytes.fill(0);
      else real.randomFillSync(buf);
      return buf;
    },
  };
});

const { newSpanId, newTraceId } = await import('./ids.js');

describe('ids', () => {
  it('hex-encodes the pool’s bytes in order, lowercase', () => {
    const expected = Buffer.from(Array.from({ length: 24 }, (_, i) => (i * 37 + 11) & 255));
    expect(newSpanId()).toBe(expected.toString('hex', 0, 8));
    expect(newTraceId()).toBe(expected.toString('hex', 8, 24));
  });

  it('never makes an all-zero id', () => {
    // The rest of the pattern fill, then a fill of zeros: every id skips those, then comes from real randomness.
    for (let i = 0; i < 2100; i++) {
      expect(newSpanId()).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
      expect(newTraceId()).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    }
    expect(fills).toEqual([]);
  });
});
