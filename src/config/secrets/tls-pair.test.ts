import { describe, expect, it } from 'vitest';
import { decodeData } from './tls-pair.js';

describe('decodeData', () => {
  it('decodes base64 with line breaks, as base64 without -w0 writes it', () => {
    expect(decodeData('aGVs\nbG8=\n')).toBe('hello');
    expect(decodeData('aGVsbG8\r\n')).toBe('hello');
  });

  it('refuses what is no base64', () => {
    expect(decodeData('not base64!')).toBeUndefined();
    expect(decodeData(42)).toBeUndefined();
  });

  it('refuses a long run of line breaks before a bad character at once, not after a backtracking search', () => {
    expect(decodeData(`${'\n'.repeat(200_000)}!`)).toBeUndefined();
    expect(decodeData(`QQ==${'\r\n'.repeat(100_000)}!`)).toBeUndefined();
  }, 5000);
});
