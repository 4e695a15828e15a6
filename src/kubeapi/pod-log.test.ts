import { describe, expect, it } from 'vitest';
import { logOptionsOf } from './pod-log.js';
import { KubeError } from './status.js';

const opts = (q: string) => logOptionsOf(new URLSearchParams(q), new AbortController().signal);

describe('pods/log options', () => {
  it("reads kubectl's query into the engine's options", () => {
    const o = opts('tailLines=0&limitBytes=5&sinceSeconds=3600&follow=true');
    expect([o.tailLines, o.limitBytes, o.sinceSeconds, o.follow, o.sinceTime]).toEqual([0, 5, 3600, true, undefined]);
    expect(opts('sinceTime=2025-01-01T00:00:00Z').sinceTime).toBe('2025-01-01T00:00:00Z');
    expect(opts('').tailLines).toBeUndefined();
  });

  it('refuses what it cannot honour, naming the field', () => {
    for (const [q, text] of [
      ['tailLines=-2', 'tailLines: "-2" must be a whole number'],
      ['limitBytes=abc', 'limitBytes: "abc"'],
      ['sinceSeconds=5&sinceTime=2025-01-01T00:00:00Z', 'give at most one of them'],
      ['previous=true', 'leave out --previous'],
    ] as const) {
      let err: unknown;
      try {
        opts(q);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KubeError);
      expect((err as KubeError).code).toBe(400);
      expect((err as KubeError).message).toContain(text);
    }
  });
});
