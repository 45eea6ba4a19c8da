/**
 * The CLI's worker entry, one module for every pool (so the bundle is one
 * file): `runSuiteJob` runs one suite job (one scenario on one design) with
 * the built-in design registry (it lives in sim/cli because only the CLI
 * may import the registry, algorithms/index.ts; sim/suite/jobs.ts does the
 * work); `runCheckPartitions` checks one bin of a history's partitions for
 * `check --workers` (sim/check-parallel/task.ts does the work); `runFuzzTask`
 * runs one fuzz task, a batch of runs or one shrink (sim/fuzz/search.ts
 * does the work). main.ts re-exports them, so the esbuild bundle serves as
 * the worker module too (worker-url.ts); from source, worker.boot.mjs loads
 * this file.
 */
import { DESIGNS } from '../../algorithms/index.ts';
import { runJob } from '../suite/jobs.ts';
import type { JobOutcome, SuiteJob } from '../suite/types.ts';
import { runFuzzTask as runTask, type FuzzTask, type FuzzTaskResult } from '../fuzz/search.ts';

/** Runs one suite job in this thread; never throws (a failure is data). */
export function runSuiteJob(job: SuiteJob): JobOutcome {
  return runJob(job, DESIGNS);
}

/** Checks one bin of partitions (`check --workers`); the name is sim/check-parallel's CHECK_WORKER_EXPORT. */
export { runCheckTask as runCheckPartitions } from '../check-parallel/index.ts';

/** Runs one fuzz task in this thread (the name is sim/fuzz's FUZZ_WORKER_EXPORT). */
export function runFuzzTask(task: FuzzTask): FuzzTaskResult {
  return runTask(task, DESIGNS);
}
