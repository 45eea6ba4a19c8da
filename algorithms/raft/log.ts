/**
 * Raft's persistent state on the node's disk: the hard state (current term
 * and vote) and the log, mirrored in memory.
 *
 * The log is a disk list (`append` / `truncate`, O(1) per entry); the hard
 * state is one key written whole, so term and vote change together. Writes
 * are volatile until `sync()` (the disk's fsync); the core syncs before any
 * reply that promises durability (a vote, an append acknowledgement) and
 * before a leader counts its own entries toward a majority. On restart the
 * constructor reloads whatever the crash left. Indexes are 1-based; index 0
 * is the empty prefix with term 0. Not modelled: compaction, corruption.
 */
import type { Disk } from '../api/index.ts';
import type { LogEntry } from './types.ts';

/** The durable term and vote. */
export interface HardState {
  readonly term: number;
  readonly votedFor: string | null;
}

/** What others may read of a node's Raft state (tests, the state machine's server). */
export interface ReadonlyRaftLog<C> {
  readonly term: number;
  readonly votedFor: string | null;
  readonly lastIndex: number;
  readonly lastTerm: number;
  termAt(index: number): number | undefined;
  entry(index: number): LogEntry<C>;
  slice(from: number, max: number): LogEntry<C>[];
}

export class RaftLog<C> implements ReadonlyRaftLog<C> {
  private readonly disk: Disk;
  private readonly logKey: string;
  private readonly hardKey: string;
  /** entries[i] is log index i + 1. */
  private readonly entries: LogEntry<C>[];
  private hard: HardState;
  private readonly commitKey: string;
  private dirty = false;

  /** Loads the state a previous incarnation left on `disk` (empty on first boot). */
  constructor(disk: Disk, prefix: string) {
    this.disk = disk;
    this.logKey = `${prefix}.log`;
    this.hardKey = `${prefix}.hard`;
    this.commitKey = `${prefix}.commit`;
    this.entries = disk.list<LogEntry<C>>(this.logKey).slice();
    this.hard = disk.get<HardState>(this.hardKey) ?? { term: 0, votedFor: null };
    for (let i = 1; i < this.entries.length; i++) {
      if (this.entries[i].term < this.entries[i - 1].term) throw new Error(`raft log on disk has decreasing terms at index ${i + 1}`);
    }
    if (this.lastTerm > this.hard.term) throw new Error(`raft log on disk has term ${this.lastTerm} above the stored term ${this.hard.term}`);
  }

  /** The current term (durable once synced). */
  get term(): number {
    return this.hard.term;
  }

  /** Who this node voted for in the current term. */
  get votedFor(): string | null {
    return this.hard.votedFor;
  }

  /** Writes term and vote together. The term never goes backwards. */
  setHardState(term: number, votedFor: string | null): void {
    if (term < this.hard.term) throw new Error(`raft term would go backwards: ${this.hard.term} → ${term}`);
    if (term === this.hard.term && this.hard.votedFor !== null && votedFor !== this.hard.votedFor) {
      throw new Error(`raft would vote twice in term ${term}: ${this.hard.votedFor} then ${votedFor}`);
    }
    if (term === this.hard.term && votedFor === this.hard.votedFor) return;
    this.hard = { term, votedFor };
    this.disk.set(this.hardKey, this.hard);
    this.dirty = true;
  }

  /**
   * The commit index stored by a previous incarnation (clamped to the log),
   * a lower bound of the true one. Raft may keep it volatile; storing it lets
   * a restarted node rebuild its state machine before it hears a leader, so
   * it never mistakes old entries for ones it commits as a new leader.
   */
  storedCommit(): number {
    return Math.min(this.disk.get<number>(this.commitKey) ?? 0, this.entries.length);
  }

  /** Records the commit index (made durable by the next sync; losing it is harmless). */
  storeCommit(index: number): void {
    this.disk.set(this.commitKey, index);
    this.dirty = true;
  }

  /** Index of the last entry (0 when empty). */
  get lastIndex(): number {
    return this.entries.length;
  }

  /** Term of the last entry (0 when empty). */
  get lastTerm(): number {
    return this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1].term;
  }

  /** Term of entry `index`; 0 for index 0; undefined beyond the end. */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    if (index < 0 || index > this.entries.length) return undefined;
    return this.entries[index - 1].term;
  }

  /** Entry `index` (must exist). */
  entry(index: number): LogEntry<C> {
    if (index < 1 || index > this.entries.length) throw new Error(`raft log has no entry ${index} (last ${this.entries.length})`);
    return this.entries[index - 1];
  }

  /** Up to `max` entries starting at `from`. */
  slice(from: number, max: number): LogEntry<C>[] {
    return this.entries.slice(from - 1, from - 1 + max);
  }

  /** The first index of the run of entries with the same term as entry `index`. */
  firstIndexOfTerm(index: number): number {
    const term = this.termAt(index);
    let i = index;
    while (i > 1 && this.termAt(i - 1) === term) i--;
    return i;
  }

  /** Appends one entry at the end. */
  append(entry: LogEntry<C>): void {
    if (entry.term < this.lastTerm) throw new Error(`raft append of term ${entry.term} after term ${this.lastTerm}`);
    this.entries.push(entry);
    this.disk.append(this.logKey, entry);
    this.dirty = true;
  }

  /** Drops every entry after `index`. */
  truncateAfter(index: number): void {
    if (index >= this.entries.length) return;
    this.entries.length = index;
    this.disk.truncate(this.logKey, index);
    this.dirty = true;
  }

  /** Whether a log ending (lastTerm, lastIndex) is at least as up to date as ours (Raft §5.4.1). */
  isUpToDate(lastTerm: number, lastIndex: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }

  /** fsyncs if anything was written since the last sync. */
  sync(): void {
    if (!this.dirty) return;
    this.disk.fsync();
    this.dirty = false;
  }
}

/**
 * Digests already computed, by command object: replicas share the leader's
 * entry objects (messages are not copied), so each command is hashed once
 * per run instead of once per replica. Commands are never mutated.
 */
const digests = new WeakMap<object, string>();

/** A short stable digest of a command (FNV-1a over its JSON), for `committed` events. */
export function digestOf(cmd: unknown): string {
  if (typeof cmd !== 'object' || cmd === null) return fnv1a(cmd === null ? 'noop' : JSON.stringify(cmd));
  let digest = digests.get(cmd);
  if (digest === undefined) digests.set(cmd, (digest = fnv1a(JSON.stringify(cmd))));
  return digest;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
