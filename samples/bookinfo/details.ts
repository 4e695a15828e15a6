/**
 * Bookinfo details: static facts about the book. Behaves like Istio's details.rb
 * (samples/bookinfo/src/details): the last path segment must be an integer, and
 * it is echoed back as the id.
 */
import { sendJson } from '../lib/http-io.js';
import { serve, type RunningServer } from '../lib/serve.js';
import type { ServiceOptions } from './service-options.js';

/** The details document Bookinfo serves for every book. */
export interface BookDetails {
  /** Product id, as requested. */
  id: number;
  /** Author name. */
  author: string;
  /** Year of publication. */
  year: number;
  /** Binding, e.g. `paperback`. */
  type: string;
  /** Page count. */
  pages: number;
  /** Publisher name. */
  publisher: string;
  /** Language of the edition. */
  language: string;
  /** Ten-digit ISBN. */
  'ISBN-10': string;
  /** Thirteen-digit ISBN. */
  'ISBN-13': string;
}

/** The details of product `id` (every id gets the same book, as in Istio). */
export function bookDetails(id: number): BookDetails {
  return {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'PublisherA',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  };
}

/** Starts the details service. */
export function startDetails(options: ServiceOptions): Promise<RunningServer> {
  return serve({
    port: options.port,
    host: options.host,
    log: options.log,
    handler: (_req, res, url) => {
      const path = url.pathname;
      if (path !== '/details' && !path.startsWith('/details/')) {
        sendJson(res, 404, { error: `no such endpoint: ${path}` });
        return;
      }
      const last = path.split('/').filter((p) => p !== '').at(-1) ?? '';
      if (!/^[-+]?\d+$/.test(last)) {
        sendJson(res, 400, { error: 'please provide numeric product id' });
        return;
      }
      sendJson(res, 200, bookDetails(Number.parseInt(last, 10)));
    },
  });
}
