import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEcho, type EchoServer } from './echo.js';

let server: EchoServer | undefined;
afterEach(async () => server?.close());

/** Sends `text` and half-closes; resolves with everything the server answered. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.end(text));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

describe('tcp-echo server', () => {
  it('answers each line with its prefix, and a last line without newline too', async () => {
    server = await startEcho({ port: 0, prefix: 'one' });
    expect(await exchange(server.port, 'hello\nworld\r\nlast')).toBe('one hello\none world\none last\n');
  });
});
