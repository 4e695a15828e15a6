/** Reading log files: the last N lines without reading a large file whole. */
import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;

/** The last `lines` lines of file (all when lines ≤ 0); '' when it does not exist. */
export async function readTail(file: string, lines: number): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await fh.stat();
    if (lines <= 0) {
      const start = Math.max(0, size - 8 * 1024 * 1024);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      return buf.toString('utf8');
    }
    let pos = size;
    let text = '';
    while (pos > 0) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, pos);
      text = buf.toString('utf8') + text;
      const count = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (count > lines) break;
    }
    const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    return `${all.slice(-lines).join('\n')}\n`;
  } finally {
    await fh.close();
  }
}
