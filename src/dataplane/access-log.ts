/**
 * The proxy's access log: one line per request in Envoy's default format,
 * kept per pod (requests it served) and per workload (requests it sent), as a
 * sidecar's log would show them; `graymesh logs POD --proxy` reads both.
 * Lines are batched per file and written every 50 ms, so a busy proxy pays one
 * write per file per batch instead of one per request. A line is encoded into
 * the file's batch buffer (off the JavaScript heap) as soon as it is made, so
 * the line's string dies young: held as strings for 50 ms, a busy proxy's
 * lines outlived two scavenges and piled up in the old generation (about 3 MB
 * a second under load) until the next full collection.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { EndpointConfig } from '../config/snapshot.js';
import { formatAccessLog, type RequestRecord } from './request-record.js';
import type { Source } from './router.js';
import { accessLogFile, gatewayAccessLogFile } from '../runtime/log-paths.js';

const FLUSH_MS = 50;
/** A batch buffer's size: about 250 lines; a fuller batch is written at once. */
const BATCH_BYTES = 64 * 1024;
/** The most bytes a UTF-16 code unit takes in UTF-8. */
const MAX_UTF8_PER_UNIT = 3;
/** Written batch buffers kept for the next batches of any file. */
const MAX_SPARES = 4;

interface LogFile {
  stream: WriteStream;
  /** Lines not yet handed to the stream, bytes [0, used); none between batches, so an idle file holds no buffer. */
  batch: Buffer | undefined;
  used: number;
  /** Set when the stream failed: the file is opened again on its next line. */
  failed: boolean;
}

export class AccessLog {
  /** By `project/name` (or `gateway`). */
  private readonly files = new Map<string, LogFile>();
  /** The file of a pod's endpoint and of a listener's source, so no key is built per request. */
  private byObject = new WeakMap<EndpointConfig | Source, LogFile>();
  private timer: NodeJS.Timeout | undefined;
  /** Batch buffers the streams have written, for the next batches (at most MAX_SPARES, whatever the number of files). */
  private readonly spares: Buffer[] = [];
  /** Streams that failed (a file that could not be opened or written); each file is opened again on its next line. */
  failures = 0;

  constructor(private readonly logDir: string) {}

  readonly sink = (r: RequestRecord): void => {
    const line = formatAccessLog(r);
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
      const opened: LogFile = { stream, batch: undefined, used: 0, failed: false };
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
    const most = line.length * MAX_UTF8_PER_UNIT;
    if (f.batch !== undefined && most > f.batch.length - f.used) this.write(f);
    // A line longer than a whole batch goes to the stream on its own (after the batch before it).
    if (most > BATCH_BYTES) {
      f.stream.write(line);
      return;
    }
    f.batch ??= this.spares.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
    f.used += f.batch.write(line, f.used, 'utf8');
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Hands a file's batch to its stream; the buffer is a spare again once written. */
  private write(f: LogFile): void {
    const full = f.batch;
    if (full === undefined) return;
    f.stream.write(full.subarray(0, f.used), () => {
      if (this.spares.length < MAX_SPARES) this.spares.push(full);
    });
    f.batch = undefined;
    f.used = 0;
  }

  /** Writes every batched line now. */
  flush(): void {
    this.timer = undefined;
    for (const f of this.files.values()) this.write(f);
  }

  close(): void {
    clearTimeout(this.timer);
    this.flush();
    for (const f of this.files.values()) f.stream.end();
    this.files.clear();
    this.byObject = new WeakMap();
  }
}
