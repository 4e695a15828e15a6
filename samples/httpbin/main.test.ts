/** The httpbin entry point as a real process: env in, graceful exit on SIGTERM. */
import { describe, expect, it } from 'vitest';
import { startEntry } from '../lib/entry-process.js';
import { meshRequest } from '../lib/mesh-request.js';

describe('httpbin main', () => {
  it('reads PORT, SERVICE_VERSION and POD_NAME, and drains on SIGTERM before exiting 0', async () => {
    const proc = await startEntry('samples/httpbin/main.ts', [], { PORT: '0', SERVICE_VERSION: 'v9', POD_NAME: 'httpbin-v9-pod' });
    try {
      const url = `http://127.0.0.1:${proc.port}`;
      const get = JSON.parse((await meshRequest(`${url}/get`, { proxy: '' })).body) as Record<string, unknown>;
      expect(get).toMatchObject({ version: 'v9', pod: 'httpbin-v9-pod' });

      // A request in flight when SIGTERM arrives still gets its answer.
      const slow = meshRequest(`${url}/delay/0.5`, { proxy: '' });
      await new Promise((r) => setTimeout(r, 100));
      proc.child.kill('SIGTERM');
      expect((await slow).status).toBe(200);
      expect(await proc.exited).toBe(0);
      expect(proc.stdout()).toMatch(/GET \/get host=127\.0\.0\.1:\d+ 200 \d+ms/);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
