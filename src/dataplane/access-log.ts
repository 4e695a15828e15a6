/**
 * The proxy's access log: one line per request in Envoy's default format,
 * kept per pod (requests it served) and per workload (requests it sent), as a
 * sidecar's log would show them; `graymesh logs POD --proxy` reads both.
 * Lines are batched per file and written every 50 ms, so a busy proxy pays one
 * write per file per batch instead of one per request.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { formatAccessLog, type RequestRecord } from './request-record.js';

const FLUSH_MS = 50;

export function accessLogFile(logDir: string, project: string, name: string): string {
  return path.join(logDir, 'proxy', project, `${name}.log`);
}

interface LogFile {
  stream: WriteStream;
  pending: string[];
}

export class AccessLog {
  /** By `project/name` (or `gateway`), so no path is built per request. */
  private readonly files = new Map<string, LogFile>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly logDir: string) {}

  readonly sink = (r: RequestRecord): void => {
    const line = formatAccessLog(r);
    const up = r.upstream;
    if (up?.pod) this.write(`${up.project}/${up.pod}`, up.project, up.pod, line);
    const src = r.source;
    if (src.kind === 'outbound') this.write(`${src.project}/${src.workload}`, src.project, src.workload, line);
    else this.write('gateway', '', 'gateway', line);
  };

  private write(key: string, project: string, name: string, line: string): void {
    let f = this.files.get(key);
    if (!f) {
      const file = project ? accessLogFile(this.logDir, project, name) : path.join(this.logDir, 'proxy', 'gateway.log');
      mkdirSync(path.dirname(file), { recursive: true });
      const stream = createWriteStream(file, { flags: 'a' });
      stream.on('error', () => this.files.delete(key));
      f = { stream, pending: [] };
      this.files.set(key, f);
    }
    f.pending.push(line);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes every batched line now. */
  flush(): void {
    this.timer = undefined;
    for (const f of this.files.values()) {
      if (f.pending.length === 0) continue;
      f.stream.write(f.pending.join(''));
      f.pending = [];
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.flush();
    for (const f of this.files.values()) f.stream.end();
    this.files.clear();
  }
}
