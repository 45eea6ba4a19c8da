/**
 * Runs the search over a model's partitions: independently, interleaved in
 * slices of steps (a deterministic stand-in for Porcupine's parallel
 * goroutines), the first partition found illegal ending the rest.
 *
 * Models: P-compositionality (a history is linearizable iff each partition
 * is), which holds for the `kv` model's per-key split; a shared step budget,
 * a polled deadline and a shared memo capacity. Does not model: choosing
 * partitions (the model's `partition` does that).
 */

import type { Operation, UnknownReason } from './history.ts';
import type { Model } from './model.ts';
import type { MemoryBudget } from './cache.ts';
import { PartitionSearch } from './search.ts';

/** The combined outcome over all partitions; indices refer to `ops` (the illegal partition's operations). */
export type PartitionedOutcome =
  | { kind: 'ok'; partitions: number }
  | { kind: 'illegal'; partitions: number; partition: number; ops: Operation[]; longest: number[]; stuck: number[]; state: unknown }
  | { kind: 'unknown'; partitions: number; reason: UnknownReason };

/** Budget of one check. */
export interface CheckBudget {
  /** Steps left over all partitions. */
  steps: number;
  /** Polled between slices; true stops the check with 'unknown'. */
  deadline?: () => boolean;
  /** Memo capacity shared by all partitions. */
  memory: MemoryBudget;
}

/** Steps a partition runs before the driver polls the deadline or moves on (doubles each round). */
const FIRST_SLICE = 2048;
/** Longest slice between two deadline polls. */
const MAX_SLICE = 65536;

/** Splits `ops` with the model's `partition` (dropping empty parts), or returns one part. */
export function partitionsOf(ops: Operation[], model: Model): Operation[][] {
  if (ops.length === 0) return [];
  if (model.partition === undefined) return [ops];
  return model.partition(ops).filter((part) => part.length > 0);
}

/**
 * Checks every partition, round-robin in growing slices, so an illegal
 * partition that is quick to refute is found before a slow one finishes. A
 * partition that runs out of memo memory makes the verdict 'unknown' unless
 * another is found illegal.
 */
export function checkPartitions(ops: Operation[], model: Model, budget: CheckBudget): PartitionedOutcome {
  const parts = partitionsOf(ops, model);
  const partitions = parts.length;
  let active = parts.map((part, index) => ({ index, search: new PartitionSearch(part, model, budget.memory) }));
  let unknown: UnknownReason | undefined;
  let slice = FIRST_SLICE;
  while (active.length > 0) {
    const still: typeof active = [];
    for (const item of active) {
      if (budget.steps <= 0) return { kind: 'unknown', partitions, reason: 'steps' };
      if (budget.deadline !== undefined && budget.deadline()) return { kind: 'unknown', partitions, reason: 'deadline' };
      const before = item.search.steps;
      const outcome = item.search.run(Math.min(slice, budget.steps));
      budget.steps -= item.search.steps - before;
      if (outcome === undefined) still.push(item);
      else if (outcome.kind === 'illegal') {
        const { longest, stuck, state } = outcome;
        return { kind: 'illegal', partitions, partition: item.index, ops: parts[item.index], longest, stuck, state };
      } else if (outcome.kind === 'unknown') unknown ??= outcome.reason;
    }
    active = still;
    if (slice < MAX_SLICE) slice *= 2;
  }
  return unknown === undefined ? { kind: 'ok', partitions } : { kind: 'unknown', partitions, reason: unknown };
}
