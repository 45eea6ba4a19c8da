/**
 * Raft core types: timing, roles, log entries and the hooks a replicated
 * state machine plugs in with.
 *
 * The core is generic over the command type `C` of the state machine it
 * replicates (a lock service, a ZooKeeper-style tree, a CAS register). A
 * `null` command is the no-op a new leader appends to commit its term.
 * Not modelled: membership changes, snapshots / log compaction.
 */
import type { RangeUs } from '../api/index.ts';
import type { Micros } from '../api/index.ts';

/** Timing of the protocol, all in µs of the node's monotonic clock. */
export interface RaftTiming {
  /** Followers wait a uniformly drawn time in this range without hearing a leader before campaigning. */
  readonly electionTimeoutUs: RangeUs;
  /** A leader sends AppendEntries (possibly empty) to every follower this often. */
  readonly heartbeatUs: Micros;
}

/** A node's role. `pre-candidate` runs the PreVote round before a real election. */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** One log entry. Entries are immutable once created (they are shared by reference in messages and on disk). */
export interface LogEntry<C> {
  readonly term: number;
  /** The state machine command, or null for a leader's no-op. */
  readonly cmd: C | null;
}

/** What the core tells the state machine and its server. */
export interface RaftHooks<C> {
  /**
   * Applies committed entry `index` (called exactly once per index per
   * process lifetime, in index order; no-ops included with `cmd === null`).
   * `asLeader` is true when this node is the leader of the current term as it applies.
   */
  apply(index: number, entry: LogEntry<C>, asLeader: boolean): void;
  /** Called after every role change (after the core emitted `elected` / `stepped-down`). */
  roleChanged?(role: Role, term: number): void;
}

/** Options for one Raft node. */
export interface RaftOptions<C> {
  /** Every member of the cluster, this node included (fixed membership). */
  readonly members: readonly string[];
  readonly timing: RaftTiming;
  readonly hooks: RaftHooks<C>;
  /** Disk key prefix, so several Raft groups could share one disk. Default `raft`. */
  readonly diskPrefix?: string;
  /** At most this many entries per AppendEntries message. Default 64. */
  readonly maxBatch?: number;
}
