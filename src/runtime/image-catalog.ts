/**
 * The image catalog: a container names an image as it would on a cluster, and
 * the local engine maps known images to built-in programs. Bookinfo's images
 * (kubesphere/examples-bookinfo-*, istio/examples-bookinfo-*, any tag, any
 * registry prefix) run the built-in sample, Istio's ratings fault images
 * (`-v-faulty`, `-v-delayed`, `-v-unavailable`, `-v-unhealthy`) the ratings sample in that mode; graymesh/httpbin runs the test
 * workload; graymesh/grpc-greeter (any tag: `:v1`, `:v2`) runs gRPC's
 * helloworld Greeter, which names its version from the pod's SERVICE_VERSION; istio/tcp-echo-server
 * runs the tcp-echo sample with the container's args (port, prefix). A container with `command` and an unknown image runs that command.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Container } from '../api/objects.js';
import { invalid } from '../api/errors.js';
import { parseImage } from '../config/images.js';

/** The package root: the nearest folder above this module holding package.json (from dist/ or from source). */
export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'package.json')) && existsSync(path.join(d, 'bin', 'graymesh.js'))) return d;
    if (path.dirname(d) === d) return path.resolve(dir, '../../..');
  }
}

export interface ProcessSpec {
  /** Executable and arguments. */
  argv: string[];
  /** Extra environment the image sets (before the container's own env). */
  env: Record<string, string>;
}

interface CatalogEntry {
  script: string;
  args: string[];
  env: Record<string, string>;
}

const BOOKINFO = 'dist/samples/bookinfo/main.js';
const HTTPBIN = 'dist/samples/httpbin/main.js';
const GREETER = 'dist/samples/grpc-greeter/main.js';
const TCP_ECHO = 'dist/samples/tcp-echo/main.js';

/** Images by repository name without registry, owner prefix or tag. */
const CATALOG: Record<string, CatalogEntry> = {
  'examples-bookinfo-productpage-v1': { script: BOOKINFO, args: ['productpage'], env: {} },
  'examples-bookinfo-details-v1': { script: BOOKINFO, args: ['details'], env: {} },
  'examples-bookinfo-ratings-v1': { script: BOOKINFO, args: ['ratings'], env: {} },
  // Istio's fault images of ratings: whatever version the pod is, the ratings sample runs in that mode.
  'examples-bookinfo-ratings-v-faulty': { script: BOOKINFO, args: ['ratings'], env: { RATINGS_MODE: 'v-faulty' } },
  'examples-bookinfo-ratings-v-delayed': { script: BOOKINFO, args: ['ratings'], env: { RATINGS_MODE: 'v-delayed' } },
  'examples-bookinfo-ratings-v-unavailable': { script: BOOKINFO, args: ['ratings'], env: { RATINGS_MODE: 'v-unavailable' } },
  'examples-bookinfo-ratings-v-unhealthy': { script: BOOKINFO, args: ['ratings'], env: { RATINGS_MODE: 'v-unhealthy' } },
  'examples-bookinfo-reviews-v1': { script: BOOKINFO, args: ['reviews'], env: { ENABLE_RATINGS: 'false' } },
  'examples-bookinfo-reviews-v2': {
    script: BOOKINFO,
    args: ['reviews'],
    env: { ENABLE_RATINGS: 'true', STAR_COLOR: 'black' },
  },
  'examples-bookinfo-reviews-v3': {
    script: BOOKINFO,
    args: ['reviews'],
    env: { ENABLE_RATINGS: 'true', STAR_COLOR: 'red' },
  },
  httpbin: { script: HTTPBIN, args: [], env: {} },
  'grpc-greeter': { script: GREETER, args: [], env: {} },
  // Istio's samples/tcp-echo image: its args (`["9000", "one"]`) are the port and the answer prefix.
  'tcp-echo-server': { script: TCP_ECHO, args: [], env: {} },
};

/** Owners whose images the catalog knows. */
const OWNERS = new Set(['kubesphere', 'istio', 'graymesh', 'kennethreitz', 'mccutchen']);

/** True when the image names a program the catalog can run. */
export function isKnownImage(image: string): boolean {
  const { owner, repo } = parseImage(image);
  return CATALOG[repo] !== undefined && owner !== undefined && OWNERS.has(owner);
}

/**
 * How to run a container locally, or a GmError naming the image and the fix.
 * `node` in a command means this Node.js, so programs run on the same runtime.
 */
export function resolveContainer(container: Container, where: string): ProcessSpec {
  const image = container.image ?? '';
  if (image && isKnownImage(image)) {
    const entry = CATALOG[parseImage(image).repo] as CatalogEntry;
    return {
      argv: [process.execPath, path.join(PACKAGE_ROOT, entry.script), ...entry.args, ...(container.args ?? [])],
      env: { ...entry.env },
    };
  }
  if (container.command && container.command.length > 0) {
    const [cmd, ...rest] = container.command as [string, ...string[]];
    const exe = cmd === 'node' ? process.execPath : cmd;
    return { argv: [exe, ...rest, ...(container.args ?? [])], env: {} };
  }
  throw invalid(
    `${where}: image "${image}" is not in the local image catalog; use a Bookinfo image (e.g. kubesphere/examples-bookinfo-reviews-v2:1.13.0), graymesh/httpbin, graymesh/grpc-greeter, istio/tcp-echo-server, or give the container a command to run`,
  );
}
