import { GraphQLError } from 'graphql';
import { ErrorCode } from '../domain/errors.js';

/** The operation ids holding a slot on one socket (kept on the socket's graphql-ws context). */
export type SocketSlots = Set<string>;

/**
 * Bounds open subscriptions per WebSocket and per API key (across this process's sockets), so
 * one client cannot make a process hold thousands of event streams. A refused subscription gets
 * a RATE_LIMITED error naming the limit; the socket and its other subscriptions carry on.
 * Releasing is idempotent: graphql-ws may report an operation's end and then the socket's close.
 */
export class SubscriptionSlots {
  private readonly perKey = new Map<string, number>();

  constructor(private readonly limits: { perSocket: number; perKey: number }) {}

  /** Takes a slot for operation `id`, or returns the refusal when the socket or the key is full. */
  take(socket: SocketSlots, keyId: string, id: string): GraphQLError | undefined {
    if (socket.size >= this.limits.perSocket) {
      return limited(`This connection already has ${this.limits.perSocket} open subscriptions, the limit`, {
        limit: this.limits.perSocket,
        scope: 'socket',
      });
    }
    const held = this.perKey.get(keyId) ?? 0;
    if (held >= this.limits.perKey) {
      return limited(`This API key already has ${this.limits.perKey} open subscriptions on this server, the limit`, {
        limit: this.limits.perKey,
        scope: 'key',
      });
    }
    socket.add(id);
    this.perKey.set(keyId, held + 1);
    return undefined;
  }

  release(socket: SocketSlots, keyId: string, id: string): void {
    if (!socket.delete(id)) return;
    const left = (this.perKey.get(keyId) ?? 1) - 1;
    if (left > 0) this.perKey.set(keyId, left);
    else this.perKey.delete(keyId);
  }

  releaseAll(socket: SocketSlots, keyId: string): void {
    for (const id of [...socket]) this.release(socket, keyId, id);
  }
}

function limited(message: string, details: Record<string, unknown>): GraphQLError {
  return new GraphQLError(`${message}: complete one before starting another`, {
    extensions: { code: ErrorCode.RATE_LIMITED, ...details },
  });
}
