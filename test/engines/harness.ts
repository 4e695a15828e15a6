/**
 * What the contract suite needs of an engine: its one release controller and its object
 * store, a project with service `reviews` and its ready v1 workload, control of when a
 * version's workload is ready and when the proxies ACK, a restart of the controller's
 * process as a crash would do it, and a timeline of what happened, in the contract's words:
 *   create Release canary · subsets v1,v2 · route [pin] v1=100 · route v2=100 (a plain route)
 *   create Deployment reviews-v2 · ready Deployment reviews-v2 · delete Deployment reviews-v1
 *   delete VirtualService reviews · in sync (every proxy enforces the routing the store holds)
 */
import type { Deployment, KubeObject } from '../../src/api/objects.js';
import type { Release, ReleaseSpec } from '../../src/config/release/types.js';
import type { ReleaseController } from '../../src/engine/releases/controller.js';
import type { ObjectStore } from '../../src/engine/store.js';
import { canaryRelease } from '../kubernetes/fixtures.js';

export const NS = 'engines';

export interface EngineHarness {
  readonly name: 'local' | 'kubernetes';
  readonly releases: ReleaseController;
  readonly store: ObjectStore;
  /** Starts the engine with the project of `projectObjects`, v1 ready; no other version becomes ready until allowed. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Lets the workload of `version` become ready. */
  allowReady(version: string): void;
  /** The proxies stop acknowledging config: every settle waits until allowAcks. */
  holdAcks(): void;
  allowAcks(): void;
  /** Stops the controller's process as a crash would (its calls in flight never finish) and starts it again on the same state. */
  restart(): Promise<void>;
  timeline(): string[];
  /** Breaches of the engine's API contract seen so far (the recorded API server's; none locally). */
  breaches(): string[];
}

/**
 * A workload whose readiness the test decides: it answers /health 200 once the file
 * `$READY_DIR/$SERVICE_VERSION` exists (503 before), anything else with its version. An
 * image outside the local catalog, so its command runs; a new version copies it.
 */
const GATED =
  "const fs=require('fs'),p=require('path');require('http').createServer((q,s)=>{if(q.url==='/health'){s.writeHead(fs.existsSync(p.join(process.env.READY_DIR,process.env.SERVICE_VERSION))?200:503).end();return}s.end('reviews '+process.env.SERVICE_VERSION)}).listen(Number(process.env.PORT),'127.0.0.1')";

export function reviewsDeployment(readyDir: string): Deployment {
  const labels = { app: 'reviews', version: 'v1' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'reviews-v1', namespace: NS, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'reviews', image: 'example.com/contract/reviews:1', command: ['node', '-e', GATED], env: [{ name: 'READY_DIR', value: readyDir }], ports: [{ containerPort: 9080 }] }] },
      },
    },
  };
}

/** The project every scenario starts from. */
export function projectObjects(readyDir: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: NS, labels: { app: 'reviews' } }, spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] } },
    reviewsDeployment(readyDir),
  ];
}

/** A canary of reviews, v1 → v2 at 50/50 (the Kubernetes tests' fixture, with the contract's image). */
export function release(name: string, spec: Partial<ReleaseSpec> = {}): Release {
  const r = canaryRelease(NS);
  return { ...r, metadata: { name, namespace: NS }, spec: { ...r.spec!, newVersion: { version: 'v2', image: 'example.com/contract/reviews:2', replicas: 1 }, ...spec } };
}

/** How the timeline writes a VirtualService: its stage, then each destination's subset and weight. */
export function routeLine(vs: KubeObject): string {
  const http = (vs.spec as { http?: { route?: { destination: { subset?: string }; weight?: number }[] }[] }).http ?? [];
  const stage = vs.metadata.annotations?.['graymesh.dev/stage'];
  return `route${stage ? ` [${stage}]` : ''} ${http.flatMap((h) => h.route ?? []).map((d) => `${d.destination.subset ?? '*'}=${d.weight ?? 100}`).join(',')}`;
}

export function subsetsLine(dr: KubeObject): string {
  return `subsets ${((dr.spec as { subsets?: { name: string }[] }).subsets ?? []).map((s) => s.name).join(',')}`;
}

export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A gate: `wait()` resolves once opened. */
export class Gate {
  private open: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  close(): void {
    if (this.release) return;
    this.open = new Promise((r) => (this.release = r));
  }

  openUp(): void {
    this.release?.();
    this.release = undefined;
  }

  wait(): Promise<void> {
    return this.open;
  }
}
