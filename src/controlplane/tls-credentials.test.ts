import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/objects.js';
import { Store } from './store.js';
import { CREDENTIALS_CONDITION, recordCredentialVerdicts } from './tls-credentials.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-tls-credentials-'));
  store = new Store(path.join(dir, 'store.db'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function rule(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: 'demo' }, spec };
}

const conditions = (name: string): { type: string; status: string; reason?: string; message?: string }[] =>
  (store.get('DestinationRule', 'demo', name)?.status?.conditions as { type: string; status: string }[] | undefined) ?? [];

describe('DestinationRule credentialName', () => {
  it('marks a rule whose credentialName names no Secret, per setting, and leaves others alone', () => {
    store.create(rule('api', { host: 'api.example.com', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE', credentialName: 'api-ca' } }] } }));
    store.create(rule('files', { host: 'files.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/ca.pem' } } }));
    store.create(rule('plain', { host: 'plain.example.com', trafficPolicy: { tls: { mode: 'DISABLE', credentialName: 'ignored' } } }));
    recordCredentialVerdicts(store);
    expect(conditions('api')).toEqual([
      expect.objectContaining({
        type: CREDENTIALS_CONDITION,
        status: 'False',
        reason: 'SecretNotFound',
        message: 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName: Secret "api-ca" not found in project demo; create it, or use caCertificates with a PEM file the proxy can read',
      }),
    ]);
    expect(conditions('files')).toEqual([]);
    expect(conditions('plain')).toEqual([]);
  });

  it('drops the condition once the rule no longer names a missing Secret', () => {
    const created = store.create(rule('api', { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', credentialName: 'api-ca' } } }));
    recordCredentialVerdicts(store);
    expect(conditions('api')).toHaveLength(1);
    store.update({ ...created, ...store.get('DestinationRule', 'demo', 'api'), spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } } });
    recordCredentialVerdicts(store);
    expect(conditions('api')).toEqual([]);
  });
});
