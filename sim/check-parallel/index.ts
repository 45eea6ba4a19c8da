/**
 * Public API of the parallel checker: a history's partitions checked on
 * worker threads (check-parallel.ts), and the task the worker module runs
 * (task.ts). Import from here.
 *
 * Models: threads and wall time around the deterministic checker
 * (sim/checker/linearizability), which it imports and never changes. Does
 * not model: the search itself.
 */
export type { CheckLimits, ParallelLinResult, ParallelStats, PoolChoice } from './check-parallel.ts';
export { CHECK_WORKER_EXPORT, ParallelChecker, checkOperationsParallel } from './check-parallel.ts';
export type { CheckTask, TaskResult } from './task.ts';
export { runCheckTask } from './task.ts';
export { COPY_COST, FIXED_COST_OPS, THREAD_COST, planBins, threadSaving, threadsCanPay, threadsPay } from './plan.ts';
