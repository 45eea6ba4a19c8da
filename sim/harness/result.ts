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
}

export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly results: readonly DesignResult[];
}
