/**
 * Sends one case to one server on a fresh connection and waits until the
 * server has done all it will do with it, then reports what it did.
 *
 * "Done" is decided without timers: every piece is written only after the
 * server's socket has read the one before (its bytesRead), and after the last
 * piece the case waits until the server's side has stayed unchanged (bytes
 * read and written, its log, whether it closed) for QUIET turns of the event
 * loop. Every step a server takes towards an answer (a parse, a handler, a
 * pipelined request resumed on setImmediate, a write completing) shows within
 * a turn or two, all in this process, so a server still working is never
 * taken for one waiting for more bytes. A case that has not settled in
 * CASE_LIMIT_MS is reported as stuck, which is a failure, not an outcome.
 */
import net from 'node:net';
import type { FuzzCase } from './mutate.js';
import type { ServerConn, ServerEvent, Target } from './targets.js';

const QUIET = 8;
const CASE_LIMIT_MS = 10_000;

/** What one server did with one case. */
export interface Outcome {
  events: ServerEvent[];
  /** The server ended or dropped the connection. */
  closed: boolean;
  stuck: boolean;
}

/** Calls each waiting check once per event-loop turn until it returns true. */
class Ticker {
  private readonly checks = new Set<() => boolean>();
  private running = false;

  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const wrapped = (): boolean => {
        if (!check()) return false;
        resolve();
        return true;
      };
      this.checks.add(wrapped);
      this.start();
    });
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    const turn = (): void => {
      for (const c of this.checks) if (c()) this.checks.delete(c);
      if (this.checks.size > 0) setImmediate(turn);
      else this.running = false;
    };
    setImmediate(turn);
  }
}

const ticker = new Ticker();

const serverClosed = (c: ServerConn): boolean => c.socket.destroyed || c.socket.writableEnded;

/** A fingerprint of everything the server's side can change. */
function stateOf(c: ServerConn): string {
  const last = c.events[c.events.length - 1];
  const lastState = last === undefined ? '' : last.kind === 'read' ? `${last.length}/${last.complete}` : last.reason;
  return `${c.socket.bytesRead}|${c.socket.bytesWritten}|${c.events.length}|${lastState}|${serverClosed(c)}`;
}

/** The refusal graymesh wrote as its last answer before closing, if the last answer was one. */
function refusalIn(received: string): string | undefined {
  const at = received.lastIndexOf('HTTP/1.1 ');
  if (at < 0) return undefined;
  const headEnd = received.indexOf('\r\n\r\n', at);
  if (headEnd < 0) return undefined;
  const head = received.slice(at, headEnd);
  const status = Number(head.slice(9, 12));
  if (status < 400 || /\r\nx-fuzz-read:/i.test(head)) return undefined;
  return `${status} ${received.slice(headEnd + 4).trim()}`;
}

export async function probe(target: Target, c: FuzzCase): Promise<Outcome> {
  const socket = net.connect({ port: target.port, host: '127.0.0.1', noDelay: true });
  let received = '';
  let ended = false;
  let failed = false;
  socket.on('data', (b: Buffer) => (received += b.toString('latin1')));
  socket.on('end', () => (ended = true));
  socket.on('close', () => (ended = true));
  socket.on('error', () => (failed = true));
  const deadline = Date.now() + CASE_LIMIT_MS;
  const late = (): boolean => Date.now() > deadline;
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });
  const port = socket.localPort ?? 0;
  let conn: ServerConn | undefined;
  await ticker.until(() => (conn = target.accepted(port)) !== undefined || failed || late());
  if (!conn) {
    socket.destroy();
    return { events: [], closed: true, stuck: true };
  }
  const server = conn;
  const bytes = Buffer.from(c.bytes, 'latin1');
  const cuts = [...c.splits, bytes.length];
  let sent = 0;
  for (const cut of cuts) {
    if (serverClosed(server) || failed) break;
    socket.write(bytes.subarray(sent, cut));
    sent = cut;
    await ticker.until(() => server.socket.bytesRead >= sent || serverClosed(server) || failed || late());
  }
  let last = stateOf(server);
  let quiet = 0;
  await ticker.until(() => {
    const now = stateOf(server);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    return quiet >= QUIET || late();
  });
  const closed = serverClosed(server);
  // A server that closed has said its last word: wait for all of it to arrive.
  if (closed) await ticker.until(() => ended || late());
  const events = server.events.map((e) => ({ ...e }));
  if (target.name === 'graymesh' && closed) {
    const refusal = refusalIn(received);
    if (refusal !== undefined) events.push({ kind: 'reject', reason: refusal });
  }
  target.forget(port);
  // A reset leaves no TIME_WAIT behind: tens of thousands of cases never run out of ports.
  socket.resetAndDestroy();
  return { events, closed, stuck: late() };
}
