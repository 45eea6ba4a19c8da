/**
 * The client ↔ server messages of the Raft lock service.
 *
 * Every request carries a fresh `rid` per attempt (replies name it); the
 * lock-level ids (`session`, `req`) stay the same across retries, which is
 * what makes a retried command idempotent. Servers that are not the leader
 * answer `lock.redirect` with the leader they believe in. The leader pushes
 * `lock.granted` to the one waiter a release or session end promoted.
 */
import type { Message } from '../api/index.ts';
import type { LockResult } from './state-machine.ts';

/**
 * What a client asks. `keepalive` renews the session (per `reads`: after a
 * ReadIndex round, under the leader lease, or with no check); `cancel`
 * gives up one acquire (its waiter or an untaken grant), not the session.
 */
export type LockRequestBody =
  | { readonly op: 'open'; readonly session: string }
  | { readonly op: 'acquire'; readonly session: string; readonly req: string }
  | { readonly op: 'release'; readonly session: string; readonly req: string }
  | { readonly op: 'cancel'; readonly session: string; readonly req: string }
  | { readonly op: 'close'; readonly session: string }
  | { readonly op: 'keepalive'; readonly session: string };

export type LockRequest = Message & { readonly type: 'lock.request'; readonly rid: string } & LockRequestBody;

/** The answer to one request attempt. `alive` answers a keepalive. */
export type LockReplyResult = LockResult | { readonly status: 'alive' };

export interface LockReply extends Message {
  readonly type: 'lock.reply';
  readonly rid: string;
  readonly result: LockReplyResult;
}

/** "I am not the leader; try `leader` (null: I know of none)." */
export interface LockRedirect extends Message {
  readonly type: 'lock.redirect';
  readonly rid: string;
  readonly leader: string | null;
}

/** Pushed to a waiter when it was granted the lock (it may be lost: clients also poll). */
export interface LockGranted extends Message {
  readonly type: 'lock.granted';
  readonly session: string;
  readonly req: string;
  readonly token: number;
}

/** Whether a message is a client request of this protocol. */
export function isLockRequest(msg: Message): msg is LockRequest {
  return msg.type === 'lock.request' && typeof msg.rid === 'string' && typeof msg.op === 'string' && typeof msg.session === 'string';
}
