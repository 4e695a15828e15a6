/**
 * Renders /productpage from the backend results. Pure, so the page's content
 * rules (Istio's template: details or "Error fetching product details!", stars
 * or the ratings error, who served the reviews) are testable without sockets.
 */
import { escapeHtml } from '../lib/http-io.js';
import { page } from './page-layout.js';
import type { BackendResult } from './productpage-backends.js';
import type { Product } from './products.js';

/** Everything the page shows. */
export interface ProductPageModel {
  /** The book. */
  product: Product;
  /** Signed-in user, if any. */
  user: string | undefined;
  /** Result of the details call. */
  details: BackendResult;
  /** Result of the reviews call. */
  reviews: BackendResult;
}

const DETAIL_FIELDS: ReadonlyArray<[label: string, key: string]> = [
  ['Type', 'type'],
  ['Pages', 'pages'],
  ['Publisher', 'publisher'],
  ['Language', 'language'],
  ['ISBN-10', 'ISBN-10'],
  ['ISBN-13', 'ISBN-13'],
];

/** The full /productpage HTML. */
export function renderProductPage(model: ProductPageModel): string {
  const { product } = model;
  return page(
    'Simple Bookstore App',
    `${renderHeader(model.user)}
<main>
<h1 data-testid="title">${escapeHtml(product.title)}</h1>
<p class="summary" data-testid="summary">Summary: ${product.descriptionHtml}</p>
<div class="columns">
${renderDetails(model.details)}
${renderReviews(model.reviews)}
</div>
</main>`,
  );
}

function renderHeader(user: string | undefined): string {
  const right = user
    ? `<span>Signed in as <strong data-testid="user">${escapeHtml(user)}</strong> (<a href="/logout">sign out</a>)</span>`
    : `<form method="post" action="/login" name="login_form" data-testid="sign-in-form">
<input name="username" placeholder="User name" aria-label="User name" required>
<input name="passwd" type="password" placeholder="Password" aria-label="Password">
<button type="submit">Sign in</button>
</form>`;
  return `<header><div class="bar"><a class="brand" href="/">BookInfo Sample</a>${right}</div></header>`;
}

function renderDetails(result: BackendResult): string {
  if (result.status !== 200) {
    return `<section class="panel" data-testid="details">
<h2 class="error">Error fetching product details!</h2>
<p class="error" data-testid="details-error">${text(result.body.error)}</p>
</section>`;
  }
  const rows = DETAIL_FIELDS.map(([label, key]) => `<dt>${label}:</dt><dd data-testid="detail-${key}">${text(result.body[key])}</dd>`);
  return `<section class="panel" data-testid="details">
<h2>Book Details</h2>
<dl>${rows.join('')}</dl>
</section>`;
}

function renderReviews(result: BackendResult): string {
  if (result.status !== 200) {
    return `<section class="panel" data-testid="reviews">
<h2 class="error">Error fetching product reviews!</h2>
<p class="error" data-testid="reviews-error">${text(result.body.error)}</p>
</section>`;
  }
  const reviews = Array.isArray(result.body.reviews) ? (result.body.reviews as unknown[]) : [];
  const cluster = result.body.clustername;
  const onCluster = typeof cluster === 'string' && cluster !== 'null' && cluster !== '' ? ` on cluster ${escapeHtml(cluster)}` : '';
  return `<section class="panel" data-testid="reviews">
<h2>Book Reviews</h2>
${reviews.map(renderReview).join('\n')}
<p class="served-by" data-testid="served-by">Reviews served by: ${text(result.body.podname)}${onCluster}</p>
</section>`;
}

function renderReview(value: unknown): string {
  const review = isRecord(value) ? value : {};
  return `<blockquote class="review" data-testid="review">
<p>${text(review.text)}</p>
<div class="reviewer">— ${text(review.reviewer)}</div>
${renderRating(review.rating)}
</blockquote>`;
}

/** Stars as ★ (filled) and ☆ (empty) out of five, or the ratings error; nothing for v1. */
export function renderRating(rating: unknown): string {
  if (!isRecord(rating)) return '';
  if (typeof rating.stars === 'number') {
    const filled = Math.max(0, Math.min(5, Math.round(rating.stars)));
    const color = safeColor(rating.color);
    return `<span class="stars" data-testid="stars" style="color: ${color}" aria-label="${filled} of 5 stars">${'★'.repeat(filled)}${'☆'.repeat(5 - filled)}</span>`;
  }
  if (rating.error !== undefined) return `<p class="error" data-testid="rating-error"><i>${text(rating.error)}</i></p>`;
  return '';
}

// The colour lands in a style attribute, so only a plain name or hex colour passes.
function safeColor(value: unknown): string {
  return typeof value === 'string' && /^(?:[a-zA-Z]{1,20}|#[0-9a-fA-F]{3,8})$/.test(value) ? value : 'black';
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : escapeHtml(String(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
