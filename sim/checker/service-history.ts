/**
 * `linearizable` for a run: the lock service's recorded history (clients'
 * acquire/release operations in true time, plus the service's own lease
 * expiries as instantaneous `expire` operations) checked against the
 * design's sequential model with the linearizability checker, under a step
 * budget so a pathological history answers "unknown" instead of hanging.
 */
import { checkOperations, getModel, type Operation } from './linearizability/index.ts';
import type { CheckResult } from '../result.ts';
import { SERVICE_PROCESS } from '../recorder.ts';
import { PROCESS_STRIDE } from '../workload.ts';

export interface ExpiryRecord {
  readonly atUs: number;
  readonly owner: string;
}

/** Default search budget: generous for lock histories, bounded for the suite. */
export const LINEARIZABILITY_BUDGET_STEPS = 20_000_000;

/**
 * Builds the operations to check. An `expire` names the client whose lease
 * ran out; it is attributed to that client's latest acquire (granted or of
 * unknown outcome) before the expiry, since a client's process number moves
 * on after an operation of unknown outcome.
 */
export function serviceOperations(ops: readonly Operation[], expiries: readonly ExpiryRecord[], processOfClient: (client: string) => number): Operation[] {
  const all: Operation[] = ops.map((op) => ({ ...op }));
  const acquiresByClient = new Map<number, Operation[]>();
  for (const op of all) {
    if (op.f !== 'acquire' || (op.return !== null && op.output === false)) continue;
    const client = op.process % PROCESS_STRIDE;
    let list = acquiresByClient.get(client);
    if (list === undefined) acquiresByClient.set(client, (list = []));
    list.push(op);
  }
  for (const expiry of expiries) {
    const base = processOfClient(expiry.owner);
    const candidates = acquiresByClient.get(base) ?? [];
    let owner = base;
    for (const op of candidates) if (op.call <= expiry.atUs) owner = op.process;
    all.push({ process: SERVICE_PROCESS, call: expiry.atUs, return: expiry.atUs, f: 'expire', input: { owner }, output: null });
  }
  return all;
}

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
