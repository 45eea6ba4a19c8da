/**
 * Asynchronous primary → replica replication, PSYNC style.
 *
 * Models: the primary's replication backlog (the last ops with their
 * offsets, under a replication id that changes whenever a node becomes
 * primary, the offset carrying on from where the promoted replica was, as
 * PSYNC2 keeps it), the replicas attached to it (a replica attaches with its
 * first REPLCONF ACK and detaches when it follows another primary), what it
 * last heard each acknowledge, and what to send a replica: the ops after its
 * acknowledged offset, or a full snapshot when the replica follows another
 * history or fell out of the backlog. The primary answers the client first
 * and ships ops `replicationDelay` later (see the server's flush timer), so
 * a crash in between loses the tail. Expiry deadlines
 * travel as Redis 7 sends PXAT (absolute wall time) for a wall expiry clock;
 * for a monotonic expiry clock they travel relative to the primary's clock
 * reading at send time (monotonic readings of two machines are not
 * comparable). Does not model: replica → replica chains, diskless sync,
 * PSYNC2's partial resync across a failover (replicas of a new primary
 * resync in full).
 */
import type { Micros } from '../../api/index.ts';
import type { LockEntry, Op, Snapshot } from './keyspace.ts';
import type { ExpiryClock } from './options.ts';
import type { ReplSnapshot, ReplStream } from './protocol.ts';

/** Ops kept for partial resynchronisation. */
export const BACKLOG_LIMIT = 1000;

/** The primary side: backlog and replica acknowledgements. */
export class ReplicationSource {
  /** This history's id (a fresh one each time a node becomes primary). */
  readonly replId: string;
  /** Offset of the last op produced. */
  offset: number;
  private backlog: Op[] = [];
  /** Offset of `backlog[0]`. */
  private backlogStart: number;
  private readonly acked = new Map<string, number>();
  /** The replicas streaming from this primary, in the order they attached. */
  private readonly attached = new Set<string>();

  /** `startOffset`: the offset the new primary had reached as a replica (0 for a fresh one). */
  constructor(replId: string, startOffset = 0) {
    if (!(Number.isInteger(startOffset) && startOffset >= 0)) throw new Error(`a replication offset is a whole number ≥ 0, got ${startOffset}`);
    this.replId = replId;
    this.offset = startOffset;
    this.backlogStart = startOffset + 1;
  }

  /** `replica` attached (REPLCONF ACK / PSYNC): it is streamed to from now on. */
  attach(replica: string): void {
    this.attached.add(replica);
  }

  /** `replica` left (it follows another primary): nothing more is sent to it. */
  detach(replica: string): void {
    this.attached.delete(replica);
    this.acked.delete(replica);
  }

  /** The attached replicas. */
  replicas(): readonly string[] {
    return [...this.attached];
  }

  /** Whether any replica is attached. */
  get hasReplicas(): boolean {
    return this.attached.size > 0;
  }

  /** Records a mutation for the replicas. */
  push(op: Op): void {
    this.backlog.push(op);
    this.offset++;
    if (this.backlog.length > BACKLOG_LIMIT) {
      this.backlog.shift();
      this.backlogStart++;
    }
    if (this.backlogStart + this.backlog.length - 1 !== this.offset) throw new Error('replication backlog lost track of its offsets');
  }

  /** A replica acknowledged `offset` of history `replId`. Returns false if it follows another history (it needs a snapshot). */
  ack(replica: string, replId: string, offset: number): boolean {
    if (replId !== this.replId) {
      this.acked.delete(replica);
      return false;
    }
    if (offset > this.offset) throw new Error(`${replica} acknowledged offset ${offset} beyond the primary's ${this.offset}`);
    this.acked.set(replica, Math.max(offset, this.acked.get(replica) ?? 0));
    return true;
  }

  /** The last offset `replica` acknowledged on this history, if any. */
  ackedBy(replica: string): number | undefined {
    return this.acked.get(replica);
  }

  /** What to send `replica` now: the unacknowledged ops, or a snapshot when partial sync is impossible. */
  messageFor(replica: string, clockUs: Micros, snapshot: () => Snapshot): ReplStream | ReplSnapshot {
    const acked = this.acked.get(replica);
    if (acked !== undefined && acked >= this.backlogStart - 1) {
      const ops = this.backlog.slice(acked + 1 - this.backlogStart);
      return { type: 'repl.stream', replId: this.replId, clockUs, fromOffset: acked + 1, toOffset: this.offset, ops };
    }
    return { type: 'repl.snapshot', replId: this.replId, clockUs, offset: this.offset, snapshot: snapshot() };
  }
}

/** Re-expresses an op's expiry deadline, read at primary clock `fromClockUs`, on a replica whose clock reads `toClockUs`. */
export function localiseOp(op: Op, clock: ExpiryClock, fromClockUs: Micros, toClockUs: Micros): Op {
  if (op.op !== 'set' || clock === 'wall') return op;
  return { ...op, deadlineUs: op.deadlineUs - fromClockUs + toClockUs };
}

/** `localiseOp` for a whole snapshot. */
export function localiseSnapshot(snapshot: Snapshot, clock: ExpiryClock, fromClockUs: Micros, toClockUs: Micros): Snapshot {
  if (clock === 'wall') return snapshot;
  const locks = snapshot.locks.map(([key, e]): readonly [string, LockEntry] => [key, { ...e, deadlineUs: e.deadlineUs - fromClockUs + toClockUs }]);
  return { locks, counters: snapshot.counters };
}
