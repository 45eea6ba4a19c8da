/**
 * `linearizable` for a run: the lock service's recorded history (clients'
 * acquire/release operations in true time, plus the service's own lease
 * expiries as instantaneous `expire` operations) checked against the
 * design's sequential model with the linearizability checker, under a step
 * budget so a pathological history answers "unknown" instead of hanging.
 */
import { checkOperations, getModel, type Operation } from './linearizability/index.ts';
import type { CheckResult } from '../harness/result.ts';
import { SERVICE_PROCESS } from '../harness/recorder.ts';
import { PROCESS_STRIDE } from '../harness/client-loop.ts';

export interface ExpiryRecord {
  readonly atUs: number;
  readonly owner: string;
  /** The fencing token of the grant that ended, when the design reports it (`expired` detail `token`). */
  readonly token?: number;
  /** When the service came to hold the expired lease, when known from `lease` ids (see `LeaseTracker`). */
  readonly grantedAtUs?: number;
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
  const seenTokens = new Set<string>();
  for (const expiry of expiries) {
    if (expiry.token !== undefined) {
      // A grant (named by its token) ends once: a second report of it (a new leader re-applying the
      // entry its predecessor applied) is the same event.
      const key = `${expiry.owner}/${expiry.token}`;
      if (seenTokens.has(key)) continue;
      seenTokens.add(key);
    }
    const base = processOfClient(expiry.owner);
    const candidates = acquiresByClient.get(base % PROCESS_STRIDE) ?? []; // `base` may already have moved on by PROCESS_STRIDE
    let owner = base;
    for (const op of candidates) if (op.call <= expiry.atUs) owner = op.process;
    const grantedAtUs = expiry.grantedAtUs;
    if (grantedAtUs !== undefined) {
      // The lease names the grant that ended: the acquire in progress when the service granted it.
      const inProgress = candidates.filter((op) => op.call <= grantedAtUs && (op.return === null || op.return >= grantedAtUs)).pop();
      if (inProgress !== undefined) owner = inProgress.process;
    } else if (expiry.token !== undefined) {
      // The token names the grant that ended, which may be older than the client's latest acquire
      // (the service expires a session after the client already gave up on it and tried again):
      // the acquire that returned that token, else (the client never learned of the grant) its
      // latest acquire of unknown outcome before the expiry.
      const granted = candidates.find((op) => op.return !== null && tokenOf(op.output) === expiry.token);
      const unknown = candidates.filter((op) => op.return === null && op.call <= expiry.atUs).pop();
      if (granted !== undefined) owner = granted.process;
      else if (unknown !== undefined) owner = unknown.process;
    }
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

function tokenOf(output: unknown): number | undefined {
  if (typeof output !== 'object' || output === null || !('token' in output)) return undefined;
  const token = (output as { token: unknown }).token;
  return typeof token === 'number' ? token : undefined;
}
