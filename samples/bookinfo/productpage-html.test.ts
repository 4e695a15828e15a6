import { describe, expect, it } from 'vitest';
import { renderProductPage, renderRating } from './productpage-html.js';
import { PRODUCTS } from './products.js';

const product = PRODUCTS[0] ?? { id: 0, title: '', descriptionHtml: '' };
const okDetails = { status: 200, body: { type: 'paperback', pages: 200 } };

describe('renderRating', () => {
  it('draws filled and empty stars out of five in the given colour', () => {
    expect(renderRating({ stars: 3, color: 'red' })).toMatch(/style="color: red"[^>]*>★★★☆☆<\/span>/);
    expect(renderRating({ stars: 0, color: 'black' })).toContain('>☆☆☆☆☆<');
    // Out-of-range stars are clamped rather than drawing 7 or -1 stars.
    expect(renderRating({ stars: 7, color: 'black' })).toContain('>★★★★★<');
  });

  it('shows the error instead of stars, and nothing without a rating', () => {
    expect(renderRating({ error: 'Ratings service is currently unavailable' })).toContain(
      'Ratings service is currently unavailable',
    );
    expect(renderRating(undefined)).toBe('');
  });

  it('refuses a colour that could break out of the style attribute', () => {
    expect(renderRating({ stars: 1, color: 'red;background:url(x)' })).toContain('style="color: black"');
  });
});

describe('renderProductPage', () => {
  it('escapes what the backends send', () => {
    const html = renderProductPage({
      product,
      user: '<script>x</script>',
      details: okDetails,
      reviews: {
        status: 200,
        body: { podname: 'p"od', clustername: 'null', reviews: [{ reviewer: 'R', text: '<img src=x onerror=alert(1)>' }] },
      },
    });
    expect(html).not.toContain('<script>x</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Reviews served by: p&quot;od');
    expect(html).not.toContain('on cluster');
  });

  it('names the cluster when reviews report one', () => {
    const html = renderProductPage({
      product,
      user: undefined,
      details: okDetails,
      reviews: { status: 200, body: { podname: 'reviews-v1-a', clustername: 'east', reviews: [] } },
    });
    expect(html).toContain('Reviews served by: reviews-v1-a on cluster east');
  });

  it('uses Istio\'s error headings when a backend failed', () => {
    const html = renderProductPage({
      product,
      user: undefined,
      details: { status: 500, body: { error: 'Sorry, product details are currently unavailable for this book.' } },
      reviews: { status: 503, body: { error: 'Sorry, product reviews are currently unavailable for this book.' } },
    });
    expect(html).toContain('Error fetching product details!');
    expect(html).toContain('Error fetching product reviews!');
    expect(html).toContain('data-testid="details-error">Sorry, product details are currently unavailable for this book.<');
    expect(html).toContain('data-testid="reviews-error">Sorry, product reviews are currently unavailable for this book.<');
  });

  it('is self-contained: no external stylesheets, scripts or fonts', () => {
    const html = renderProductPage({ product, user: undefined, details: okDetails, reviews: { status: 500, body: {} } });
    expect(html).not.toMatch(/<link\b|<script\b|@import|@font-face/);
  });
});
