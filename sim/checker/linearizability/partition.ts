/**
 * Runs the search over a model's partitions: independently, in the order the
 * model returns them, the first illegal partition ending the rest.
 *
 * Models: P-compositionality (a history is linearizable iff each partition
 * is), which holds for the `kv` model's per-key split. Does not model:
 * choosing partitions (the model's `partition` does that).
 */

import type { Operation, UnknownReason } from './history.ts';
import type { Model } from './model.ts';
import type { SearchBudget } from './search.ts';
import { searchPartition } from './search.ts';

/** The combined outcome over all partitions; indices refer to `parts[partition]`. */
export type PartitionedOutcome =
  | { kind: 'ok'; partitions: number }
  | { kind: 'illegal'; partitions: number; partition: number; ops: Operation[]; longest: number[]; stuck: number[]; state: unknown }
  | { kind: 'unknown'; partitions: number; reason: UnknownReason };

/** Splits `ops` with the model's `partition` (dropping empty parts), or returns one part. */
export function partitionsOf(ops: Operation[], model: Model): Operation[][] {
  if (ops.length === 0) return [];
  if (model.partition === undefined) return [ops];
  return model.partition(ops).filter((part) => part.length > 0);
}

/**
 * Checks every partition. An illegal partition stops the check; an unknown
 * one (budget or memory) is remembered and the rest are still checked, so a
 * later illegal partition still gives false.
 */
export function checkPartitions(ops: Operation[], model: Model, budget: SearchBudget): PartitionedOutcome {
  const parts = partitionsOf(ops, model);
  let unknown: UnknownReason | undefined;
  for (let i = 0; i < parts.length; i++) {
    if (budget.stepsLeft <= 0 || (budget.deadline !== undefined && budget.deadline())) {
      return { kind: 'unknown', partitions: parts.length, reason: budget.stepsLeft <= 0 ? 'steps' : 'deadline' };
    }
    const outcome = searchPartition(parts[i], model, budget);
    if (outcome.kind === 'illegal') {
      return { kind: 'illegal', partitions: parts.length, partition: i, ops: parts[i], longest: outcome.longest, stuck: outcome.stuck, state: outcome.state };
    }
    if (outcome.kind === 'unknown') {
      if (outcome.reason !== 'memory') return { kind: 'unknown', partitions: parts.length, reason: outcome.reason };
      unknown ??= outcome.reason;
    }
  }
  return unknown === undefined ? { kind: 'ok', partitions: parts.length } : { kind: 'unknown', partitions: parts.length, reason: unknown };
}
