/**
 * The result of running a scenario: SPEC §4's JSON, as types.
 * `run --json` prints a `RunResult`; reports read them back.
 */
import type { CheckName } from '../scenario/types.ts';

export interface Violation {
  /** True time (µs) the violation began. */
  readonly at: number;
  readonly nodes: readonly string[];
  readonly detail: string;
}

/** A check's verdict: ok true/false, "unknown" (budget ran out), or null (does not apply; `detail` says why). */
export interface CheckResult {
  readonly ok: boolean | null | 'unknown';
  readonly detail?: string;
  readonly violations?: readonly Violation[];
  /** Check-specific extras (e.g. the linearizability counterexample). */
  readonly [extra: string]: unknown;
}

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

/** What one fault did: proof that it took effect. */
export interface FaultReport {
  readonly index: number;
  readonly kind: string;
  /** True time it fired (µs), or null if it never fired. */
  readonly firedAt: number | null;
  /** Resolved node names it acted on. */
  readonly targets: readonly string[];
  /** Why it did nothing, when it did nothing. */
  readonly skipped?: string;
  /** Counters of its effect: events deferred by a pause, messages dropped, writes lost by a crash, … */
  readonly effect: Readonly<Record<string, number>>;
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
