/** The engine contract on the Kubernetes engine, against the recorded API server contract (test/kubernetes/fake-apiserver.ts). */
import { describe, expect } from 'vitest';
import { KubeClient } from '../../src/kubernetes/client.js';
import { KubeObjectStore } from '../../src/kubernetes/object-store.js';
import { FakeApiServer } from '../kubernetes/fake-apiserver.js';
import { KubernetesHarness } from './kubernetes-engine.js';
import { apiCases } from './api-cases.js';
import { KubernetesApi } from './api-engines.js';
import { releaseCases } from './release-cases.js';
import { storeCases, type StoreHarness } from './store-cases.js';

function clusterStore(): StoreHarness {
  let fake: FakeApiServer | undefined;
  let client: KubeClient | undefined;
  return {
    name: 'kubernetes',
    atomic: false,
    start: async () => {
      fake = await new FakeApiServer({ autoReady: false }).start();
      client = new KubeClient({ context: 'fake', server: fake.url, namespace: 'default' });
      return new KubeObjectStore(client, { log: () => undefined });
    },
    stop: async () => {
      const breaches = [...(fake?.violations ?? [])];
      await client?.close();
      await fake?.stop();
      expect(breaches).toEqual([]);
    },
  };
}

describe('engine contract: object store', () => storeCases(clusterStore));
describe('engine contract: releases', () => releaseCases(() => new KubernetesHarness()));
describe('engine contract: the API', () => apiCases(() => new KubernetesApi()));
