/** TCP clients for byte-stream tests: one line to a tcp-echo through the gateway or through a workload's outbound listener (CONNECT). */
import net from 'node:net';

const TIMEOUT_MS = 10_000;

/** Connects to 127.0.0.1:port, optionally sends `preamble` first and waits for `until` in the answer; resolves with the socket and what came after it. */
function open(port: number, preamble?: string, until?: string): Promise<{ socket: net.Socket; head: string; rest: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer from 127.0.0.1:${port} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once('connect', () => {
      if (!preamble || !until) {
        clearTimeout(timer);
        return resolve({ socket, head: '', rest: '' });
      }
      socket.write(preamble);
      let got = '';
      const onData = (d: Buffer): void => {
        got += d.toString('latin1');
        const at = got.indexOf(until);
        if (at < 0) return;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.pause();
        resolve({ socket, head: got.slice(0, at), rest: got.slice(at + until.length) });
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error(`closed before "${until.trim()}": ${JSON.stringify(got)}`)));
    });
  });
}

/** Sends `line`, half-closes, and resolves with the whole answer (the server closes after it). */
async function exchange(socket: net.Socket, rest: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = rest;
    const timer = setTimeout(() => socket.destroy(new Error(`no end of answer within ${TIMEOUT_MS} ms: ${JSON.stringify(out)}`)), TIMEOUT_MS);
    socket.removeAllListeners('close');
    socket.on('data', (d: Buffer) => (out += d.toString('utf8')));
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.resume();
    socket.end(`${line}\n`);
  });
}

/** One connection to a TCP port: sends a line, answers what came back ('' when the proxy closed it unanswered). */
export async function tcpLine(port: number, line: string): Promise<string> {
  const { socket, rest } = await open(port);
  return exchange(socket, rest, line);
}

/** One connection through an outbound listener: `CONNECT target`, then a line; rejects unless the CONNECT answers 200. */
export async function connectLine(proxyPort: number, target: string, line: string): Promise<string> {
  const { socket, head, rest } = await open(proxyPort, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`, '\r\n\r\n');
  if (!head.startsWith('HTTP/1.1 200')) {
    socket.destroy();
    throw new Error(`CONNECT ${target}: ${head}`);
  }
  return exchange(socket, rest, line);
}

/** The first word of each answer over `n` connections, counted. */
export async function countAnswers(n: number, one: () => Promise<string>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const word = (await one()).split(' ')[0] || 'none';
    counts[word] = (counts[word] ?? 0) + 1;
  }
  return counts;
}
