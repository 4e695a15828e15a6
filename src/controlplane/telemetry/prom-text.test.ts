import { describe, expect, it } from 'vitest';
import { mergeExpositions, splitSample } from './prom-text.js';

const proxyA = `# HELP istio_requests_total Total requests.
# TYPE istio_requests_total counter
istio_requests_total{reporter="source",destination_version="v1",response_code="200"} 10
# HELP istio_request_duration_milliseconds Request duration.
# TYPE istio_request_duration_milliseconds histogram
istio_request_duration_milliseconds_bucket{reporter="source",le="10"} 4
istio_request_duration_milliseconds_bucket{reporter="source",le="+Inf"} 10
istio_request_duration_milliseconds_sum{reporter="source"} 77.5
istio_request_duration_milliseconds_count{reporter="source"} 10
`;
const proxyB = `# HELP istio_requests_total Total requests.
# TYPE istio_requests_total counter
istio_requests_total{reporter="source",destination_version="v2",response_code="200"} 3
istio_requests_total{reporter="source",destination_version="v1",response_code="200"} 5
`;

describe('mergeExpositions', () => {
  it('keeps one HELP and TYPE per family and every series once', () => {
    const out = mergeExpositions([proxyA, proxyB]);
    expect(out.match(/# TYPE istio_requests_total counter/g)).toHaveLength(1);
    expect(out.match(/# HELP istio_requests_total/g)).toHaveLength(1);
    // The same series from two proxies is summed; a distinct one is appended to its family.
    expect(out).toContain('istio_requests_total{reporter="source",destination_version="v1",response_code="200"} 15');
    expect(out).toContain('istio_requests_total{reporter="source",destination_version="v2",response_code="200"} 3');
    // Histogram samples stay under their family, +Inf kept.
    const lines = out.trim().split('\n');
    const type = lines.indexOf('# TYPE istio_request_duration_milliseconds histogram');
    expect(lines[type + 2]).toBe('istio_request_duration_milliseconds_bucket{reporter="source",le="+Inf"} 10');
  });

  it('splits samples with spaces and braces inside label values', () => {
    expect(splitSample('m{a="x y",b="}"} 1.5 1700000000')).toEqual({ series: 'm{a="x y",b="}"}', name: 'm', value: 1.5 });
    expect(splitSample('m +Inf')?.value).toBe(Infinity);
    expect(splitSample('garbage')).toBeUndefined();
  });
});
