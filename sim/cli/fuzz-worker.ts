/**
 * The fuzzer's worker entry: `runFuzzTask` runs one fuzz task (a batch of
 * runs, or one shrink) with the built-in design registry (only the CLI may
 * import algorithms/index.ts; sim/fuzz/search.ts does the work). main.ts
 * re-exports it, so the esbuild bundle serves as the worker module
 * (`fuzzWorkerUrl`); from source, fuzz-worker.boot.mjs loads this file.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DESIGNS } from '../../algorithms/index.ts';
import { runFuzzTask as runTask, type FuzzTask, type FuzzTaskResult } from '../fuzz/search.ts';
import { REPO_ROOT } from '../scenario/paths.ts';

/** Runs one fuzz task in this thread (the name is sim/fuzz's FUZZ_WORKER_EXPORT). */
export function runFuzzTask(task: FuzzTask): FuzzTaskResult {
  return runTask(task, DESIGNS);
}

/** Replaced by esbuild's `define` in the bundle (its own file URL); undefined when running from source (worker-url.ts). */
declare const __LOCKSIM_WORKER_MODULE__: string | undefined;

/** The fuzz worker module's file URL: the bundle itself, or the boot file that loads this one through tsx. */
export function fuzzWorkerUrl(): string {
  if (typeof __LOCKSIM_WORKER_MODULE__ === 'string') return __LOCKSIM_WORKER_MODULE__;
  return pathToFileURL(join(REPO_ROOT, 'sim', 'cli', 'fuzz-worker.boot.mjs')).href;
}
