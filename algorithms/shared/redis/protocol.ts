/**
 * The messages of the Redis model: client commands and their replies, and
 * the primary → replica replication stream.
 *
 * Models: the two scripts a lock client runs (acquire: SET NX PX plus an
 * optional INCR; release: compare-and-delete or DEL), the READONLY/MOVED
 * answer a replica gives with the primary it knows (how clients find a
 * promoted primary), and PSYNC-style replication (a replication id and
 * offset; a stream of ops from the last acknowledged offset, or a full
 * snapshot when the replica's history differs). Every request carries a
 * random `reqId` so duplicates and late replies can be recognised. Does not
 * model: RESP framing, pipelining, the Sentinel protocol itself.
 */
import type { Message } from '../../api/index.ts';
import type { Micros } from '../../api/index.ts';
import type { Op, Snapshot } from './keyspace.ts';
import type { ReleaseMode } from './options.ts';

/** Acquire script: `SET key value NX PX ttl` on the first free key of `keys`, then `INCR counter` when `counter` is set. */
export type AcquireCmd = {
  readonly type: 'redis.acquire';
  readonly reqId: string;
  readonly keys: readonly string[];
  readonly value: string;
  readonly ttlUs: Micros;
  readonly counter: string | null;
};

/** Release: the compare-and-delete script, or a plain DEL. */
export type UnlockCmd = {
  readonly type: 'redis.unlock';
  readonly reqId: string;
  readonly key: string;
  readonly value: string;
  readonly mode: ReleaseMode;
};

/** Reply to an acquire: `ok` with the key taken and the INCR token, or busy. */
export type AcquireReply = {
  readonly type: 'redis.acquired';
  readonly reqId: string;
  readonly ok: boolean;
  readonly key: string | null;
  readonly token: number | null;
};

/** Reply to an unlock: whether a key was deleted. */
export type UnlockReply = { readonly type: 'redis.unlocked'; readonly reqId: string; readonly deleted: boolean };

/** A replica's refusal (READONLY) naming the primary it follows, if any. */
export type MovedReply = { readonly type: 'redis.moved'; readonly reqId: string; readonly primary: string | null };

export type Command = AcquireCmd | UnlockCmd;
export type Reply = AcquireReply | UnlockReply | MovedReply;

/** Ops `fromOffset..toOffset` of replication history `replId`. `clockUs`: the primary's expiry clock when sent. */
export type ReplStream = {
  readonly type: 'repl.stream';
  readonly epoch: number;
  readonly replId: string;
  readonly clockUs: Micros;
  readonly fromOffset: number;
  readonly toOffset: number;
  readonly ops: readonly Op[];
};

/** The primary's whole dataset at `offset` of history `replId` (full resynchronisation). */
export type ReplSnapshot = {
  readonly type: 'repl.snapshot';
  readonly epoch: number;
  readonly replId: string;
  readonly clockUs: Micros;
  readonly offset: number;
  readonly snapshot: Snapshot;
};

/** A replica's REPLCONF ACK: the history and offset it has applied. */
export type ReplAck = { readonly type: 'repl.ack'; readonly epoch: number; readonly replId: string; readonly offset: number };

/** Narrows a received message to a client command, or undefined. */
export function asCommand(msg: Message): Command | undefined {
  if (msg.type === 'redis.acquire' || msg.type === 'redis.unlock') {
    if (typeof msg.reqId !== 'string') throw new Error(`${msg.type} without a reqId`);
    return msg as unknown as Command;
  }
  return undefined;
}

/** Narrows a received message to a reply, or undefined. */
export function asReply(msg: Message): Reply | undefined {
  if (msg.type === 'redis.acquired' || msg.type === 'redis.unlocked' || msg.type === 'redis.moved') {
    if (typeof msg.reqId !== 'string') throw new Error(`${msg.type} without a reqId`);
    return msg as unknown as Reply;
  }
  return undefined;
}
