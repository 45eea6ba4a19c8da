/**
 * The client contracts a design implements and the shared workload drives:
 * `LockClient` (acquire / release / abandon, for locks) and `SectionClient`
 * (one whole optimistic section, for lock-free designs such as `cas`), with
 * the records a section reports so the harness can stamp true times.
 */
import type { NodeHandlers } from './node.ts';

/** A granted lock as the client sees it. */
export interface Grant {
  /** Fencing token, when the design issues one. */
  readonly token?: number;
}

/**
 * The client half of a design, driven by the shared workload on a client node.
 * Exactly one `acquire` or `release` is outstanding at a time.
 */
export interface LockClient extends NodeHandlers {
  /**
   * Starts acquiring (retrying internally while the lock is busy). Calls `done`
   * once: with a grant, or with `null` when the design gave up for good.
   */
  acquire(done: (grant: Grant | null) => void): void;
  /**
   * The workload's acquireTimeout ran out: stop trying. A grant that arrives
   * later must be released by the design, not reported.
   */
  abandon(): void;
  /**
   * Releases the held lock: `done(true)` when the service confirmed it,
   * `done(false)` when the service said we no longer held it, `done(null)`
   * when the outcome is unknown (no reply).
   */
  release(done: (ok: boolean | null) => void): void;
  /** For `checkBeforeWrite`: is the lock still valid by this client's own clock? */
  stillValid(): boolean;
}

/** How a design tells its client the service said the lock is lost (a rejected renewal, a session expiry, Curator's LOST, …): never a timer that preempts the work. */
export type LostListener = (reason: string) => void;

/**
 * A service operation a section client is about to perform, in the terms of
 * the `cas-register` history: the register's version. `read` returns the
 * register; `cas` writes `value` if the version is still `from`, making it `to`.
 */
export type SectionCall =
  | { readonly f: 'read' }
  | { readonly f: 'cas'; readonly from: number; readonly to: number; readonly value: number };

/** What a service operation answered: a read's register, or whether a cas swapped (false: the version had moved on). */
export type SectionReturn =
  | { readonly f: 'read'; readonly value: number; readonly version: number }
  | { readonly f: 'cas'; readonly ok: boolean };

/** One operation of a section with its outcome; `result` null: no answer, so it may or may not have taken effect. */
export interface SectionOpRecord {
  readonly call: SectionCall;
  readonly result: SectionReturn | null;
}

/** How a section ended, as the section client reports it to the workload. */
export interface SectionOutcome {
  /** Every service operation the section performed, in order, with its outcome. */
  readonly ops: readonly SectionOpRecord[];
  /** Whether the section's write was acknowledged (its last op is a cas answered `ok: true`). */
  readonly written: boolean;
  /** Why the section ended without a write (retries exhausted, …), when it did. */
  readonly reason?: string;
}

/**
 * How a section client reports each operation as it happens, so the simulator
 * can stamp true call and return times for the history (the client only knows
 * its own clocks). Exactly one operation is open at a time.
 */
export interface SectionTracker {
  /** The client sends `call` now; returns the operation's index in the section (0, 1, …). */
  invoked(call: SectionCall): number;
  /** The client learned the outcome of operation `index` now. */
  returned(index: number, result: SectionReturn): void;
}

/**
 * The client half of a lock-free design (optimistic concurrency, e.g. `cas`):
 * instead of acquire/release it runs one whole section against its own
 * servers — read, `hold`, conditional write, retrying per its knobs — while
 * the shared section workload (sim/section-workload.ts) times and records it.
 * Exactly one section runs at a time.
 */
export interface SectionClient extends NodeHandlers {
  /**
   * Runs one section: reports every operation through `track`, calls `hold`
   * once with the first snapshot (the workload's hold time passes on this
   * node's clock, then `then` runs), and calls `done` once at the end.
   */
  runSection(hold: (then: () => void) => void, done: (outcome: SectionOutcome) => void, track: SectionTracker): void;
  /**
   * The workload's deadline ran out: stop now, report nothing more for this
   * section (an operation in flight stays of unknown outcome).
   */
  abandon(): void;
}
