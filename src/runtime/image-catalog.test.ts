import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GmError } from '../api/errors.js';
import type { Container } from '../api/objects.js';
import { isKnownImage, resolveContainer } from './image-catalog.js';
import { parseImage } from '../config/images.js';

function container(image: string | undefined, extra: Partial<Container> = {}): Container {
  return { name: 'c', ...(image === undefined ? {} : { image }), ...extra };
}

/** The script path relative to the package root, and the arguments after it. */
function programOf(c: Container): { script: string; args: string[]; env: Record<string, string> } {
  const spec = resolveContainer(c, 'Deployment demo/x');
  expect(spec.argv[0]).toBe(process.execPath);
  const script = spec.argv[1] ?? '';
  return { script: script.split(path.sep).slice(-4).join('/'), args: spec.argv.slice(2), env: spec.env };
}

describe('parseImage', () => {
  it('splits registry, owner, repository, tag and digest', () => {
    expect(parseImage('docker.io/istio/examples-bookinfo-reviews-v2:1.20.1@sha256:abc')).toEqual({
      owner: 'istio',
      repo: 'examples-bookinfo-reviews-v2',
      tag: '1.20.1',
    });
    expect(parseImage('kubesphere/examples-bookinfo-productpage-v1:1.13.0')).toEqual({
      owner: 'kubesphere',
      repo: 'examples-bookinfo-productpage-v1',
      tag: '1.13.0',
    });
    expect(parseImage('httpbin')).toEqual({ owner: undefined, repo: 'httpbin', tag: undefined });
    expect(parseImage('  graymesh/httpbin  ')).toEqual({ owner: 'graymesh', repo: 'httpbin', tag: undefined });
  });

  it('does not take a registry port for a tag', () => {
    // The colon in `localhost:5000` belongs to the registry host; only the last path segment carries the tag.
    expect(parseImage('localhost:5000/istio/examples-bookinfo-ratings-v1')).toEqual({
      owner: 'istio',
      repo: 'examples-bookinfo-ratings-v1',
      tag: undefined,
    });
    expect(parseImage('registry.example.com:5000/kubesphere/examples-bookinfo-details-v1:v9')).toEqual({
      owner: 'kubesphere',
      repo: 'examples-bookinfo-details-v1',
      tag: 'v9',
    });
  });
});

describe('resolveContainer', () => {
  it('runs the built-in Bookinfo sample for kubesphere, istio and registry-prefixed images with any tag', () => {
    const images = [
      'kubesphere/examples-bookinfo-productpage-v1:1.13.0',
      'istio/examples-bookinfo-productpage-v1:1.20.1',
      'docker.io/istio/examples-bookinfo-productpage-v1:latest',
      'docker.io/kubesphere/examples-bookinfo-productpage-v1',
      'istio/examples-bookinfo-productpage-v1@sha256:0123456789abcdef',
    ];
    for (const image of images) {
      expect(isKnownImage(image), image).toBe(true);
      expect(programOf(container(image)), image).toEqual({ script: 'dist/samples/bookinfo/main.js', args: ['productpage'], env: {} });
    }
  });

  it('maps each Bookinfo service to its role', () => {
    expect(programOf(container('istio/examples-bookinfo-details-v1:1.20.1')).args).toEqual(['details']);
    expect(programOf(container('istio/examples-bookinfo-ratings-v1:1.20.1')).args).toEqual(['ratings']);
    expect(programOf(container('istio/examples-bookinfo-reviews-v1:1.20.1')).args).toEqual(['reviews']);
  });

  it('gives each reviews version the environment that makes it that version', () => {
    // As in Istio's Bookinfo: v1 shows no stars, v2 black stars, v3 red stars.
    expect(programOf(container('kubesphere/examples-bookinfo-reviews-v1:1.13.0')).env).toEqual({ ENABLE_RATINGS: 'false' });
    expect(programOf(container('kubesphere/examples-bookinfo-reviews-v2:1.13.0')).env).toEqual({ ENABLE_RATINGS: 'true', STAR_COLOR: 'black' });
    expect(programOf(container('docker.io/istio/examples-bookinfo-reviews-v2:1.20.1')).env).toEqual({
      ENABLE_RATINGS: 'true',
      STAR_COLOR: 'black',
    });
    expect(programOf(container('istio/examples-bookinfo-reviews-v3:any-tag')).env).toEqual({ ENABLE_RATINGS: 'true', STAR_COLOR: 'red' });
  });

  it("runs Istio's ratings fault images as the ratings sample in that mode", () => {
    for (const mode of ['v-faulty', 'v-delayed', 'v-unavailable', 'v-unhealthy']) {
      expect(programOf(container(`docker.io/istio/examples-bookinfo-ratings-${mode}:1.20.2`))).toEqual({ script: 'dist/samples/bookinfo/main.js', args: ['ratings'], env: { RATINGS_MODE: mode } });
    }
  });

  it('returns a fresh env object, so a caller adding to it does not change the catalog', () => {
    const first = resolveContainer(container('istio/examples-bookinfo-reviews-v3'), 'x');
    first.env.STAR_COLOR = 'green';
    expect(resolveContainer(container('istio/examples-bookinfo-reviews-v3'), 'x').env.STAR_COLOR).toBe('red');
  });

  it('runs the httpbin workload for graymesh/httpbin (and the well-known httpbin owners)', () => {
    for (const image of ['graymesh/httpbin', 'graymesh/httpbin:0.1.0', 'docker.io/kennethreitz/httpbin', 'mccutchen/httpbin:v2']) {
      expect(programOf(container(image)), image).toEqual({ script: 'dist/samples/httpbin/main.js', args: [], env: {} });
    }
  });

  it('runs the gRPC Greeter for graymesh/grpc-greeter at any tag', () => {
    for (const image of ['graymesh/grpc-greeter:v1', 'graymesh/grpc-greeter:v2', 'docker.io/graymesh/grpc-greeter']) {
      expect(programOf(container(image)), image).toEqual({ script: 'dist/samples/grpc-greeter/main.js', args: [], env: {} });
    }
    expect(isKnownImage('someone/grpc-greeter:v1')).toBe(false);
  });

  it('appends the container args after the catalog program and its role', () => {
    expect(programOf(container('istio/examples-bookinfo-reviews-v2', { args: ['--verbose'] })).args).toEqual(['reviews', '--verbose']);
  });

  it('runs the command of a container whose image is unknown, with its args; `node` means this Node.js', () => {
    expect(resolveContainer(container('example.com/acme/shop:1', { command: ['/usr/bin/env', 'FOO=1'], args: ['sh'] }), 'x')).toEqual({
      argv: ['/usr/bin/env', 'FOO=1', 'sh'],
      env: {},
    });
    expect(resolveContainer(container(undefined, { command: ['node', 'server.js'], args: ['--port', '1'] }), 'x').argv).toEqual([
      process.execPath,
      'server.js',
      '--port',
      '1',
    ]);
  });

  it('does not treat an unknown owner of a known repository name as the catalog image', () => {
    // someone/httpbin is not ours to replace; without a command it is an error, with one the command runs.
    expect(isKnownImage('someone/httpbin')).toBe(false);
    expect(isKnownImage('examples-bookinfo-reviews-v2')).toBe(false);
    expect(resolveContainer(container('someone/httpbin', { command: ['./run'] }), 'x').argv).toEqual(['./run']);
  });

  it('refuses an unknown image without a command with a GmError naming the object, the image and the fix', () => {
    let err: unknown;
    try {
      resolveContainer(container('example.com/acme/shop:1'), 'Deployment demo/shop-v1 container shop');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GmError);
    const gm = err as GmError;
    expect(gm.status).toBe(422);
    expect(gm.message).toContain('Deployment demo/shop-v1 container shop');
    expect(gm.message).toContain('"example.com/acme/shop:1"');
    expect(gm.message).toContain('command');
    // An empty command list is no command either.
    expect(() => resolveContainer(container('acme/shop', { command: [] }), 'x')).toThrow(GmError);
    expect(() => resolveContainer(container(undefined), 'x')).toThrow(GmError);
  });
});
