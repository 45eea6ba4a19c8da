/**
 * Raft wire messages (RequestVote, PreVote, AppendEntries and their replies).
 *
 * Every type starts with `raft.` so a server can route them to the core and
 * keep its own client protocol beside them. The network may drop, duplicate,
 * delay and reorder any of them; the core tolerates that (terms, match
 * indexes that only grow, idempotent appends). Heartbeat `round` numbers let
 * the leader tell which replies confirm a later leadership check (ReadIndex
 * and the leader lease). Not modelled: InstallSnapshot, TimeoutNow.
 */
import type { Message } from '../api/index.ts';
import type { LogEntry } from './types.ts';

/** RequestVote (`raft.vote`) or PreVote (`raft.prevote`): `term` is the term the candidate asks for. */
export interface VoteRequest extends Message {
  readonly type: 'raft.vote' | 'raft.prevote';
  readonly term: number;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

/** Reply to a (pre)vote: `term` is the asked term when granted, else the voter's own term. */
export interface VoteReply extends Message {
  readonly type: 'raft.vote-reply' | 'raft.prevote-reply';
  readonly term: number;
  readonly granted: boolean;
}

/** AppendEntries; empty `entries` is a heartbeat. */
export interface AppendRequest<C = unknown> extends Message {
  readonly type: 'raft.append';
  readonly term: number;
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly LogEntry<C>[];
  /** The leader's commit index. */
  readonly commit: number;
  /** The leader's heartbeat round this message belongs to. */
  readonly round: number;
}

/** Reply to AppendEntries. */
export interface AppendReply extends Message {
  readonly type: 'raft.append-reply';
  readonly term: number;
  readonly success: boolean;
  /** On success: the index up to which the follower's log now matches the leader's. */
  readonly matchIndex: number;
  /** On failure: where the leader should retry from (first index of the conflicting term, or the follower's log end + 1). */
  readonly conflictIndex: number;
  /** Echo of the request's round. */
  readonly round: number;
}

export type RaftMessage = VoteRequest | VoteReply | AppendRequest | AppendReply;

/** Whether a message belongs to the Raft core. */
export function isRaftMessage(msg: Message): msg is RaftMessage {
  return msg.type.startsWith('raft.');
}
