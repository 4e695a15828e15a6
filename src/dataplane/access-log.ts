/**
 * The proxy's access log: one line per request in Envoy's default format,
 * kept per pod (requests it served) and per workload (requests it sent), as a
 * sidecar's log would show them; `graymesh logs POD --proxy` reads both.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { formatAccessLog, type RequestRecord } from './request-record.js';

export function accessLogFile(logDir: string, project: string, name: string): string {
  return path.join(logDir, 'proxy', project, `${name}.log`);
}

export class AccessLog {
  private readonly streams = new Map<string, WriteStream>();

  constructor(private readonly logDir: string) {}

  readonly sink = (r: RequestRecord): void => {
    const line = formatAccessLog(r);
    if (r.upstream?.pod) this.write(accessLogFile(this.logDir, r.upstream.project, r.upstream.pod), line);
    if (r.source.kind === 'outbound') this.write(accessLogFile(this.logDir, r.source.project, r.source.workload), line);
    else this.write(path.join(this.logDir, 'proxy', 'gateway.log'), line);
  };

  private write(file: string, line: string): void {
    let s = this.streams.get(file);
    if (!s) {
      mkdirSync(path.dirname(file), { recursive: true });
      s = createWriteStream(file, { flags: 'a' });
      s.on('error', () => this.streams.delete(file));
      this.streams.set(file, s);
    }
    s.write(line);
  }

  close(): void {
    for (const s of this.streams.values()) s.end();
    this.streams.clear();
  }
}
