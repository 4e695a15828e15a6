import { describe, expect, it } from 'vitest';
import { decideSampling, samplingFromEnv } from './sampling.js';

describe('decideSampling', () => {
  it('keeps the caller’s decision, whatever governance says', () => {
    expect(decideSampling(true, false, false, 0)).toBe(true);
    expect(decideSampling(false, false, true, 100)).toBe(false);
  });

  it('samples B3 debug requests always', () => {
    expect(decideSampling(false, true, false, 0)).toBe(true);
  });

  it('starts no trace when governance is off', () => {
    expect(decideSampling(undefined, undefined, false, 100)).toBe(false);
  });

  it('samples new traces at the rate when governance is on', () => {
    expect(decideSampling(undefined, undefined, true, 100, 0.999)).toBe(true);
    expect(decideSampling(undefined, undefined, true, 0, 0)).toBe(false);
    expect(decideSampling(undefined, undefined, true, 25, 0.2)).toBe(true);
    expect(decideSampling(undefined, undefined, true, 25, 0.3)).toBe(false);
  });
});

describe('samplingFromEnv', () => {
  it('reads 0-100, clamps, and falls back to 100 for absent or malformed values', () => {
    expect(samplingFromEnv(undefined)).toBe(100);
    expect(samplingFromEnv('')).toBe(100);
    expect(samplingFromEnv('abc')).toBe(100);
    expect(samplingFromEnv('12.5')).toBe(12.5);
    expect(samplingFromEnv('150')).toBe(100);
    expect(samplingFromEnv('-3')).toBe(0);
  });
});
