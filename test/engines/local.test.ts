/**
 * The engine contract on the local engine: its object store over a SQLite file, and its
 * releases on a ControlPlane with a real node proxy and real workload processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { SqliteObjectStore } from '../../src/controlplane/object-store.js';
import { Store } from '../../src/controlplane/store.js';
import { LocalEngine } from './local-engine.js';
import { apiCases } from './api-cases.js';
import { LocalApi } from './api-engines.js';
import { releaseCases } from './release-cases.js';
import { storeCases, type StoreHarness } from './store-cases.js';

function localStore(): StoreHarness {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-store-'));
  let store: Store | undefined;
  return {
    name: 'local',
    atomic: true,
    start: async () => new SqliteObjectStore((store = new Store(path.join(dir, 'graymesh.db')))),
    stop: async () => {
      store?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('engine contract: object store', () => storeCases(localStore));
describe('engine contract: releases', () => releaseCases(() => new LocalEngine()));
describe('engine contract: the API', () => apiCases(() => new LocalApi()));
