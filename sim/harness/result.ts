/**
 * The result of running a scenario: SPEC §4's JSON, as types.
 * `run --json` prints a `RunResult`; reports read them back.
 *
 * A design the scenario's faults cannot apply to (applicability.ts) is in
 * `results` too, in its place, as a `DesignResult` with `skipped: "<why>"`:
 * it did not run, so `checks` is empty, `safe` is null, `traceHash` is ""
 * and `events`, `simulatedUs` and the counting metrics are 0; its
 * `expect` is met (a skip never fails a run). Readers tell it by `skipped`.
 */
import type { CheckResult } from '../checker/types.ts';
import type { FaultReport } from '../faults/types.ts';
import type { CheckName } from '../scenario/types.ts';

export type { CheckResult, Violation } from '../checker/types.ts';
export type { FaultReport } from '../faults/types.ts';

export type Checks = Readonly<Record<CheckName, CheckResult>> | Readonly<Partial<Record<CheckName, CheckResult>>>;

export interface Metrics {
  readonly sections: number;
  readonly acquireP50Ms: number | null;
  readonly acquireP99Ms: number | null;
  readonly failedAcquires: number;
  readonly messages: number;
  readonly unavailableMs: number;
  /** Design- and fault-specific counters (messages dropped by partitions, stale tokens rejected, elections, …). */
  readonly [extra: string]: number | null;
}

export interface ExpectOutcome {
  readonly met: boolean;
  readonly mismatches: ReadonlyArray<{ readonly check: string; readonly expected: boolean | null; readonly actual: boolean | null | 'unknown' }>;
}

export interface DesignResult {
  readonly design: string;
  /** Why the design did not run (a fault of the scenario cannot apply to it); absent when it ran. */
  readonly skipped?: string;
  /** "" when skipped. */
  readonly traceHash: string;
  readonly events: number;
  /** Every safety check that applies holds (liveness is not one); null when skipped (not judged). */
  readonly safe: boolean | null;
  readonly checks: Checks;
  readonly metrics: Metrics;
  readonly expect: ExpectOutcome;
  readonly faults: readonly FaultReport[];
  /** Simulated time covered (µs). */
  readonly simulatedUs: number;
  /**
   * What happened when, for reports (SPEC §8): present only when asked for
   * (`RunOptions.timeline`; `run --report`, `suite --report`, `suite --out`),
   * absent from plain `--json`. Never part of the trace hash.
   */
  readonly timeline?: Timeline;
}

/**
 * A run's timeline, in true time (µs), as the HTML report draws it: one lane
 * per node, the clients' belief intervals, the servers' grants and expiries,
 * the faults as bands, each node's clock offset while a clock fault acted,
 * the store's accepted and rejected accesses, and who led when. Everything
 * here is recorded, never re-derived by the report.
 */
export interface Timeline {
  /** The lanes in drawing order: servers, then clients, then the store. */
  readonly lanes: ReadonlyArray<{ readonly node: string; readonly role: 'server' | 'client' | 'store' }>;
  /** When the workload started (a warm service's first commit; 0 on a cold start): `at` times count from here. */
  readonly readyUs: number;
  /** The run's end (true µs). */
  readonly endUs: number;
  /** Each client's belief intervals (acquire-ok until release, crash or learning of loss); `endUs` null when still held at the end. */
  readonly holds: ReadonlyArray<{ readonly client: string; readonly startUs: number; readonly endUs: number | null; readonly token: number | null; readonly endReason: string | null }>;
  /**
   * Each acquire attempt that ended: called at `startUs`, ended at `endUs`, granted or not (for latency charts and the waiting marks on client lanes).
   * `end` (added with the recorder): how an attempt the service never answered ended — `"timeout"` (the workload's `acquireTimeout`; lock-free
   * designs: the section's deadline) or `"crashed"` (the client crashed while waiting); absent when it was answered. Attempts still waiting at the
   * run's end are left out. Lock-free designs: a section's wait for its first read (granted when it returned).
   */
  readonly acquires: ReadonlyArray<{ readonly client: string; readonly startUs: number; readonly endUs: number; readonly ok: boolean; readonly end?: 'timeout' | 'crashed' }>;
  /** Grants the servers reported, in true-time order. */
  readonly grants: ReadonlyArray<{ readonly atUs: number; readonly server: string; readonly client: string; readonly token: number | null }>;
  /**
   * Leases or sessions the servers expired (or released), in true-time order, each as its server reported it (a replicated
   * service may report one expiry from several servers). `released: true` (added): deleted on request — a release, or a
   * plain DEL of another client's lock — rather than expired. `token`: the ended grant's, from the report or else from the
   * grant of the same lease id (null when neither says).
   */
  readonly expiries: ReadonlyArray<{ readonly atUs: number; readonly server: string; readonly owner: string; readonly token: number | null; readonly released?: true }>;
  /** Each fault as a band: from when it fired to when its effect ended (null: not by the run's end); unfired faults, and faults that fired and did nothing (`skipped` in `faults`), are left out. */
  readonly faults: ReadonlyArray<{ readonly index: number; readonly kind: string; readonly targets: readonly string[]; readonly startUs: number; readonly endUs: number | null; readonly sides?: ReadonlyArray<readonly string[]> }>;
  /** Per node whose clock a fault moved: (true µs, wall clock − true time in µs) points, piecewise linear between them, from just before the first clock fault to the run's end (a jump: two points at one instant). */
  readonly clocks: ReadonlyArray<{ readonly node: string; readonly points: ReadonlyArray<readonly [atUs: number, offsetUs: number]> }>;
  /** The store's accesses: reads and writes, accepted or rejected (with why), with the token they carried. */
  readonly store: ReadonlyArray<{ readonly atUs: number; readonly client: string; readonly kind: 'read' | 'write'; readonly token: number | null; readonly accepted: boolean; readonly value: number; readonly reason?: string }>;
  /**
   * Leadership terms (designs with a leader): who led from when until when (null: still at the end), as the servers reported
   * them (`elected` until `stepped-down`, a crash or its next `elected`; terms of two servers may overlap). A single primary that
   * reports no election (lease quorum 1) leads the whole run. `term` (added): the design's term or epoch number, when reported.
   */
  readonly leaders: ReadonlyArray<{ readonly server: string; readonly fromUs: number; readonly toUs: number | null; readonly term?: number }>;
}

export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly results: readonly DesignResult[];
}
