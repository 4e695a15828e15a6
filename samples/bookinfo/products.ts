/** The product catalogue productpage serves (a single book, as in Istio). */

/** One product. */
export interface Product {
  /** Product id, also the id passed to details, reviews and ratings. */
  id: number;
  /** Book title. */
  title: string;
  /** Trusted, static HTML summary. */
  descriptionHtml: string;
}

/** Every product. */
export const PRODUCTS: readonly Product[] = [
  {
    id: 0,
    title: 'The Comedy of Errors',
    descriptionHtml:
      '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: ' +
      "The Comedy of Errors is one of <b>William Shakespeare's</b> early plays. It is his shortest and one of " +
      'his most farcical comedies, with a major part of the humour coming from slapstick and mistaken identity, ' +
      'in addition to puns and word play.',
  },
];
