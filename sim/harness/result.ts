/**
 * The result of running a scenario: SPEC §4's JSON, as types.
 * `run --json` prints a `RunResult`; reports read them back.
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
  readonly traceHash: string;
  readonly events: number;
  readonly safe: boolean;
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
