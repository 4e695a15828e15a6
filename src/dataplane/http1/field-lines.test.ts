import { describe, expect, it } from 'vitest';
import { fieldLines } from './head.js';

describe('fieldLines', () => {
  it('writes one line per value, lists repeated, numbers as text', () => {
    expect(fieldLines({ host: 'a', 'set-cookie': ['x=1', 'y=2'], 'content-length': 5, empty: [] })).toBe('host: a\r\nset-cookie: x=1\r\nset-cookie: y=2\r\ncontent-length: 5\r\n');
    expect(fieldLines({})).toBe('');
  });

  it.each([
    ['a CRLF', 'a\r\nx-injected: 1'],
    ['a bare LF', 'a\nx-injected: 1'],
    ['a bare CR', 'a\rb'],
    ['a CR before the line end', 'a\r'],
    ['a NUL', 'a\0b'],
  ])('refuses a value with %s, naming the field', (_, value) => {
    expect(() => fieldLines({ host: 'a', 'x-evil': value })).toThrow(expect.objectContaining({ status: 400, message: 'header "x-evil" has a line break in its value' }));
    expect(() => fieldLines({ 'x-list': ['ok', value] })).toThrow('header "x-list" has a line break in its value');
  });

  it('refuses a name with a line break in it', () => {
    expect(() => fieldLines({ host: 'a', 'x-a\r\nx-injected': '1' })).toThrow(expect.objectContaining({ status: 400, message: 'a header name has a line break in it' }));
  });
});
