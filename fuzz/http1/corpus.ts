/**
 * The fuzzer's corpus: valid requests and the shapes request smuggling is
 * made of (Content-Length beside Transfer-Encoding, repeated lengths, bent
 * transfer codings, chunk-size and extension edge cases, obs-fold, bare CR
 * and LF, whitespace before the colon), and the pools of values mutations
 * draw from.
 */
import { chunked, raw, request, type Message } from './message.js';

const HOST = 'Host: fuzz.test';

/** Requests mutations start from; each case pipelines one or more of them. */
export const SEEDS: readonly (() => Message)[] = [
  () => request('GET', '/', [HOST]),
  () => request('GET', '/search?q=mesh&page=2', [HOST, 'User-Agent: fuzz/1.0', 'Accept: */*', 'Cookie: a=1; b=2', 'X-Request-Id: 42']),
  () => request('POST', '/submit', [HOST, 'Content-Type: text/plain', 'Content-Length: 5'], raw('hello')),
  () => request('POST', '/empty', [HOST, 'Content-Length: 0']),
  () => request('PUT', '/chunks', [HOST, 'Transfer-Encoding: chunked'], chunked(['Wiki', 'pedia'], { ext: [';name=value', ''], trailers: ['X-Trailer: 1'] })),
  () => request('POST', '/only-last', [HOST, 'Transfer-Encoding: chunked'], chunked([])),
  () => request('GET', '/old', [], raw(''), 'HTTP/1.0'),
  () => request('GET', '/old-kept', ['Connection: keep-alive'], raw(''), 'HTTP/1.0'),
  () => request('POST', '/old-body', ['Content-Length: 3'], raw('abc'), 'HTTP/1.0'),
  () => request('POST', '/old-chunks', ['Connection: keep-alive', 'Transfer-Encoding: chunked'], chunked(['abc']), 'HTTP/1.0'),
  // CL.TE and TE.CL: the classic smuggling pairs.
  () => request('POST', '/cl-te', [HOST, 'Content-Length: 6', 'Transfer-Encoding: chunked'], raw('0\r\n\r\nG')),
  () => request('POST', '/te-cl', [HOST, 'Transfer-Encoding: chunked', 'Content-Length: 3'], raw('8\r\nSMUGGLED\r\n0\r\n\r\n')),
  () => request('POST', '/cl-cl', [HOST, 'Content-Length: 3', 'Content-Length: 5'], raw('abcde')),
  () => request('POST', '/cl-same', [HOST, 'Content-Length: 3', 'Content-Length: 3'], raw('abc')),
  () => request('POST', '/cl-list', [HOST, 'Content-Length: 3, 3'], raw('abc')),
  () => request('POST', '/te-te', [HOST, 'Transfer-Encoding: chunked', 'Transfer-Encoding: identity'], chunked(['abc'])),
  () => request('POST', '/te-space', [HOST, 'Transfer-Encoding : chunked', 'Content-Length: 4'], raw('1\r\nZ\r\n0\r\n\r\n')),
  () => request('POST', '/te-obs', [HOST, 'Transfer-Encoding: x', ' chunked'], chunked(['abc'])),
  () => request('POST', '/te-list', [HOST, 'Transfer-Encoding: gzip, chunked'], chunked(['abc'])),
  () => request('GET', '/folded', [HOST, 'X-Folded: one', '\ttwo']),
  () => request('GET', 'http://fuzz.test/absolute?x=1', [HOST]),
  () => request('GET', 'http://user@fuzz.test:8080', []),
  () => request('OPTIONS', '*', [HOST]),
  () => request('HEAD', '/head', [HOST]),
  () => request('DELETE', '/thing/1', [HOST, 'Content-Length: 2'], raw('{}')),
  () => request('POST', '/expect', [HOST, 'Expect: 100-continue', 'Content-Length: 4'], raw('data')),
  () => request('GET', '/ws', [HOST, 'Connection: Upgrade', 'Upgrade: websocket']),
  () => request('GET', '/bye', [HOST, 'Connection: close']),
  () => request('GET', '/tokens', [HOST, 'Connection: keep-alive, close']),
  () => request('GET', '/not-close', [HOST, 'Connection: notclose']),
  () => request('GET', '/proxy-conn', [HOST, 'Proxy-Connection: close']),
  () => request('CONNECT', 'fuzz.test:443', [HOST]),
  () => request('POST', '/big-chunk', [HOST, 'Transfer-Encoding: chunked'], { ...chunked(['x']), chunks: [{ size: 'ffffffffffffffff', ext: '', eol: '\r\n', data: 'x', end: '\r\n' }] }),
  () => request('POST', '/zeros', [HOST, 'Transfer-Encoding: chunked'], { ...chunked(['abc']), chunks: [{ size: '0003', ext: '', eol: '\r\n', data: 'abc', end: '\r\n' }] }),
  () => request('POST', '/trailer-cl', [HOST, 'Transfer-Encoding: chunked'], chunked(['abc'], { trailers: ['Content-Length: 10'] })),
  () => request('POST', '/quoted-ext', [HOST, 'Transfer-Encoding: chunked'], chunked(['ab', 'cd'], { ext: [';a="b;c"', ';x;y=z'] })),
  () => ({ ...request('GET', '/bare-lf', [HOST]), eol: '\n', fieldEols: { 0: '\n' }, headEnd: '\n' }),
  () => ({ ...request('GET', '/lead', [HOST]), prefix: '\r\n\r\n' }),
  () => request('GET', '/ctl', [HOST, 'X-Ctl: a\x01b']),
  () => request('GET', '/no-host', []),
  () => request('GET', '/two-hosts', [HOST, 'Host: other.test']),
  () => request('GET', '/many', [HOST, ...Array.from({ length: 40 }, (_, i) => `X-Field-${i}: ${'v'.repeat(i)}`)]),
  () => request('POST', '/neg', [HOST, 'Content-Length: -1'], raw('x')),
  () => request('POST', '/huge', [HOST, 'Content-Length: 99999999999999999999'], raw('x')),
  () => request('GET', '/v12', [HOST], raw(''), 'HTTP/1.2'),
  () => request('PURGE', '/cache', [HOST]),
  () => request('M-SEARCH', '*', [HOST, 'Man: "ssdp:discover"']),
];

export const METHODS = [
  'GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PURGE', 'PROPFIND', 'MKCOL', 'QUERY', 'SEARCH',
  'LINK', 'SOURCE', 'DESCRIBE', 'PRI', 'FOO', 'get', 'Get', 'GET\t', 'G ET', 'GE(T', 'POST/', 'GET\x00', '\x7fGET', 'GÉT', '',
];

export const TARGETS = [
  '/', '/a/b?c=d&e', '*', '**', '*/x', 'http://fuzz.test/x', 'http://fuzz.test', 'HTTP://FUZZ.TEST/', 'https://u:p@fuzz.test:8443/p?q',
  'http://fuzz.test?q', 'http://[::1]:80/', 'http://a@b@c/', 'http:/x', 'h2c://x/', 'fuzz.test:443', '//x', '/%zz', '/a#frag', '/a?b#c',
  '?q', 'foo', '/a"b', '/a{b}|c\\d', '/a\tb', '/\x01', '/\x7f', '/\xe9', '/\xff', '/a\x0cb', '/a<b>', '/`', '/' + 'p'.repeat(3000),
];

export const VERSIONS = [
  'HTTP/1.1', 'HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/3.0', 'HTTP/9.9', 'HTTP/1.01', 'HTTP/11', 'HTTP/1', 'http/1.1',
  'HTTP/1.1 ', 'HTTP /1.1', 'HTTPS/1.1', 'RTSP/1.0', 'ICE/1.0', 'HTTP/1.1\t', 'HTTP/1.x', '',
];

export const CONTENT_LENGTHS = [
  '0', '1', '5', '10', '-1', '+5', ' 5', '5 ', '5\t', '05', '0x5', '5,5', '5, 5', '', '5a', '1e3', '\u00a05',
  '000000000000000000005', '9007199254740993', '18446744073709551615', '18446744073709551616', '99999999999999999999',
  '999999999999999', '1000000000000000',
];

export const TRANSFER_ENCODINGS = [
  'chunked', 'Chunked', 'CHUNKED', ' chunked', 'chunked ', 'chunked\t', '\tchunked', 'xchunked', 'chunkedx', 'chunked, identity',
  'identity, chunked', 'gzip, chunked', 'chunked, chunked', 'chunked,', ',chunked', ', chunked', 'identity', 'gzip', '"chunked"',
  'chunked;q=1', 'chu\x00nked', 'chunked\x0b', '', 'x, chunked', 'gzip,chunked',
];

export const CONNECTIONS = [
  'close', 'Close', 'CLOSE', 'keep-alive', 'Keep-Alive', 'notclose', 'closed', 'close-x', 'keep-alive, close', 'close, keep-alive',
  'upgrade', 'Upgrade, close', ',close', 'close,', ' , close', 'x-hop, close', 'keep-alive\t', 'close\t', 'close \t', 'te', 'TE, close',
  'keep-alive, upgrade', '"close"', 'close;x', 'close x',
];

/** Whole field lines a mutation may add. */
export const FIELDS = [
  HOST, 'Host:', 'Host: a b', 'Host: fuzz.test:80', 'host: other.test', 'Host : fuzz.test', 'Host:\tfuzz.test',
  'Expect: 100-continue', 'Expect: 100-Continue', 'Expect: something', 'Expect: 100-continue, x', 'Upgrade: websocket', 'Upgrade: h2c',
  'Keep-Alive: timeout=5', 'Trailer: X-T', 'TE: trailers', 'Proxy-Connection: close', 'Proxy-Connection: keep-alive',
  'X-Ctl: a\x01b', 'X-Del: a\x7fb', 'X-Nul: a\x00b', 'X-Tab: a\tb', 'X-Latin: \xe9t\xe9', 'X-Vt: a\x0bb', 'X-Esc: \x1b[0m',
  'X-Empty:', 'X-Spaces:    ', 'Content-Type: text/plain', 'Cookie: c=3', 'Set-Cookie: s=1', ': no-name', 'X A: 1', 'X\x00A: 1',
  'X-(A): 1', 'X-A:1', 'X-A :1', 'X-\xe9: 1', 'Transfer-Encoding: chunked', 'Content-Length: 0', 'Connection: close',
];

/** Chunk sizes a mutation may put in place of a well-formed one. */
export const CHUNK_SIZES = [
  '0', '00', '000000000000000', '0000000000003', '3', 'A', 'a', 'F', '0x3', '-3', '+3', ' 3', '3 ', '3\t', '3  ', '',
  'fffffffffffffffff', '10000000000000000', 'ffffffffffff', '1000000000000', 'g', '3\x00', '3\r', '\xb3',
];

export const CHUNK_EXTENSIONS = [
  ';a', ';a=b', ';a="b c"', ';a="\\"q\\""', '; a', ';a =b', ';a= b', ';=b', ';a=', ';a=b;c', ';a="unterminated', ';\x00', ';a\x01',
  ' ;a', '\t;a', ';a="b\x7f"', ';' + 'e'.repeat(5000), ';a=b ', ';;', ';a="\\\x01"',
];

export const TRAILERS = ['X-T: 1', 'Content-Length: 10', 'Transfer-Encoding: chunked', 'X T: 1', 'garbage', ' folded', 'X-C: a\x01', 'Host: x', 'X-Big: ' + 'b'.repeat(5000), 'X-Huge: ' + 'h'.repeat(16_400)];

/** Line ends a CRLF may be replaced with. */
export const EOLS = ['\n', '\r', '\r\r\n', '\n\r', '\r\n\r\n', '', ' \r\n', '\r \n'];

/** Bytes the byte-level mutations insert. */
export const BYTES = ['\r', '\n', '\r\n', ' ', '\t', '\x00', ':', ';', ',', '"', '\x7f', '\xff', '\x0b', '\x0c', '\x01', 'a', '0', 'G'];

/** Sizes of a large field value, some of them about the 16 KiB head limit. */
export const BIG_SIZES = [1000, 4096, 8000, 16_200, 16_330, 16_360, 16_384, 16_400, 17_000, 30_000];
