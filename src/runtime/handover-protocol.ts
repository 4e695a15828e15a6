/**
 * The messages by which a node proxy and the process keeping its listening
 * sockets (the control plane of the local engine) hand sockets over, on the
 * IPC channel the proxy was started with:
 *
 * - the proxy asks `{type: TAKE, key: ''}` once it listens for answers;
 * - the keeper answers `{type: LISTENER, key}` with a raw handle per socket it
 *   holds, then `{type: SENT, key: ''}`;
 * - the proxy reports each socket it binds afresh as `{type: LISTENER, key}`
 *   with its handle, and `{type: RELEASE, key}` for one it closed for good.
 *
 * Sockets travel as raw handles (a net.Server's `_handle`): the receiver holds
 * the descriptor without accepting on it, which a passed net.Server would do.
 */
export const HANDOVER = {
  LISTENER: 'graymesh:listener',
  RELEASE: 'graymesh:release',
  TAKE: 'graymesh:take-sockets',
  SENT: 'graymesh:sockets-sent',
} as const;

export interface HandoverMessage {
  type: (typeof HANDOVER)[keyof typeof HANDOVER];
  key: string;
}

/** The key of a listening socket: `host:port`. */
export const socketKey = (host: string, port: number): string => `${host}:${port}`;

/** A message of the protocol, or undefined for anything else on the channel. */
export function handoverMessage(m: unknown): HandoverMessage | undefined {
  const msg = m as Partial<HandoverMessage> | null;
  if (!msg || typeof msg.key !== 'string') return undefined;
  return Object.values(HANDOVER).includes(msg.type as HandoverMessage['type']) ? (msg as HandoverMessage) : undefined;
}
