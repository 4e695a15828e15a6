/**
 * Listening sockets that outlive the proxy process, as Envoy's hot restart
 * passes them on. The process that runs the proxy (the control plane, over
 * the IPC channel it started the proxy with) keeps a copy of every
 * listening socket the proxy binds:
 *
 * - a proxy that dies leaves its sockets open in that copy, so the kernel
 *   keeps queueing connections, and its successor takes them over: nothing is
 *   refused while it starts, and the ports (the workloads' `HTTP_PROXY`) stay;
 * - a proxy replaced on purpose (`graymesh proxy restart`) serves beside its
 *   successor on the same sockets until the successor enforces the config,
 *   then stops accepting and drains.
 *
 * The messages are in src/runtime/handover-protocol.ts.
 * Without an IPC channel (a proxy started by hand, or adopted by a later
 * control plane) every socket is bound afresh.
 */
import net from 'node:net';
import { HANDOVER, handoverMessage, socketKey, type HandoverMessage } from '../runtime/handover-protocol.js';

/** Opens a proxy's listeners: on an inherited socket when there is one, else on a new one. */
export interface ListenerBinder {
  /** Whether host:port is a socket taken over from a previous proxy. */
  inherited(port: number, host: string): boolean;
  listen(server: net.Server, port: number, host: string): Promise<void>;
  /** The listener on host:port is closed for good: the keeper lets its copy go. */
  release(port: number, host: string): void;
  /**
   * Lets go of every inherited socket no listener took (the config in force has
   * none for it): left open, its port would queue connections nobody accepts.
   */
  releaseUnused(): void;
}

/** Binds every listener afresh (tests, a proxy without a keeper). */
export const freshBinder: ListenerBinder = {
  inherited: () => false,
  listen: bindFresh,
  release: () => undefined,
  releaseUnused: () => undefined,
};

interface Ipc {
  send?: NodeJS.Process['send'];
  connected?: boolean;
  on(event: 'message', fn: (m: unknown, handle: unknown) => void): unknown;
}

/** The proxy's side of the hand-over, over the IPC channel to its keeper. */
export class SocketHandover implements ListenerBinder {
  private readonly inheritedSockets = new Map<string, object>();
  private arrived: (() => void) | undefined;

  constructor(private readonly ipc: Ipc = process) {
    ipc.on('message', (m, handle) => this.receive(m, handle));
  }

  /**
   * Asks the keeper for the sockets it holds and resolves once they are all
   * here (at once without a keeper; after timeoutMs a keeper that does not
   * answer is taken for one holding none).
   */
  ready(timeoutMs = 5_000): Promise<void> {
    if (!this.ipc.send || this.ipc.connected === false) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.arrived = () => {
        clearTimeout(timer);
        resolve();
      };
      this.sendToKeeper({ type: HANDOVER.TAKE, key: '' });
    });
  }

  inherited(port: number, host: string): boolean {
    return this.inheritedSockets.has(socketKey(host, port));
  }

  async listen(server: net.Server, port: number, host: string): Promise<void> {
    const key = socketKey(host, port);
    const handle = this.inheritedSockets.get(key);
    if (handle) {
      this.inheritedSockets.delete(key);
      await listenOn(server, handle);
      return;
    }
    await bindFresh(server, port, host);
    this.report(key, server);
  }

  release(port: number, host: string): void {
    this.sendToKeeper({ type: HANDOVER.RELEASE, key: socketKey(host, port) });
  }

  releaseUnused(): void {
    for (const [key, handle] of this.inheritedSockets) {
      closeHandle(handle);
      this.sendToKeeper({ type: HANDOVER.RELEASE, key });
    }
    this.inheritedSockets.clear();
  }

  private report(key: string, server: net.Server): void {
    const handle = (server as unknown as { _handle?: object })._handle;
    if (handle) this.sendToKeeper({ type: HANDOVER.LISTENER, key }, handle);
  }

  private sendToKeeper(m: HandoverMessage, handle?: object): void {
    if (!this.ipc.send || this.ipc.connected === false) return;
    try {
      this.ipc.send(m, handle as net.Server | undefined, undefined, () => undefined);
    } catch {
      // The keeper is gone: the proxy serves on, only without a copy kept.
    }
  }

  private receive(m: unknown, handle: unknown): void {
    const msg = handoverMessage(m);
    if (msg?.type === HANDOVER.SENT) this.arrived?.();
    if (msg?.type !== HANDOVER.LISTENER || !handle) return;
    this.inheritedSockets.set(msg.key, handle as object);
  }
}

function bindFresh(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Accepts on a socket another process bound (a raw handle: net.Server takes one as `listen(handle)`). */
function listenOn(server: net.Server, handle: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(handle as net.ListenOptions, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeHandle(handle: object): void {
  try {
    (handle as { close?: () => void }).close?.();
  } catch {
    // already closed
  }
}
