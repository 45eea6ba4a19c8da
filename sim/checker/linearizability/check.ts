/**
 * `checkOperations`: validate, partition, search, and describe the verdict.
 *
 * Models: the whole check of one history against one model within a step,
 * time and memory budget. Does not model: parsing (parsers.ts) or reading
 * the clock (the caller injects `now` and `deadline`).
 */

import { HistoryError } from '../errors.ts';
import type { CheckOptions, LinResult, Operation } from './history.ts';
import type { Model } from './model.ts';
import { checkPartitions } from './partition.ts';
import { buildCounterexample } from './counterexample.ts';

/** Default step budget: roughly a minute of searching on a laptop. */
export const DEFAULT_BUDGET_STEPS = 200_000_000;
/** Default cap on memoised configurations. */
export const DEFAULT_MAX_CACHE_ENTRIES = 4_000_000;
/** Default cap on memoised bitset words (128 MiB). */
export const DEFAULT_MAX_CACHE_WORDS = 32 * 1024 * 1024;

/**
 * Throws HistoryError(undefined, `operation i`, …) for an operation whose
 * shape the model rejects or whose times are not integers with call ≤ return.
 * A history read from `file` (given) must hold at least one operation: a
 * verdict on nothing is not a verdict, and "linearizable, exit 0" for an
 * empty file or /dev/null hid a wrong path. Histories built in code (no
 * `file`) may be empty.
 */
export function validateOperations(ops: readonly Operation[], model: Model, file?: string, whereOf?: (i: number) => string): void {
  if (file !== undefined && ops.length === 0) {
    throw new HistoryError(file, undefined, `no operations; expected a history with at least one operation (is the file empty, or the wrong file?)`);
  }
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const where = whereOf === undefined ? `operation ${i}` : whereOf(i);
    if (!Number.isSafeInteger(op.call)) throw new HistoryError(file, where, `call must be an integer time, got ${String(op.call)}`);
    if (op.return !== null && (!Number.isSafeInteger(op.return) || op.return < op.call)) {
      throw new HistoryError(file, where, `return must be null or an integer time ≥ call (${op.call}), got ${String(op.return)}`);
    }
    if (!Number.isSafeInteger(op.process)) throw new HistoryError(file, where, `process must be an integer, got ${String(op.process)}`);
    const problem = model.validate?.(op);
    if (problem !== undefined) throw new HistoryError(file, where, problem);
  }
}

/**
 * Checks `ops` (in any order) for linearizability against `model`. Answers
 * 'unknown' when `budgetSteps` runs out, `deadline()` turns true, or the memo
 * exceeds its caps. Throws HistoryError for malformed operations.
 */
export function checkOperations(ops: Operation[], model: Model, options: CheckOptions = {}): LinResult {
  const start = options.now?.() ?? 0;
  validateOperations(ops, model);
  const budget = {
    steps: options.budgetSteps ?? DEFAULT_BUDGET_STEPS,
    deadline: options.deadline,
    memory: {
      entriesLeft: options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES,
      wordsLeft: options.maxCacheWords ?? DEFAULT_MAX_CACHE_WORDS,
    },
  };
  const outcome = checkPartitions(ops, model, budget);
  const ms = options.now === undefined ? 0 : options.now() - start;
  const base = { ops: ops.length, partitions: outcome.partitions, ms };
  switch (outcome.kind) {
    case 'ok':
      return { ok: true, ...base };
    case 'unknown':
      return { ok: 'unknown', ...base, unknownReason: outcome.reason };
    case 'illegal':
      return {
        ok: false,
        ...base,
        counterexample: buildCounterexample(model, outcome.partition, outcome.ops, outcome.longest, outcome.stuck, outcome.state),
      };
  }
}
