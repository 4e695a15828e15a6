import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toUpstreamTls } from './client-tls.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-client-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a DestinationRule tls as the TLS the proxy originates', () => {
  it('originates for SIMPLE and MUTUAL only, verifying by default, SNI the host unless sni says otherwise', () => {
    expect(toUpstreamTls(undefined, 'api.example.com', 'demo')).toBeUndefined();
    expect(toUpstreamTls({ mode: 'DISABLE' }, 'api.example.com', 'demo')).toBeUndefined();
    expect(toUpstreamTls({ mode: 'ISTIO_MUTUAL' }, 'api.example.com', 'demo')).toBeUndefined();
    expect(toUpstreamTls({ mode: 'SIMPLE' }, 'api.example.com', 'demo')).toMatchObject({ servername: 'api.example.com', verify: true });
    expect(toUpstreamTls({ mode: 'SIMPLE', sni: 'edge.example.com', insecureSkipVerify: true }, 'api.example.com', 'demo')).toMatchObject({ servername: 'edge.example.com', verify: false });
  });

  it('reads caCertificates, and tells settings apart by what they hold', () => {
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n');
    const a = toUpstreamTls({ mode: 'SIMPLE', caCertificates: ca }, 'api.example.com', 'demo');
    expect(a?.ca).toContain('BEGIN CERTIFICATE');
    expect(a?.error).toBeUndefined();
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n');
    expect(toUpstreamTls({ mode: 'SIMPLE', caCertificates: ca }, 'api.example.com', 'demo')?.id).not.toBe(a?.id);
  });

  it('turns a file it cannot read, or a credentialName without its Secret, into the reason every connection fails with', () => {
    const missing = path.join(dir, 'nope.pem');
    expect(toUpstreamTls({ mode: 'SIMPLE', caCertificates: missing }, 'api.example.com', 'demo')?.error).toBe(`tls.caCertificates ${missing} cannot be read: ENOENT`);
    expect(toUpstreamTls({ mode: 'SIMPLE', credentialName: 'api-ca' }, 'api.example.com', 'demo')?.error).toBe(
      'tls.credentialName "api-ca": Secret not found in demo; use caCertificates with a PEM file the proxy can read',
    );
    const found = toUpstreamTls({ mode: 'SIMPLE', credentialName: 'api-ca' }, 'api.example.com', 'demo', (ns, name) => (ns === 'demo' && name === 'api-ca' ? { ca: 'PEM' } : undefined));
    expect(found).toMatchObject({ ca: 'PEM' });
    expect(found?.error).toBeUndefined();
  });
});
