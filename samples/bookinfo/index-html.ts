/** Renders productpage's `/`: what Bookinfo is made of, and links that load the page as two kinds of user. */
import { escapeHtml } from '../lib/http-io.js';
import type { Backends } from './productpage-backends.js';
import { page } from './page-layout.js';

/** The landing page. */
export function renderIndex(backends: Backends): string {
  const rows: Array<[string, string, string]> = [
    ['details', backends.detailsUrl, '—'],
    ['reviews', backends.reviewsUrl, 'ratings'],
    ['ratings', backends.ratingsUrl, '—'],
  ];
  const table = rows
    .map(([name, url, calls]) => `<tr><td>${name}</td><td><code>${escapeHtml(url)}</code></td><td>${calls}</td></tr>`)
    .join('\n');
  return page(
    'Simple Bookstore App',
    `<header><div class="bar"><a class="brand" href="/">BookInfo Sample</a></div></header>
<main>
<h2>Hello! This is a simple bookstore application consisting of three services as shown below</h2>
<table data-testid="services">
<tr><th>service</th><th>address</th><th>calls</th></tr>
${table}
</table>
<h2 style="margin-top:2rem">Click on one of the links below to auto generate a request to the backend as a real user or a tester</h2>
<p><a href="/productpage?u=normal" data-testid="normal-user">Normal user</a></p>
<p><a href="/productpage?u=test" data-testid="test-user">Test user</a></p>
</main>`,
  );
}
