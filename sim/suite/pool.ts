/**
 * Runs the suite's jobs: on worker threads through tinypool (a maintained
 * pool; no hand-written one) when more than one worker is asked for and a
 * worker module is given, else one after another in this thread. Either
 * way each job's outcome lands at its job's index, so the results come out
 * in job order whatever the number of workers or the order jobs finish in.
 *
 * The worker module is named by the caller (the CLI knows where the bundled
 * or source entry is: sim/cli/worker-url.ts); it must export
 * `runSuiteJob(job) → JobOutcome` (jobs.ts `runJob` with a registry). On the
 * first failed job the jobs not yet started are cancelled, and the failure
 * of the lowest-numbered failed job is thrown: an InputError for bad input,
 * otherwise an Error carrying the worker's stack (an internal error).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Tinypool from 'tinypool';
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import { InputError } from '../scenario/errors.ts';
import { runJob } from './jobs.ts';
import type { JobFailure, JobOutcome, SuiteJob } from './types.ts';

/** The export of the worker module that runs one job. */
export const WORKER_EXPORT = 'runSuiteJob';

/** A finished job: its RunResult JSON and how long it took (wall ms). */
export interface JobDone {
  readonly json: string;
  readonly ms: number;
}

/** How to run the jobs. */
export interface PoolOptions {
  /** Threads to use (capped at the number of jobs); 1: this thread. */
  readonly workers: number;
  /** The worker module (a file URL); without it everything runs in this thread. */
  readonly workerUrl?: string;
  /** The designs, for jobs run in this thread. */
  readonly registry: DesignRegistry;
  /** Called as each job finishes (progress). */
  readonly onJobDone?: (job: SuiteJob) => void;
}

/** Runs every job; resolves to their results in job order, or rejects with the first failure. */
export async function runJobs(jobs: readonly SuiteJob[], options: PoolOptions): Promise<JobDone[]> {
  const threads = Math.max(1, Math.min(options.workers, jobs.length));
  if (threads === 1 || options.workerUrl === undefined) return runHere(jobs, options);
  return runOnThreads(jobs, threads, options.workerUrl, options.onJobDone);
}

async function runHere(jobs: readonly SuiteJob[], options: PoolOptions): Promise<JobDone[]> {
  const done: JobDone[] = [];
  for (const job of jobs) {
    const outcome = runJob(job, options.registry);
    if (!outcome.ok) throw toError(outcome.error);
    done.push({ json: outcome.json, ms: outcome.ms });
    options.onJobDone?.(job);
    await yieldToLoop(); // let a progress bar draw
  }
  return done;
}

async function runOnThreads(jobs: readonly SuiteJob[], threads: number, workerUrl: string, onJobDone: PoolOptions['onJobDone']): Promise<JobDone[]> {
  const pool = new Tinypool({ filename: workerUrl, name: WORKER_EXPORT, minThreads: threads, maxThreads: threads });
  const done: Array<JobDone | undefined> = new Array(jobs.length);
  const failures = new Map<number, JobFailure>();
  try {
    await Promise.all(
      jobs.map(async (job) => {
        let outcome: JobOutcome;
        try {
          outcome = (await pool.run(job)) as JobOutcome;
        } catch (error) {
          // Cancelled after another job failed: that failure is the one reported.
          if (failures.size > 0) return;
          outcome = { ok: false, error: { kind: 'internal', message: `scenario ${job.scenario}, design ${job.design}: the worker failed: ${(error as Error).message}`, stack: (error as Error).stack } };
        }
        if (!outcome.ok) {
          failures.set(job.index, outcome.error);
          pool.cancelPendingTasks();
          return;
        }
        done[job.index] = { json: outcome.json, ms: outcome.ms };
        onJobDone?.(job);
      }),
    );
  } finally {
    await pool.destroy();
  }
  if (failures.size > 0) throw toError(failures.get(Math.min(...failures.keys()))!);
  return done.map((d, i) => {
    if (d === undefined) throw new Error(`job ${i} (${jobs[i].scenario} on ${jobs[i].design}) came back with no result`);
    return d;
  });
}

/** A job's failure as the error the CLI reports. */
function toError(failure: JobFailure): Error {
  if (failure.kind === 'input') return new InputError(undefined, undefined, failure.message);
  const error = new Error(failure.message);
  if (failure.stack !== undefined) error.stack = failure.stack.includes(failure.message) ? failure.stack : `${failure.message}\n${failure.stack}`;
  return error;
}
