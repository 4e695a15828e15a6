import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadSealKey, sealingCodec } from './secret-seal.js';
import { Store } from './store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-seal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cred', namespace: 'p' }, type: 'kubernetes.io/tls', data: { 'tls.key': Buffer.from('PRIVATE KEY BYTES').toString('base64') } };

it('creates the key file 0600 on first use and reads the same key after', () => {
  const file = path.join(dir, 'secret-key');
  const key = loadSealKey(file);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(loadSealKey(file).equals(key)).toBe(true);
  writeFileSync(file, 'short\n');
  expect(() => loadSealKey(file)).toThrow(/not a 32-byte key/);
});

it('keeps Secrets sealed in the SQLite file and other kinds as JSON; another key cannot read them', () => {
  const db = path.join(dir, 'store.db');
  const key = loadSealKey(path.join(dir, 'secret-key'));
  const store = new Store(db, sealingCodec(key));
  store.create(secret);
  store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'p' }, spec: {} });
  expect(store.get('Secret', 'p', 'cred')).toMatchObject({ data: secret.data });
  store.close();
  const raw = new Database(db);
  const rows = raw.prepare('SELECT kind, body FROM objects').all() as { kind: string; body: string }[];
  raw.close();
  const sealed = rows.find((r) => r.kind === 'Secret')!.body;
  expect(sealed.startsWith('gmseal:v1:')).toBe(true);
  expect(sealed).not.toContain(secret.data['tls.key']);
  expect(rows.find((r) => r.kind === 'Service')!.body).toContain('"svc"');
  for (const f of [db, `${db}-wal`]) {
    try {
      expect(readFileSync(f).includes(secret.data['tls.key'])).toBe(false);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
    }
  }
  const again = new Store(db, sealingCodec(key));
  expect(again.list('Secret')).toHaveLength(1);
  again.close();
  const other = new Store(db, sealingCodec(Buffer.alloc(32, 7)));
  expect(() => other.get('Secret', 'p', 'cred')).toThrow();
  other.close();
});
