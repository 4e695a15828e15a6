import { describe, expect, it } from 'vitest';
import { FORWARDED_HEADERS, forwardHeaders } from './forward-headers.js';

describe('forwardHeaders', () => {
  it('copies the tracing and user headers and nothing else', () => {
    const out = forwardHeaders({
      'x-request-id': 'r1',
      traceparent: '00-abc-def-01',
      'x-b3-traceid': 't',
      b3: 't-s-1',
      'end-user': 'jason',
      'user-agent': 'curl/8',
      cookie: 'session=x',
      host: 'productpage:9080',
      'content-type': 'text/plain',
      authorization: 'Bearer secret',
    });
    expect(out).toEqual({
      'x-request-id': 'r1',
      traceparent: '00-abc-def-01',
      'x-b3-traceid': 't',
      b3: 't-s-1',
      'end-user': 'jason',
      'user-agent': 'curl/8',
      cookie: 'session=x',
    });
  });

  it('lists the thirteen headers the samples agree on', () => {
    expect(FORWARDED_HEADERS).toHaveLength(13);
    expect(FORWARDED_HEADERS).toContain('tracestate');
    expect(FORWARDED_HEADERS).toContain('x-ot-span-context');
  });
});
