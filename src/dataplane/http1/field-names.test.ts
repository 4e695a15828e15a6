import v8 from 'node:v8';
import vm from 'node:vm';
import { expect, it } from 'vitest';
import { parseRequestHead } from './head.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap bytes still held after fn has run and its garbage is collected. */
function retainedBy(fn: () => void): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  fn();
  gc();
  return process.memoryUsage().heapUsed - before;
}

/** A head of 8 KB and more, with one field named `name`, as a connection reads it (latin1, the blank line cut off). */
const head = (name: string): string => Buffer.from(`GET / HTTP/1.1\r\nHost: a\r\n${name}: v\r\nX-Pad: ${'p'.repeat(8000)}`, 'latin1').toString('latin1');

it('remembers field names without holding on to the heads they came in', () => {
  // 500 heads of 8 KB: held whole (a slice of each kept as its name), they would be 4 MB.
  const retained = retainedBy(() => {
    for (let i = 0; i < 500; i++) expect(parseRequestHead(head(`X-Client-${i}-${'n'.repeat(40)}`)).headers[`x-client-${i}-${'n'.repeat(40)}`]).toBe('v');
  });
  expect(retained).toBeLessThan(2_000_000);
});

it('does not remember long field names', () => {
  // 500 names of 8 KB each: kept, they and their heads would be 8 MB.
  const retained = retainedBy(() => {
    for (let i = 0; i < 500; i++) expect(parseRequestHead(head(`X-Long-${i}-${'N'.repeat(8000)}`)).headers[`x-long-${i}-${'n'.repeat(8000)}`]).toBe('v');
  });
  expect(retained).toBeLessThan(2_000_000);
});

it('lowercases a name the same way before and after the remembered names are emptied', () => {
  expect(Object.keys(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nX-Mixed-Case: 1').headers)).toEqual(['host', 'x-mixed-case']);
  for (let i = 0; i < 600; i++) parseRequestHead(`GET / HTTP/1.1\r\nHost: a\r\nX-${i}: 1`);
  expect(Object.keys(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nX-Mixed-Case: 1\r\nx-mixed-case: 2').headers)).toEqual(['host', 'x-mixed-case']);
  expect(() => parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nX Mixed: 1')).toThrow('malformed header name');
});
