import { describe, expect, it } from 'vitest';
import { spansFromZipkin } from './zipkin.js';

describe('Zipkin v2', () => {
  it('decodes spans, widening 64-bit trace ids and marking error tags', () => {
    const [s] = spansFromZipkin([
      {
        traceId: '463ac35c9f6413ad',
        id: 'a2fb4a1d1a96d312',
        parentId: '463ac35c9f6413ad',
        name: 'get /api',
        kind: 'SERVER',
        timestamp: 1714557600000000,
        duration: 2500,
        localEndpoint: { serviceName: 'frontend', ipv4: '127.0.0.1' },
        remoteEndpoint: { serviceName: 'backend', port: 8080 },
        tags: { 'http.status_code': '500', error: 'server error' },
        annotations: [{ timestamp: 1714557600001000, value: 'retry' }],
      },
    ]);
    expect(s).toMatchObject({
      traceId: '0000000000000000463ac35c9f6413ad',
      spanId: 'a2fb4a1d1a96d312',
      parentSpanId: '463ac35c9f6413ad',
      service: 'frontend',
      kind: 'server',
      startUs: 1714557600000000,
      durationUs: 2500,
      error: true,
    });
    expect(s?.tags).toMatchObject({ 'http.status_code': '500', error: true, 'peer.service': 'backend' });
    expect(s?.events).toEqual([{ timeUs: 1714557600001000, name: 'retry', attributes: {} }]);
  });

  it('refuses what is not a list of spans', () => {
    expect(() => spansFromZipkin({})).toThrow(/JSON array/);
    expect(() => spansFromZipkin([{ traceId: 'xyz', id: '1' }])).toThrow(/not a hex id/);
  });
});
