/**
 * A local https server standing in for an external API (api.example.test): a CA and a server
 * certificate made with openssl (Debian's package) in a temp dir, and node:https answering each
 * request with what it saw (path, Host, the SNI the client sent) as JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';

/** Certificates in a temp dir: a CA, a server certificate it signs, and another CA that signs nothing here. */
export interface TestCerts {
  dir: string;
  /** PEM file of the CA that signed the server's certificate. */
  caFile: string;
  /** PEM file of a CA the server's certificate does not chain to. */
  otherCaFile: string;
  cert: string;
  key: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A CA, a certificate for `names` it signs (DNS SANs), and an unrelated CA. */
export function makeCerts(names: string[]): TestCerts {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-certs-'));
  makeCa(dir, 'ca', 'graymesh test CA');
  makeCa(dir, 'other-ca', 'graymesh other CA');
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`]);
  writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    otherCaFile: path.join(dir, 'other-ca.pem'),
    cert: readFileSync(path.join(dir, 'server.pem'), 'utf8'),
    key: readFileSync(path.join(dir, 'server.key'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What the external API saw of one request. */
export interface SeenRequest {
  method: string;
  path: string;
  host: string | undefined;
  /** The SNI the client sent. */
  servername: string | false | null | undefined;
}

export interface ExternalApi {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** An https server answering every request with 200 and what it saw, as JSON. */
export async function startExternalApi(certs: TestCerts): Promise<ExternalApi> {
  const seen: SeenRequest[] = [];
  const server = https.createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    const s: SeenRequest = { method: req.method ?? '', path: req.url ?? '', host: req.headers.host, servername: (req.socket as TLSSocket).servername };
    seen.push(s);
    const body = JSON.stringify({ api: 'example', ...s });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
