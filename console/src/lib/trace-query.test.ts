import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH, apiQuery, parseTags, searchErrors, searchFromQuery, searchToQuery } from './trace-query';

describe('trace search', () => {
  it('round-trips the form through the URL, leaving defaults out', () => {
    const s = { ...DEFAULT_SEARCH, service: 'reviews', tags: 'error=true', minDuration: '100ms' };
    const q = new URLSearchParams(Object.entries(searchToQuery(s)).filter((e): e is [string, string] => e[1] !== undefined));
    expect(q.toString()).toBe('service=reviews&tags=error%3Dtrue&minDuration=100ms');
    expect(searchFromQuery(q)).toEqual(s);
  });

  it('sends tags as repeated tag=k=v and durations in ms', () => {
    const now = 1_700_000_000_000;
    const q = apiQuery({ ...DEFAULT_SEARCH, service: 'productpage', tags: 'error=true http.status_code=503', minDuration: '1.5s', lookback: '15m' }, now);
    expect(q.getAll('tag')).toEqual(['error=true', 'http.status_code=503']);
    expect(q.get('minDuration')).toBe('1500ms');
    expect(q.get('start')).toBe(String(now - 15 * 60_000));
    expect(q.get('limit')).toBe('20');
  });

  it('says what is wrong with a form', () => {
    expect(parseTags('a=1 b').errors).toEqual(['Tag "b" is not key=value, e.g. error=true']);
    expect(searchErrors({ ...DEFAULT_SEARCH, minDuration: 'slow' })[0]).toMatch(/not a duration/);
    expect(searchErrors({ ...DEFAULT_SEARCH, minDuration: '2s', maxDuration: '1s' })).toEqual(['Min duration is longer than max duration']);
    expect(searchErrors(DEFAULT_SEARCH)).toEqual([]);
  });

  it('caps the limit and ignores nonsense', () => {
    expect(searchFromQuery(new URLSearchParams('limit=99999')).limit).toBe(500);
    expect(searchFromQuery(new URLSearchParams('limit=abc')).limit).toBe(20);
  });
});
