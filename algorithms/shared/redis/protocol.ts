/**
 * The messages of the Redis model: client commands and their replies, the
 * primary ↔ replica replication stream, and Sentinel's conversations (with
 * the servers it monitors, with the other Sentinels, with clients).
 *
 * Models: the two scripts a lock client runs (acquire: SET NX PX plus an
 * optional INCR; release: compare-and-delete or DEL) and the `-READONLY`
 * error a replica gives instead (it names no primary: clients find the
 * primary through Sentinel or their configured list); PSYNC-style
 * replication (a replica attaches to its primary with REPLCONF ACK carrying
 * its history id and offset; the primary streams the ops after it, or a full
 * snapshot when the histories differ); Sentinel's PING/INFO of every server,
 * `REPLICAOF` (`NO ONE` promotes), `SENTINEL is-master-down-by-addr` (the
 * down opinion and the leader vote in one), the hello that spreads a new
 * configuration, and `SENTINEL get-master-addr-by-name` for clients. Every
 * client request carries a random `reqId` so duplicates and late replies can
 * be recognised. Does not model: RESP framing, pipelining, pub/sub (hellos go
 * straight from Sentinel to Sentinel instead of through the servers'
 * `__sentinel__:hello` channel).
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

/** A replica's refusal of a write: `-READONLY You can't write against a read only replica.` It names no primary. */
export type ReadonlyReply = { readonly type: 'redis.readonly'; readonly reqId: string };

/** A client asks a Sentinel where the primary is (`SENTINEL get-master-addr-by-name`). */
export type GetMasterCmd = { readonly type: 'sentinel.get-master'; readonly reqId: string };

/**
 * A Sentinel's answer: the primary in its configuration (the promoted replica
 * once its failover reached reconfiguration), and whether it believes that
 * server down (SDOWN or ODOWN; a client such as redis-py then asks the next
 * Sentinel).
 */
export type MasterReply = { readonly type: 'sentinel.master'; readonly reqId: string; readonly primary: string; readonly down: boolean };

export type Command = AcquireCmd | UnlockCmd;
export type Reply = AcquireReply | UnlockReply | ReadonlyReply | MasterReply;

/** Ops `fromOffset..toOffset` of replication history `replId`. `clockUs`: the primary's expiry clock when sent. */
export type ReplStream = {
  readonly type: 'repl.stream';
  readonly replId: string;
  readonly clockUs: Micros;
  readonly fromOffset: number;
  readonly toOffset: number;
  readonly ops: readonly Op[];
};

/** The primary's whole dataset at `offset` of history `replId` (full resynchronisation). */
export type ReplSnapshot = {
  readonly type: 'repl.snapshot';
  readonly replId: string;
  readonly clockUs: Micros;
  readonly offset: number;
  readonly snapshot: Snapshot;
};

/** A replica's REPLCONF ACK (also its PSYNC when it attaches): the history and offset it has applied. */
export type ReplAck = { readonly type: 'repl.ack'; readonly replId: string; readonly offset: number };

/** "I do not replicate from you" (a replica that follows another primary, or a primary): the sender stops streaming to it. */
export type ReplDetach = { readonly type: 'repl.detach' };

/** Sentinel → server: PING, answered with INFO (folded into one round trip). */
export type SentinelPing = { readonly type: 'sentinel.ping'; readonly seq: number };

/** A server's INFO as Sentinel reads it. */
export type ServerInfo = {
  readonly type: 'sentinel.info';
  readonly seq: number;
  /** Random per process start (`run_id`): the last tie-breaker when promoting. */
  readonly runId: string;
  readonly role: 'primary' | 'replica';
  /** The primary a replica follows (`master_host`); null on a primary. */
  readonly primary: string | null;
  /** `master_repl_offset` on a primary, `slave_repl_offset` on a replica. */
  readonly offset: number;
  /** `replica-priority`: lower is preferred, 0 never promoted. */
  readonly priority: number;
  /** How long a replica's link to its primary has been down (`master_link_down_since_seconds`); 0 while up or on a primary. */
  readonly linkDownUs: Micros;
};

/** Sentinel → server: `REPLICAOF primary`, or `REPLICAOF NO ONE` (primary null) at failover `epoch`. */
export type ReplicaOfCmd = { readonly type: 'sentinel.replicaof'; readonly primary: string | null; readonly epoch: number };

/**
 * Sentinel → Sentinel: `SENTINEL is-master-down-by-addr`: is `primary` down
 * in your view? With `runId` other than `*`, also a vote request for `runId`
 * as failover leader at `currentEpoch`.
 */
export type IsMasterDownCmd = { readonly type: 'sentinel.is-master-down'; readonly primary: string; readonly currentEpoch: number; readonly runId: string };

/** The answer: the responder's own SDOWN opinion, and the leader it voted for (null: none) at `leaderEpoch`. */
export type IsMasterDownReply = {
  readonly type: 'sentinel.is-master-down-reply';
  readonly primary: string;
  readonly down: boolean;
  readonly leader: string | null;
  readonly leaderEpoch: number;
};

/** Sentinel → Sentinel, every 2 s: the primary in the sender's configuration and that configuration's epoch. */
export type SentinelHello = { readonly type: 'sentinel.hello'; readonly primary: string; readonly configEpoch: number; readonly currentEpoch: number };

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
  if (msg.type === 'redis.acquired' || msg.type === 'redis.unlocked' || msg.type === 'redis.readonly' || msg.type === 'sentinel.master') {
    if (typeof msg.reqId !== 'string') throw new Error(`${msg.type} without a reqId`);
    return msg as unknown as Reply;
  }
  return undefined;
}
