import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../config/snapshot.js';
import { AccessLog } from './access-log.js';
import { accessLogFile } from '../runtime/log-paths.js';
import { formatAccessLog, type RequestRecord } from './request-record.js';
import type { Source } from './router.js';
import { requestRecord } from './telemetry/fixtures.js';

const pod: EndpointConfig = { pod: 'reviews-v1-abc', project: 'demo', workload: 'reviews-v1', labels: { app: 'reviews', version: 'v1' }, address: '127.0.0.1', port: 31001, ready: true };
const productpage: Source = { kind: 'outbound', project: 'demo', workload: 'productpage-v1', labels: { app: 'productpage' } };

function record(over: Partial<RequestRecord> = {}): RequestRecord {
  return requestRecord({
    startTime: Date.UTC(2024, 4, 1, 12, 0, 0, 7),
    durationMs: 3.6,
    bytesSent: 295,
    userAgent: 'curl/8.5',
    requestId: 'f1b6c6c0-1',
    source: productpage,
    upstream: pod,
    upstreamCluster: 'outbound|9080||reviews.demo.svc.cluster.local',
    upstreamMs: 2,
    routeName: 'default',
    downstreamRemote: '127.0.0.1:40001',
    ...over,
  });
}

describe('formatAccessLog', () => {
  it('prints Envoy’s default line', () => {
    expect(formatAccessLog(record())).toBe(
      '[2024-05-01T12:00:00.007Z] "GET /reviews/0 HTTP/1.1" 200 - via_upstream - "-" 0 295 4 2 "-" "curl/8.5" "f1b6c6c0-1" "reviews:9080" "127.0.0.1:31001" ' +
        'outbound|9080||reviews.demo.svc.cluster.local - 127.0.0.1:15001 127.0.0.1:40001 - default\n',
    );
    expect(formatAccessLog(record({ upstream: undefined, upstreamMs: undefined, upstreamCluster: undefined, routeName: undefined, userAgent: undefined, requestId: undefined, status: 503, flags: 'UH,URX' }))).toBe(
      '[2024-05-01T12:00:00.007Z] "GET /reviews/0 HTTP/1.1" 503 UH,URX no_healthy_upstream - "-" 0 295 4 - "-" "-" "-" "reviews:9080" "-" - - 127.0.0.1:15001 127.0.0.1:40001 - -\n',
    );
  });

  it('prints every millisecond of a second, and seconds apart, as toISOString does', () => {
    const t0 = Date.UTC(2023, 11, 31, 23, 59, 59, 0);
    for (const t of [t0, t0 + 1, t0 + 999, t0 + 1000, t0 + 1001, t0 - 1, 0, -1, -1001, 1.9, 253402300800000]) {
      expect(formatAccessLog(record({ startTime: t })).slice(1, formatAccessLog(record({ startTime: t })).indexOf(']'))).toBe(new Date(t).toISOString());
    }
    expect(() => formatAccessLog(record({ startTime: NaN }))).toThrow(RangeError);
  });
});

describe('AccessLog', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const until = async (cond: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };

  it('writes each line to the pod that served it and the workload (or gateway) that sent it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gm-access-log-'));
    dirs.push(dir);
    const log = new AccessLog(dir);
    log.sink(record());
    log.sink(record({ source: { kind: 'gateway' }, path: '/productpage' }));
    log.sink(record({ upstream: undefined, path: '/nowhere' }));
    log.close();
    const podFile = accessLogFile(dir, 'demo', 'reviews-v1-abc');
    const workloadFile = accessLogFile(dir, 'demo', 'productpage-v1');
    const gatewayFile = path.join(dir, 'proxy', 'gateway.log');
    await until(() => read(podFile).split('\n').length === 3 && read(workloadFile).split('\n').length === 3 && read(gatewayFile) !== '');
    expect(read(podFile)).toBe(formatAccessLog(record()) + formatAccessLog(record({ source: { kind: 'gateway' }, path: '/productpage' })));
    expect(read(workloadFile)).toBe(formatAccessLog(record()) + formatAccessLog(record({ upstream: undefined, path: '/nowhere' })));
    expect(read(gatewayFile)).toBe(formatAccessLog(record({ source: { kind: 'gateway' }, path: '/productpage' })));
  });

  it('opens a file again after its stream failed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gm-access-log-'));
    dirs.push(dir);
    const workloadFile = accessLogFile(dir, 'demo', 'productpage-v1');
    // A directory where the file should be: the stream fails to open.
    mkdirSync(workloadFile, { recursive: true });
    const log = new AccessLog(dir);
    log.sink(record({ upstream: undefined, path: '/lost' }));
    log.flush();
    await until(() => log.failures === 1);
    rmSync(workloadFile, { recursive: true });
    log.sink(record({ upstream: undefined, path: '/kept' }));
    log.close();
    await until(() => read(workloadFile) !== '');
    expect(read(workloadFile)).toBe(formatAccessLog(record({ upstream: undefined, path: '/kept' })));
  });

  it('holds no batch buffer for a file with nothing to write, whatever the number of pods it has logged for', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gm-access-log-'));
    dirs.push(dir);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const log = new AccessLog(dir);
    const pods = Array.from({ length: 200 }, (_, i): EndpointConfig => ({ ...pod, pod: `reviews-v1-${i}` }));
    gc();
    const before = process.memoryUsage().arrayBuffers;
    for (const p of pods) log.sink(record({ upstream: p }));
    log.flush();
    await until(() => pods.every((p) => read(accessLogFile(dir, 'demo', p.pod)) !== ''));
    await new Promise((r) => setImmediate(r));
    gc();
    // 200 files, each written once: 64 KiB buffers kept per file would be 12.8 MiB; the spares are 4 at most.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 * 1024 * 1024);
    expect(read(accessLogFile(dir, 'demo', 'reviews-v1-7'))).toBe(formatAccessLog(record({ upstream: pods[7] })));
    log.close();
  });
});
