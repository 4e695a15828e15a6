import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { KubeObject } from '../api/objects.js';
import { gatewayCredentials, recordGatewayCredentialVerdicts } from './gateway-credentials.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
let cert: string;
let key: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-gw-credentials-'));
  store = new Store(path.join(dir, 'store.db'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-subj', '/CN=a.example'], { cwd: dir, stdio: 'pipe' });
  cert = readFileSync(path.join(dir, 'c.pem'), 'utf8');
  key = readFileSync(path.join(dir, 'k.pem'), 'utf8');
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const secret = (name: string, data: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'demo' }, type: 'kubernetes.io/tls', data }) as unknown as KubeObject;
const gateway = (name: string, credentialName: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'demo' },
  spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example'] }, { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a.example'], tls: { mode: 'SIMPLE', credentialName } }] },
});
const condition = (name: string): Record<string, unknown> | undefined =>
  (store.get('Gateway', 'demo', name)?.status?.conditions as Record<string, unknown>[] | undefined)?.find((c) => c.type === 'ResolvedCredentials');

it('carries a resolved Secret to the snapshot and marks missing and invalid ones on their Gateway until they resolve', () => {
  store.create(secret('good', { 'tls.crt': b64(cert), 'tls.key': b64(key) }));
  // Stored without the validator (as a cluster may hold it): no key.
  store.create(secret('broken', { 'tls.crt': b64(cert) }));
  store.create(gateway('ok', 'good'));
  store.create(gateway('missing', 'absent'));
  store.create(gateway('invalid', 'broken'));
  recordGatewayCredentialVerdicts(store);
  expect(condition('ok')).toBeUndefined();
  expect(condition('missing')).toMatchObject({ status: 'False', reason: 'SecretNotFound', message: expect.stringContaining('spec.servers[1].tls.credentialName: Secret "absent" not found in project demo') });
  expect(condition('invalid')).toMatchObject({ status: 'False', reason: 'InvalidSecret', message: expect.stringContaining('data["tls.key"]: missing') });
  expect(gatewayCredentials(store, new Map()).tlsCredentials).toEqual([{ namespace: 'demo', name: 'good', cert, key }]);
  // A refused Gateway's Secret does not go to the proxies.
  expect(gatewayCredentials(store, new Map([['Gateway/demo/ok', []]]))).toEqual({});

  store.create(secret('absent', { 'tls.crt': b64(cert), 'tls.key': b64(key) }));
  recordGatewayCredentialVerdicts(store);
  expect(condition('missing')).toBeUndefined();
});

it('carries the Secret a DestinationRule names, with its ca.crt', () => {
  store.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-ca', namespace: 'demo' }, type: 'Opaque', data: { 'ca.crt': b64(cert) } } as unknown as KubeObject);
  store.create({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'api', namespace: 'demo' }, spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', credentialName: 'api-ca' } } } });
  expect(gatewayCredentials(store, new Map()).tlsCredentials).toEqual([{ namespace: 'demo', name: 'api-ca', ca: cert }]);
});
