/**
 * The Kubernetes engine for the contract suite, on the recorded API server contract
 * (test/kubernetes/fake-apiserver.ts): a KubernetesEngine as `up --engine kubernetes` builds
 * it (its object store over KubeClient, istiod's sync status as the mesh, the one release
 * controller watching Releases and Deployments). A restart closes the engine (its client
 * refuses every later call, as a dead process makes none) and starts another on the same
 * cluster.
 */
import type { Deployment } from '../../src/api/objects.js';
import { KubeClient } from '../../src/kubernetes/client.js';
import { IstiodConvergence } from '../../src/kubernetes/convergence.js';
import { KubernetesEngine } from '../../src/kubernetes/engine.js';
import { deploymentReady } from '../../src/kubernetes/workloads.js';
import { FakeApiServer } from '../kubernetes/fake-apiserver.js';
import { eventually, NS, projectObjects, type EngineHarness } from './harness.js';

/** The fake's timeline in the contract's words (harness.ts). */
function normalize(lines: string[]): string[] {
  const out: string[] = [];
  const created = new Set<string>();
  for (const l of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^apply VirtualService \S+ ?(\[\w+\])? ?(\S*?)( owned)?$/.exec(l))) out.push(`route${m[1] ? ` ${m[1]}` : ''} ${m[2]}`);
    else if ((m = /^apply DestinationRule \S+ subsets=(\S*?)( owned)?$/.exec(l))) out.push(`subsets ${m[1]}`);
    else if ((m = /^apply Deployment (\S+)/.exec(l)) && !created.has(m[1]!)) {
      created.add(m[1]!);
      out.push(`create Deployment ${m[1]}`);
    } else if (/^(create Release|ready Deployment|delete (Release|Deployment|VirtualService|DestinationRule)) /.test(l)) out.push(l);
    else if (l === 'istiod: in sync') out.push('in sync');
  }
  return out;
}

export class KubernetesHarness implements EngineHarness {
  readonly name = 'kubernetes';
  private fake!: FakeApiServer;
  private engine!: KubernetesEngine;

  get releases(): KubernetesEngine['releases'] {
    return this.engine.releases;
  }

  get store(): KubernetesEngine['store'] {
    return this.engine.store;
  }

  async start(): Promise<void> {
    this.fake = await new FakeApiServer({ autoReady: true }).start();
    for (const v of ['v2', 'v3']) this.fake.holdRollout(`reviews-${v}`);
    this.engine = this.connect();
    await this.engine.installCrds(5_000);
    await this.engine.applyObjects(projectObjects('/nonexistent'));
    await eventually(() => deploymentReady(this.fake.get('Deployment', NS, 'reviews-v1') as Deployment | undefined), 'reviews-v1 to be ready');
    await this.engine.startController();
    this.fake.timeline.length = 0;
  }

  private connect(): KubernetesEngine {
    const client = new KubeClient({ context: 'fake', server: this.fake.url, namespace: 'default' });
    return new KubernetesEngine(client, { convergence: new IstiodConvergence(client, { debounceMs: 5, pollMs: 5, settleMs: 40, timeoutMs: 5_000 }), pollMs: 10 });
  }

  async restart(): Promise<void> {
    await this.engine.close();
    this.engine = this.connect();
    await this.engine.startController();
  }

  async stop(): Promise<void> {
    await this.engine.close();
    await this.fake.stop();
  }

  allowReady(version: string): void {
    this.fake.allowRollout(`reviews-${version}`);
  }

  holdAcks(): void {
    this.fake.holdAcks();
  }

  allowAcks(): void {
    this.fake.allowAcks();
  }

  timeline(): string[] {
    return normalize(this.fake.timeline);
  }

  breaches(): string[] {
    return [...this.fake.violations];
  }
}
