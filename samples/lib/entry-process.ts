/**
 * Test support: runs a sample's TypeScript entry point as a real child process
 * (through vite-node, which vitest already brings) and waits for its
 * "listening on host:port" line, so tests can exercise env parsing and SIGTERM
 * handling exactly as the engine will.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A started entry point. */
export interface EntryProcess {
  /** The child process. */
  child: ChildProcess;
  /** Port from the startup line. */
  port: number;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITE_NODE = fileURLToPath(new URL('../../node_modules/vite-node/vite-node.mjs', import.meta.url));

/** Starts `entry` (a path from the repository root) with `args` and `env`, and waits until it listens. */
export function startEntry(entry: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<EntryProcess> {
  const child = spawn(process.execPath, [VITE_NODE, entry, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry}: no "listening on" line within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on [^\s:]+:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), stdout: () => out, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${String(code)} before listening; stderr: ${err}`));
    });
  });
}
