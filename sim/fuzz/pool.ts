/**
 * Executors for a fuzz session (search.ts): this thread, or a tinypool of
 * worker threads loading a worker module that exports `runFuzzTask(task)`
 * with a registry bound (the CLI's sim/cli/worker.ts; the module URL
 * is the CLI's business, as for the suite). Threads only change where the
 * runs happen, never which runs happen or what they find.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Tinypool from 'tinypool';
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import { runFuzzTask, type Executor, type FuzzTask, type FuzzTaskResult } from './search.ts';

/** The export of the worker module that runs one task. */
export const FUZZ_WORKER_EXPORT = 'runFuzzTask';

export interface PooledExecutor {
  readonly execute: Executor;
  /** Stops the threads (call once the session is over, whatever happened). */
  close(): Promise<void>;
}

/** Runs tasks one after another in this thread (yielding between them, so progress can draw). */
export function localExecutor(registry: DesignRegistry): PooledExecutor {
  let chain: Promise<unknown> = Promise.resolve();
  const execute: Executor = (task) => {
    const run = chain.then(async () => {
      await yieldToLoop();
      return runFuzzTask(task, registry);
    });
    chain = run.catch(() => undefined);
    return run;
  };
  return { execute, close: async () => undefined };
}

/** `workers` threads (1: this thread) loading `workerUrl`. */
export function fuzzExecutor(registry: DesignRegistry, workers: number, workerUrl: string | undefined): PooledExecutor {
  if (workers <= 1 || workerUrl === undefined) return localExecutor(registry);
  const pool = new Tinypool({ filename: workerUrl, name: FUZZ_WORKER_EXPORT, minThreads: workers, maxThreads: workers });
  return {
    execute: async (task: FuzzTask) => (await pool.run(task)) as FuzzTaskResult,
    close: () => pool.destroy(),
  };
}
