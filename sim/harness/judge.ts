/**
 * The judge: runs every check on a finished run's history and compares the
 * verdicts with the scenario's `expect`. It wires the harness's records to
 * the checker library (which knows nothing of who made them) and decides
 * which checks apply to the design: `mutualExclusion` is null for lock-free
 * designs, `fencing` for designs without tokens, and `resource` checks the
 * store (mutexes) or the register chain (lock-free designs); it is null for a
 * semaphore (permits > 1), whose holders share the one store register.
 * `liveness` is judged beside these (liveness.ts, run-design.ts): it is not
 * a safety check, so `safe` leaves it out — a design that stays safe by
 * never granting the lock again is safe, and fails liveness.
 */
import type { Design } from '../../algorithms/api/index.ts';
import { checkFencing } from '../checker/fencing.ts';
import { checkMutualExclusion } from '../checker/mutual-exclusion.ts';
import { checkRegisterChain, type AckedWrite } from '../checker/register-chain.ts';
import { checkResource } from '../checker/resource.ts';
import { checkServiceHistory } from '../checker/service-history.ts';
import type { Operation } from '../checker/linearizability/index.ts';
import type { FencingMode } from '../checker/types.ts';
import type { CheckName } from '../scenario/types.ts';
import type { Recorder } from './recorder.ts';
import type { CheckResult, ExpectOutcome } from './result.ts';

/** What the judge reads besides the recorder. */
export interface JudgeInput {
  readonly design: Design;
  readonly permits: number;
  readonly fencing: FencingMode;
  readonly endUs: number;
  readonly recorder: Recorder;
  /** Lock-free designs: the writes the service acknowledged. */
  readonly registerWrites: readonly AckedWrite[];
  /** The service history (client operations plus the service's expiries). */
  readonly serviceHistory: Operation[];
  readonly linearizabilityBudgetSteps?: number;
}

/** Every check that applies to the design, with its verdict. */
export function judge(input: JudgeInput): Partial<Record<CheckName, CheckResult>> {
  const { design, permits, recorder } = input;
  return {
    mutualExclusion: design.isLock
      ? checkMutualExclusion(recorder.beliefs, permits, input.endUs)
      : { ok: null, detail: 'design is not a lock (optimistic concurrency): there is nothing to exclude' },
    fencing: checkFencing(design.issuesTokens, recorder.grants, recorder.storeAccesses, input.fencing),
    resource:
      design.createSectionClient !== undefined
        ? checkRegisterChain(input.registerWrites)
        : permits > 1
          ? {
              ok: null,
              detail: `a semaphore of ${permits} permits admits ${permits} holders at once, and they share the one store register: their read-modify-write cycles interleave by design, so lost updates there say nothing about the lock`,
            }
          : checkResource(recorder.storeAccesses),
    linearizable: checkServiceHistory(historyModel(design, permits), input.serviceHistory, input.linearizabilityBudgetSteps),
  };
}

/** The model a design's service history is checked against (`lease-lock` becomes `lease-lock:N` for N permits). */
export function historyModel(design: Design, permits: number): string {
  return design.historyModel === 'lease-lock' && permits > 1 ? `lease-lock:${permits}` : design.historyModel;
}

/** `safe`: every safety check that applies is true (liveness is reported beside it, not in it). */
export function isSafe(checks: Partial<Record<CheckName, CheckResult>>): boolean {
  return Object.entries(checks).every(([name, c]) => name === 'liveness' || c === undefined || c.ok === null || c.ok === true);
}

/** Compares the verdicts with the scenario's `expect` for this design. */
export function compareExpect(expected: Readonly<Partial<Record<CheckName, boolean | null>>>, checks: Partial<Record<CheckName, CheckResult>>): ExpectOutcome {
  const mismatches: Array<{ check: string; expected: boolean | null; actual: boolean | null | 'unknown' }> = [];
  for (const [check, want] of Object.entries(expected) as Array<[CheckName, boolean | null]>) {
    const actual = checks[check]?.ok ?? null;
    if (actual !== want) mismatches.push({ check, expected: want, actual });
  }
  return { met: mismatches.length === 0, mismatches };
}
