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
 * - the numbers behind the metrics.
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

/** A service operation with the client that performed it (process numbers change; the client does not). */
export interface RecordedOp {
  readonly client: string;
  readonly op: Operation;
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
  /** Unavailability: time with someone waiting to acquire and nobody holding. */
  private waiting = 0;
  private unavailableSinceUs: Micros | null = null;
  unavailableUs = 0;

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
