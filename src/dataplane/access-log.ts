/**
 * The proxy's access log: one line per request in Envoy's default format,
 * kept per pod (requests it served) and per workload (requests it sent), as a
 * sidecar's log would show them; `graymesh logs POD --proxy` reads both.
 * Lines are batched per file and written every 50 ms, so a busy proxy pays one
 * write per file per batch instead of one per request.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { EndpointConfig } from '../config/snapshot.js';
import { formatAccessLog, type RequestRecord } from './request-record.js';
import type { Source } from './router.js';
import { accessLogFile, gatewayAccessLogFile } from '../runtime/log-paths.js';

const FLUSH_MS = 50;

interface LogFile {
  stream: WriteStream;
  pending: string[];
  /** Set when the stream failed: the file is opened again on its next line. */
  failed: boolean;
}

export class AccessLog {
  /** By `project/name` (or `gateway`). */
  private readonly files = new Map<string, LogFile>();
  /** The file of a pod's endpoint and of a listener's source, so no key is built per request. */
  private byObject = new WeakMap<EndpointConfig | Source, LogFile>();
  private timer: NodeJS.Timeout | undefined;
  /** Streams that failed (a file that could not be opened or written); each file is opened again on its next line. */
  failures = 0;

  constructor(private readonly logDir: string) {}

  readonly sink = (r: RequestRecord): void => {
    const line = formatAccessLog(r);
    // The line goes to two files: flattened once here (charCodeAt does that) rather than by each file's join.
    line.charCodeAt(0);
    const up = r.upstream;
    if (up?.pod) this.push(this.fileOf(up) ?? this.open(up, `${up.project}/${up.pod}`, up.project, up.pod), line);
    // A mirror's copy is the mirror pod's line only: its caller logged the request it answered.
    if (r.mirror) return;
    const src = r.source;
    this.push(this.fileOf(src) ?? (src.kind === 'outbound' ? this.open(src, `${src.project}/${src.workload}`, src.project, src.workload) : this.open(src, 'gateway', '', 'gateway')), line);
  };

  /** The file already open for a pod or a listener, unless its stream failed. */
  private fileOf(of: EndpointConfig | Source): LogFile | undefined {
    const f = this.byObject.get(of);
    return f && !f.failed ? f : undefined;
  }

  private open(of: EndpointConfig | Source, key: string, project: string, name: string): LogFile {
    let f = this.files.get(key);
    if (!f) {
      const file = project ? accessLogFile(this.logDir, project, name) : gatewayAccessLogFile(this.logDir);
      mkdirSync(path.dirname(file), { recursive: true });
      const stream = createWriteStream(file, { flags: 'a' });
      const opened: LogFile = { stream, pending: [], failed: false };
      stream.on('error', () => {
        this.failures += 1;
        opened.failed = true;
        if (this.files.get(key) === opened) this.files.delete(key);
      });
      f = opened;
      this.files.set(key, f);
    }
    this.byObject.set(of, f);
    return f;
  }

  private push(f: LogFile, line: string): void {
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
    this.byObject = new WeakMap();
  }
}
