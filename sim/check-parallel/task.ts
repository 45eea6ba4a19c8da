/**
 * The worker side of a parallel check: one task is one thread's bin of
 * partitions (plan.ts), checked with the library's own `checkOperations` on
 * their operations together, so within a bin the partitions are searched
 * round-robin exactly as the single-thread checker searches all of them
 * (a partition that is quick to refute is found before a slow one ends).
 *
 * The task's operations come as UTF-8 bytes (codec.ts: UNKNOWN cannot be
 * structured-cloned), the result goes back as text. A counterexample's
 * partition number is translated from the bin's own numbering back to the
 * history's. Stopping: the search polls, between slices of steps, a flag
 * shared by every task of one check (a SharedArrayBuffer) and the wall-clock
 * deadline (`performance.timeOrigin + performance.now()`, comparable across
 * threads). A task that finds its bin illegal raises the flag itself, so the
 * other threads stop within a slice without waiting for the main thread; a
 * task stopped by the flag says so (`stopped`).
 *
 * Models: one bin, its step budget and memo caps (each task gets the whole
 * of them: see check-parallel.ts). Does not model: choosing the bins, or the
 * hard cancel of a task past its deadline (the main thread's).
 */
import type { LinResult, Operation } from '../checker/linearizability/index.ts';
import { checkOperations, getModel } from '../checker/linearizability/index.ts';
import { decodeOps, encodeValue } from './codec.ts';
import { partitionsOf } from './plan.ts';

/** What the main thread sends: a bin of partitions of one history. */
export interface CheckTask {
  /** The model's name (getModel), e.g. `kv`. */
  readonly model: string;
  /** The bin's operations (codec.ts `encodeOps`), partition after partition. */
  readonly ops: Uint8Array;
  /** Operations per partition, in the order they come in `ops`. */
  readonly sizes: readonly number[];
  /** Each partition's number in the whole history. */
  readonly partitions: readonly number[];
  /** One Int32 shared by the check's tasks: non-zero means stop (another bin was found illegal). */
  readonly stop: Int32Array;
  /** Wall-clock instant (ms since the epoch, `wallNow()`) after which the search gives up. */
  readonly deadlineAt?: number;
  readonly budgetSteps?: number;
  readonly maxCacheEntries?: number;
  readonly maxCacheWords?: number;
}

/** A task's verdict (sent back as codec.ts `encodeValue` text). */
export type TaskResult = Pick<LinResult, 'ok' | 'counterexample' | 'unknownReason'> & {
  /** Milliseconds the task took in its thread (decoding included). */
  readonly ms: number;
  /** True when the search gave up because the stop flag was raised (not a verdict). */
  readonly stopped?: boolean;
};

/** Wall-clock milliseconds since the epoch, comparable between threads. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Checks one bin; returns its TaskResult as text. Throws only on a bug (the main thread validated the history). */
export function runCheckTask(task: CheckTask): string {
  const start = wallNow();
  const model = getModel(task.model);
  const ops = decodeOps(task.ops);
  const { deadlineAt, stop } = task;
  const result = checkOperations(ops, model, {
    deadline: () => Atomics.load(stop, 0) !== 0 || (deadlineAt !== undefined && wallNow() > deadlineAt),
    ...(task.budgetSteps === undefined ? {} : { budgetSteps: task.budgetSteps }),
    ...(task.maxCacheEntries === undefined ? {} : { maxCacheEntries: task.maxCacheEntries }),
    ...(task.maxCacheWords === undefined ? {} : { maxCacheWords: task.maxCacheWords }),
  });
  if (result.ok === false) Atomics.store(stop, 0, 1);
  const stopped = result.ok === 'unknown' && result.unknownReason === 'deadline' && Atomics.load(stop, 0) !== 0;
  let counterexample = result.counterexample;
  if (counterexample !== undefined) counterexample = { ...counterexample, partition: historyPartition(ops, task, counterexample.partition) };
  const out: TaskResult = {
    ok: result.ok,
    ...(counterexample === undefined ? {} : { counterexample }),
    ...(result.unknownReason === undefined ? {} : { unknownReason: result.unknownReason }),
    ms: wallNow() - start,
    ...(stopped ? { stopped } : {}),
  };
  return encodeValue(out);
}

/**
 * The history's number of the bin's `local`-th partition (as `checkOperations`
 * numbers the bin's partitions: the model's split of `ops`), found by its
 * first operation: the split is the same function of the same operations.
 */
function historyPartition(ops: Operation[], task: CheckTask, local: number): number {
  const owner = new Map<Operation, number>();
  let at = 0;
  task.sizes.forEach((size, j) => {
    for (let i = 0; i < size; i++) owner.set(ops[at + i], task.partitions[j]);
    at += size;
  });
  const first = partitionsOf(ops, getModel(task.model))[local]?.[0];
  const found = first === undefined ? undefined : owner.get(first);
  if (found === undefined) throw new Error(`check task: the illegal partition ${local} of a bin of partitions ${task.partitions.join(', ')} is not one of them`);
  return found;
}
