import { describe, expect, it } from 'vitest';
import { listenOptions, productpageOptions, ratingsOptions, reviewsOptions } from './env-config.js';

describe('env-config', () => {
  it('reads reviews v1, v2 and v3 the way Istio\'s images are built', () => {
    const base = { PORT: '9080', POD_NAME: 'reviews-v1-abc' };
    expect(reviewsOptions(base)).toMatchObject({ port: 9080, enableRatings: false, starColor: 'black', pod: 'reviews-v1-abc' });
    expect(reviewsOptions({ ...base, ENABLE_RATINGS: 'true' })).toMatchObject({ enableRatings: true, starColor: 'black' });
    expect(reviewsOptions({ ...base, ENABLE_RATINGS: 'TRUE', STAR_COLOR: 'red' })).toMatchObject({
      enableRatings: true,
      starColor: 'red',
    });
    expect(reviewsOptions({ ...base, ENABLE_RATINGS: 'yes' }).enableRatings).toBe(false);
    expect(reviewsOptions(base).ratingsUrl).toBe('http://ratings:9080');
  });

  it('honours SERVICES_DOMAIN and host name overrides', () => {
    const options = productpageOptions({ PORT: '1', SERVICES_DOMAIN: 'bookinfo.svc', DETAILS_HOSTNAME: 'details-alt' });
    expect(options.detailsUrl).toBe('http://details-alt.bookinfo.svc:9080');
    expect(options.reviewsUrl).toBe('http://reviews.bookinfo.svc:9080');
  });

  it('passes SERVICE_VERSION to ratings and rejects a bad PORT', () => {
    expect(ratingsOptions({ PORT: '0', SERVICE_VERSION: 'v-faulty' })).toMatchObject({ port: 0, version: 'v-faulty' });
    // A fault image's mode wins over the pod's version: a canary v2 of examples-bookinfo-ratings-v-faulty is faulty.
    expect(ratingsOptions({ SERVICE_VERSION: 'v2', RATINGS_MODE: 'v-faulty' })).toMatchObject({ version: 'v-faulty' });
    expect(listenOptions({})).toEqual({ port: 9080 });
    expect(() => listenOptions({ PORT: 'http' })).toThrow(/PORT=http/);
  });
});
