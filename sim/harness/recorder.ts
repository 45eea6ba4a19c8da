/**
 * The history of a run, in true time, as the checkers need it.
 *
 * - beliefs: when each client believed it held the lock (acquire-ok until
 *   release, crash or learning of loss) — for `mutualExclusion`;
 * - grants: tokens servers handed out, in true-time order — for `fencing`;
 * - store accesses: reads and writes at the protected store, accepted or
 *   rejected by token — for `fencing` and `resource`;
 * - service operations: each client's acquire/release calls and returns,
 *   with the client that made them — for `linearizable` (service-history.ts
 *   adds the service's own expiries, each pinned on the grant it ended, and
 *   an operation of its own for each expired grant no call returned);
 * - when each client completed each section (its write acknowledged; the
 *   release goes out at that same instant) and when the service granted
 *   that section's lock (the latest `granted` a server reported for the
 *   client by its acquire-ok; lock-free designs: when the read the section's
 *   write was based on was called) — for `liveness`;
 * - the numbers behind the metrics;
 * - only when asked (`new Recorder({ timeline: true })`, for the run's
 *   timeline, timeline.ts): each acquire attempt's call and end. Off, the
 *   hook is one null check and allocates nothing.
 * Recording is append-only; nothing here judges.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import type { Operation } from '../checker/linearizability/index.ts';
import type { GrantRecord, StoreAccess } from '../checker/types.ts';

/** A belief interval while it may still be open (the checker reads it as a `Belief`). */
export interface OpenBelief {
  readonly client: string;
  readonly startUs: Micros;
  endUs: Micros | null;
  readonly token: number | undefined;
  endReason: string | null;
}

/** A section a client completed: when the service granted its lock (lock-free: when the read its write was based on was called) and when its write was acknowledged. */
export interface CompletedSection {
  readonly grantedUs: Micros;
  readonly completedUs: Micros;
}

/** A service operation with the client that performed it (process numbers change; the client does not). */
export interface RecordedOp {
  readonly client: string;
  readonly op: Operation;
}

/** An acquire attempt that ended: answered (granted or refused), given up at the workload's `acquireTimeout`, or cut off by the client's crash. */
export interface AcquireRecord {
  readonly client: string;
  readonly startUs: Micros;
  readonly endUs: Micros;
  readonly ok: boolean;
  /** How an attempt that got no answer ended; absent when the service answered. */
  readonly end?: 'timeout' | 'crashed';
}

export class Recorder {
  readonly beliefs: OpenBelief[] = [];
  private readonly open = new Map<string, OpenBelief>();
  readonly grants: GrantRecord[] = [];
  readonly storeAccesses: StoreAccess[] = [];
  readonly serviceOps: RecordedOp[] = [];
  readonly acquireLatenciesUs: number[] = [];
  failedAcquires = 0;
  sections = 0;
  /** By client: its completed sections in completion order (across crashes and restarts). */
  readonly completed = new Map<string, CompletedSection[]>();
  /** Unavailability: time with someone waiting to acquire and nobody holding. */
  private waiting = 0;
  private unavailableSinceUs: Micros | null = null;
  unavailableUs = 0;
  /** Acquire attempts in the order they ended; null unless recorded (`timeline`). */
  readonly acquires: AcquireRecord[] | null;

  constructor(options: { readonly timeline?: boolean } = {}) {
    this.acquires = options.timeline === true ? [] : null;
  }

  /** An acquire attempt called at `startUs` ended at `endUs` (kept only when recording a timeline). */
  acquireEnded(client: string, startUs: Micros, endUs: Micros, ok: boolean, end?: 'timeout' | 'crashed'): void {
    if (this.acquires === null) return;
    this.acquires.push(end === undefined ? { client, startUs, endUs, ok } : { client, startUs, endUs, ok, end });
  }

  /** When a server last reported a grant to `client` (true time), or null if none has. */
  lastGrantTo(client: string): Micros | null {
    for (let i = this.grants.length - 1; i >= 0; i--) if (this.grants[i].client === client) return this.grants[i].atUs;
    return null;
  }

  /** A client completed a section at `atUs` (its write was acknowledged) under a lock granted at `grantedUs`. */
  sectionCompleted(client: string, grantedUs: Micros, atUs: Micros): void {
    this.sections++;
    let list = this.completed.get(client);
    if (list === undefined) this.completed.set(client, (list = []));
    list.push({ grantedUs, completedUs: atUs });
  }

  /** Records a service operation `client` just called (its `return` and `output` are filled in when it returns). */
  recordOp(client: string, op: Operation): void {
    this.serviceOps.push({ client, op });
  }

  /** Clients believing they hold the lock now, in the order they came to believe it. */
  holders(): string[] {
    return [...this.open.keys()];
  }

  beginBelief(client: string, atUs: Micros, token: number | undefined): void {
    if (this.open.has(client)) throw new Error(`${client} began holding twice`);
    const belief: OpenBelief = { client, startUs: atUs, endUs: null, token, endReason: null };
    this.beliefs.push(belief);
    this.open.set(client, belief);
    this.updateAvailability(atUs);
  }

  /** Ends the client's belief, if it has one; returns whether it had. */
  endBelief(client: string, atUs: Micros, reason: string): boolean {
    const belief = this.open.get(client);
    if (belief === undefined) return false;
    belief.endUs = atUs;
    belief.endReason = reason;
    this.open.delete(client);
    this.updateAvailability(atUs);
    return true;
  }

  startWaiting(atUs: Micros): void {
    this.waiting++;
    this.updateAvailability(atUs);
  }

  stopWaiting(atUs: Micros): void {
    this.waiting--;
    if (this.waiting < 0) throw new Error('waiting count went negative');
    this.updateAvailability(atUs);
  }

  private updateAvailability(atUs: Micros): void {
    const unavailable = this.waiting > 0 && this.open.size === 0;
    if (unavailable && this.unavailableSinceUs === null) this.unavailableSinceUs = atUs;
    if (!unavailable && this.unavailableSinceUs !== null) {
      this.unavailableUs += atUs - this.unavailableSinceUs;
      this.unavailableSinceUs = null;
    }
  }

  /** Closes open intervals at the end of the run. */
  finish(endUs: Micros): void {
    if (this.unavailableSinceUs !== null) {
      this.unavailableUs += endUs - this.unavailableSinceUs;
      this.unavailableSinceUs = endUs;
    }
  }
}
