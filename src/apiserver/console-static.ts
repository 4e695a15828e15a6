/**
 * Serves the web console: the files Vite built into console/dist, with the
 * SPA fallback (any other GET outside the API answers index.html, so every
 * console URL can be bookmarked and reloaded). When the console is not
 * built, `/` answers the placeholder page.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_PLACEHOLDER } from './console-placeholder.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Paths the API, the proxies and telemetry own; the console never answers them. */
export function isConsolePath(p: string): boolean {
  return !(p === '/api' || p.startsWith('/api/') || p.startsWith('/xds/') || p.startsWith('/v1/') || p === '/metrics' || p === '/healthz');
}

/** console/dist of this checkout: two levels up from src/apiserver, three from dist/src/apiserver. */
export function findConsoleDir(): string | undefined {
  const env = process.env.GRAYMESH_CONSOLE_DIR;
  if (env) return existsSync(path.join(env, 'index.html')) ? env : undefined;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const dir = path.resolve(here, up, 'console', 'dist');
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

export class ConsoleFiles {
  private readonly cache = new Map<string, Buffer>();

  /** `dir`: the built console, or undefined when there is none (the placeholder is served). */
  constructor(readonly dir: string | undefined) {}

  /** The console of this checkout, if built. */
  static find(): ConsoleFiles {
    return new ConsoleFiles(findConsoleDir());
  }

  /** Whether this request is the console's to answer. */
  handles(req: FastifyRequest): boolean {
    const p = req.url.split('?')[0] ?? '/';
    return (req.method === 'GET' || req.method === 'HEAD') && isConsolePath(p);
  }

  /** Answers a console request: a built file, index.html for an app route, or the placeholder. */
  send(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    reply.header('x-content-type-options', 'nosniff');
    if (!this.dir) {
      const p = req.url.split('?')[0] ?? '/';
      if (p === '/' || p === '/index.html') return reply.type('text/html; charset=utf-8').send(CONSOLE_PLACEHOLDER);
      return reply.status(404).type('text/plain; charset=utf-8').send('not found: the console is not built (npm run build)\n');
    }
    const file = this.resolve(req.url);
    if (file) {
      const immutable = file.startsWith(path.join(this.dir, 'assets') + path.sep);
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').send(this.read(file));
    }
    const p = safeDecode(req.url.split('?')[0] ?? '/');
    // A missing asset is a 404; anything else is a page of the app.
    if (p === undefined || p.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(p) || p.split('/').some((seg) => seg.startsWith('.'))) {
      return reply.status(404).type('text/plain; charset=utf-8').send('not found\n');
    }
    reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').send(this.read(path.join(this.dir, 'index.html')));
  }

  /** The file a URL names inside the console directory, or undefined (never a path outside it, never a dotfile). */
  resolve(url: string): string | undefined {
    if (!this.dir) return undefined;
    const p = safeDecode(url.split('?')[0] ?? '/');
    if (p === undefined || p.includes('\0')) return undefined;
    const rel = p === '/' ? 'index.html' : p.replace(/^\/+/, '');
    if (rel.split('/').some((seg) => seg.startsWith('.'))) return undefined;
    const file = path.resolve(this.dir, rel);
    if (!file.startsWith(this.dir + path.sep)) return undefined;
    try {
      return statSync(file).isFile() ? file : undefined;
    } catch {
      return undefined;
    }
  }

  /** Hashed assets never change under their name and are kept in memory; the rest is read afresh (a rebuild shows at once). */
  private read(file: string): Buffer {
    if (!this.dir || !file.startsWith(path.join(this.dir, 'assets') + path.sep)) return readFileSync(file);
    let b = this.cache.get(file);
    if (!b) {
      b = readFileSync(file);
      this.cache.set(file, b);
    }
    return b;
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
