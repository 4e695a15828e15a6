/** The Bookinfo entry point as a real process: picks the service from argv and configures it from env. */
import { describe, expect, it } from 'vitest';
import { startEntry } from '../lib/entry-process.js';
import { meshRequest } from '../lib/mesh-request.js';

describe('bookinfo main', () => {
  it('runs reviews v3 from ENABLE_RATINGS/STAR_COLOR/POD_NAME and exits 0 on SIGTERM', async () => {
    // No ratings is reachable (the proxy port is closed), so v3 reports ratings unavailable.
    const proc = await startEntry('samples/bookinfo/main.ts', ['reviews'], {
      PORT: '0',
      SERVICE_NAME: 'reviews',
      SERVICE_VERSION: 'v3',
      POD_NAME: 'reviews-v3-main',
      ENABLE_RATINGS: 'true',
      STAR_COLOR: 'red',
      HTTP_PROXY: 'http://127.0.0.1:1',
      NO_PROXY: '127.0.0.1,localhost',
    });
    try {
      const res = await meshRequest(`http://127.0.0.1:${proc.port}/reviews/0`, { proxy: '' });
      const doc = JSON.parse(res.body) as { podname: string; reviews: Array<{ rating?: unknown }> };
      expect(doc.podname).toBe('reviews-v3-main');
      expect(doc.reviews[0]?.rating).toEqual({ error: 'Ratings service is currently unavailable' });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.stdout()).toContain('bookinfo reviews v3 listening on 127.0.0.1:');
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
