/**
 * `linearizable` for a run: a service's recorded history (clients' operations
 * in true time, plus the service's own lease expiries as instantaneous
 * `expire` operations) checked against a sequential model with the
 * linearizability checker, under a step budget so a pathological history
 * answers "unknown" instead of hanging. Knows nothing of who recorded it.
 */
import { checkOperations, getModel, type Operation } from './linearizability/index.ts';
import type { CheckResult } from './types.ts';

/** Default search budget: generous for lock histories, bounded for the suite. */
export const LINEARIZABILITY_BUDGET_STEPS = 20_000_000;

export function checkServiceHistory(modelName: string, ops: Operation[], budgetSteps = LINEARIZABILITY_BUDGET_STEPS): CheckResult {
  const model = getModel(modelName);
  const result = checkOperations(ops, model, { budgetSteps });
  if (result.ok === true) return { ok: true, ops: result.ops, model: modelName };
  if (result.ok === 'unknown') return { ok: 'unknown', detail: 'the checker ran out of budget', ops: result.ops, model: modelName };
  const stuck = result.counterexample?.stuck.map((s) => s.described) ?? [];
  return {
    ok: false,
    detail: `the service history does not linearize against ${modelName}: ${stuck.slice(0, 3).join('; ')}`,
    violations: (result.counterexample?.stuck ?? []).slice(0, 10).map((s) => ({ at: s.op.call, nodes: [`p${s.op.process}`], detail: s.described })),
    ops: result.ops,
    model: modelName,
    counterexample: result.counterexample,
  };
}
