import { afterAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConsoleFiles, isConsolePath } from './console-static.js';

/** A built console in a temp dir: index.html and one hashed asset. */
function fakeDist(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gm-console-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(path.join(dir, '.secret'), 'no');
  return dir;
}

function server(files: ConsoleFiles) {
  const app = Fastify();
  app.get('/', async (req, reply) => files.send(req, reply));
  app.setNotFoundHandler((req, reply) => (files.handles(req) ? files.send(req, reply) : reply.status(404).send({ error: { code: 'GM_ERR_NOT_FOUND', message: `no API route ${req.method} ${req.url}` } })));
  return app;
}

describe('console static files', () => {
  const dir = fakeDist();
  const app = server(new ConsoleFiles(dir));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the built files with their types, assets cached for good', async () => {
    const idx = await app.inject('/');
    expect(idx.statusCode).toBe(200);
    expect(idx.headers['content-type']).toMatch(/text\/html/);
    const js = await app.inject('/assets/index-abc.js');
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toMatch(/immutable/);
  });

  it('answers index.html for app routes so bookmarks reload', async () => {
    const r = await app.inject('/projects/demo-project/topology?window=60s&node=x');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<title>console</title>');
  });

  it('answers 404 for missing assets, dotfiles and traversal, and leaves the API its own 404', async () => {
    expect((await app.inject('/assets/gone.js')).statusCode).toBe(404);
    expect((await app.inject('/.secret')).statusCode).toBe(404);
    expect((await app.inject('/..%2f..%2fetc%2fpasswd')).statusCode).toBe(404);
    const api = await app.inject('/api/v1/nothing');
    expect(api.json().error.message).toMatch(/^no API route/);
    expect(isConsolePath('/metrics')).toBe(false);
    expect(isConsolePath('/v1/traces')).toBe(false);
    expect(isConsolePath('/projects')).toBe(true);
  });

  it('keeps the placeholder at / when the console is not built', async () => {
    const bare = server(new ConsoleFiles(undefined));
    const r = await bare.inject('/');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('The control plane is running');
    expect((await bare.inject('/projects')).statusCode).toBe(404);
  });
});
