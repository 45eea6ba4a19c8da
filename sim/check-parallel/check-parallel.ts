/**
 * `checkOperationsParallel` / `ParallelChecker`: the linearizability check
 * with a history's partitions (kv keys) searched on worker threads, the
 * first partition found illegal stopping the rest, as Porcupine does with
 * one goroutine per partition.
 *
 * On the main thread: validate, split into partitions (the model's split),
 * deal them to at most `workers` bins by op count (plan.ts), and decide
 * whether threads pay (plan.ts `threadsPay`: an estimate from measured
 * costs; two threads never do, measured). If not — one partition, `workers <= 1`, no worker module,
 * or a small history — it is the library's `checkOperations` in this
 * thread, nothing else. Otherwise each bin is one task on a tinypool pool
 * (the worker module's `runCheckPartitions`, task.ts), its operations sent
 * as transferred UTF-8 JSON (codec.ts). As results come back:
 *
 * - the first bin found illegal stops every other task: a flag in a
 *   SharedArrayBuffer, raised by that worker itself (and by the main thread
 *   as its result arrives), which every search polls between slices of
 *   steps, so the others give up within a slice and their threads stay
 *   alive for the next file. Its counterexample is the answer. With several
 *   illegal partitions the counterexample may come from any of them —
 *   whichever bin finds one first, not necessarily the partition the
 *   single-thread checker reports (it interleaves all partitions in one
 *   loop); the verdict is the same, false. With one illegal partition the
 *   counterexample is the same (a partition's search does not depend on
 *   the others).
 * - `timeoutMs` bounds the whole check: every task polls the same
 *   wall-clock deadline, and tinypool's AbortSignal terminates the thread of
 *   a task still running DEADLINE_GRACE_MS after it (a search between two
 *   polls, a thread still starting); the verdict is then 'unknown'
 *   (deadline) unless a bin already came back illegal.
 * - otherwise 'unknown' if any bin is unknown (the reason of the first such
 *   bin, in bin order; a worker that runs out of heap counts as the memory
 *   cap), else true.
 *
 * Budgets: each task gets the whole step budget and the whole memo caps
 * (CheckOptions' defaults unless given). The single-thread checker shares
 * them among all partitions, so a bin never has fewer steps or less memo
 * than its partitions had there: threads never run out of steps or memo
 * where one thread decides — but the memo memory can reach `threads` × the
 * cap at worst. (The deadline is another matter: threads may be slower.)
 *
 * `partitions` and `ops` are the whole history's; `ms` is wall time on the
 * main thread from the call to the verdict (validation, encoding, waiting
 * for threads and stopping them included). `parallel` says how it ran:
 * threads, tasks and their partitions, how many tasks finished and how many
 * were stopped before their verdict, each task's time in its thread.
 *
 * Models: P-compositionality (a history is linearizable iff each partition
 * is), as the checker's own partition.ts. Does not model: splitting one
 * partition across threads, or sharing one step budget between threads.
 */
import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import type { LinResult, Operation, UnknownReason } from '../checker/linearizability/index.ts';
import { checkOperations, getModel, validateOperations } from '../checker/linearizability/index.ts';
import { decodeValue, encodeOps } from './codec.ts';
import { partitionsOf, planBins, threadsCanPay, threadsPay, type Bin } from './plan.ts';
import { wallNow, type CheckTask, type TaskResult } from './task.ts';

/** The export of the worker module that runs one task (task.ts `runCheckTask`, re-exported under this name). */
export const CHECK_WORKER_EXPORT = 'runCheckPartitions';

/** Limits of one check. */
export interface CheckLimits {
  /** Wall time allowed, from the call (none: unbounded). */
  readonly timeoutMs?: number;
  /** Step budget (per task on threads; see the header). */
  readonly budgetSteps?: number;
  /** Memo entry cap (per task on threads). */
  readonly maxCacheEntries?: number;
  /** Memo word cap (per task on threads). */
  readonly maxCacheWords?: number;
  /** Use threads whenever there are two partitions or more, paying or not (tests). */
  readonly forceThreads?: boolean;
}

/** Where the work may go. */
export interface PoolChoice {
  /** Worker threads at most; 1 (or less): this thread. */
  readonly workers: number;
  /** The worker module (a file URL exporting `runCheckPartitions`); without it: this thread. */
  readonly workerUrl?: string;
  /** Cores the threads share, for the estimate of whether they pay (default: availableParallelism()). */
  readonly cores?: number;
}

/** How a check ran. */
export interface ParallelStats {
  /** Worker threads used (0: checked in this thread). */
  readonly threads: number;
  /** Tasks (bins of partitions) handed to the threads. */
  readonly tasks: number;
  /** Partitions in each task, task by task (biggest bin first). */
  readonly taskPartitions: readonly (readonly number[])[];
  /** Tasks that came back with a verdict. */
  readonly finished: number;
  /** Tasks stopped before their verdict: by another bin found illegal, or terminated past the time limit. */
  readonly cancelled: number;
  /** Partitions in the cancelled tasks. */
  readonly partitionsCancelled: number;
  /** Milliseconds each task took in its thread, decoding included (undefined: cancelled), task by task. */
  readonly taskMs: readonly (number | undefined)[];
}

/** The checker's result, plus how it ran. */
export type ParallelLinResult = LinResult & { readonly parallel: ParallelStats };

const IN_THIS_THREAD: ParallelStats = Object.freeze({ threads: 0, tasks: 0, taskPartitions: [], finished: 0, cancelled: 0, partitionsCancelled: 0, taskMs: [] });

/** Idle threads stay this long between the files of one `check` (the pool is destroyed at `close` anyway). */
const IDLE_MS = 60_000;

/**
 * How long past the deadline a task may take to notice it (the search polls
 * between slices of steps) before its thread is terminated.
 */
export const DEADLINE_GRACE_MS = 50;

/**
 * Checks histories on a pool of worker threads, started on the first check
 * that needs them (or by `start`) and kept until `close`, so several files
 * share the threads (and their warmed-up code).
 */
export class ParallelChecker {
  private pool: Tinypool | undefined;

  constructor(private readonly choice: PoolChoice) {}

  /** Whether this checker may use threads at all. */
  get threaded(): boolean {
    return this.choice.workers > 1 && this.choice.workerUrl !== undefined;
  }

  /** Whether threads can pay for some history, with this many threads on this many cores (plan.ts `threadsCanPay`). */
  get threadsCanPay(): boolean {
    return this.threaded && threadsCanPay(this.choice.workers, this.cores);
  }

  private get cores(): number {
    return this.choice.cores ?? availableParallelism();
  }

  /**
   * Starts every thread now, so they load the worker module while the caller
   * reads and parses a big history (the threads' start-up then costs no
   * wall time). Does nothing when this checker cannot use threads.
   */
  start(): void {
    if (this.threaded) this.poolFor(this.choice.workers);
  }

  /** Checks `ops` against the model named `modelName`; throws HistoryError for malformed operations, as `checkOperations` does. */
  async check(ops: Operation[], modelName: string, limits: CheckLimits = {}): Promise<ParallelLinResult> {
    const start = performance.now();
    const model = getModel(modelName);
    let bins: Bin[] | undefined;
    let parts: Operation[][] = [];
    if (model.partition !== undefined && (limits.forceThreads === true ? this.threaded : this.threadsCanPay)) {
      validateOperations(ops, model);
      parts = partitionsOf(ops, model);
      bins = planBins(parts.map((part) => part.length), this.choice.workers);
      if (!(limits.forceThreads === true ? bins.length >= 2 : threadsPay(bins, this.cores))) bins = undefined;
    }
    if (bins === undefined) {
      const result = checkOperations(ops, model, {
        ...(limits.timeoutMs === undefined ? {} : { deadline: () => performance.now() - start > (limits.timeoutMs as number) }),
        ...budgets(limits),
      });
      return { ...result, ms: performance.now() - start, parallel: IN_THIS_THREAD };
    }
    const outcome = await this.runBins(parts, bins, modelName, limits, start);
    return { ...outcome.result, ops: ops.length, partitions: parts.length, ms: performance.now() - start, parallel: outcome.stats };
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  private poolFor(threads: number): Tinypool {
    // Threads are started at once (minThreads) and kept: a task is stopped by its flag, not by
    // terminating its thread, so the threads (and the code they compiled) serve the next file.
    this.pool ??= new Tinypool({
      filename: this.choice.workerUrl as string,
      name: CHECK_WORKER_EXPORT,
      minThreads: Math.min(threads, this.choice.workers),
      maxThreads: this.choice.workers,
      idleTimeout: IDLE_MS,
    });
    return this.pool;
  }

  private async runBins(
    parts: Operation[][],
    bins: Bin[],
    modelName: string,
    limits: CheckLimits,
    start: number,
  ): Promise<{ result: Pick<LinResult, 'ok' | 'counterexample' | 'unknownReason'>; stats: ParallelStats }> {
    const pool = this.poolFor(bins.length);
    // Raised (by a worker or here) when a bin is found illegal: the other tasks stop within a slice.
    const stop = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    // Terminates the threads still running past the deadline (or after an internal error).
    const abort = new AbortController();
    const results: Array<TaskResult | undefined> = new Array(bins.length);
    const cancelled: boolean[] = new Array(bins.length).fill(false);
    let illegal: TaskResult | undefined;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let deadlineAt: number | undefined;
    if (limits.timeoutMs !== undefined) {
      const left = limits.timeoutMs - (performance.now() - start);
      deadlineAt = wallNow() + left;
      timer = setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, Math.max(0, left) + DEADLINE_GRACE_MS);
    }
    const runBin = async (bin: Bin, b: number): Promise<void> => {
      const ops = encodeOps(bin.partitions.flatMap((p) => parts[p]));
      const task: CheckTask = {
        model: modelName,
        ops,
        sizes: bin.partitions.map((p) => parts[p].length),
        partitions: bin.partitions,
        stop,
        ...(deadlineAt === undefined ? {} : { deadlineAt }),
        ...budgets(limits),
      };
      let text: string;
      try {
        text = (await pool.run(task, { signal: abort.signal, transferList: [ops.buffer as ArrayBuffer] })) as string;
      } catch (error) {
        if (abort.signal.aborted && (error as Error).name === 'AbortError') {
          cancelled[b] = true;
          return;
        }
        if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
          results[b] = { ok: 'unknown', unknownReason: 'memory', ms: 0 };
          return;
        }
        throw error;
      }
      const result = decodeValue<TaskResult>(text);
      if (result.stopped === true) {
        cancelled[b] = true;
        return;
      }
      results[b] = result;
      if (result.ok === false && illegal === undefined) {
        illegal = result;
        Atomics.store(stop, 0, 1);
      }
    };
    try {
      // Each bin is encoded just before it is queued, so the first threads start on theirs while later bins are encoded.
      await Promise.all(bins.map((bin, b) => runBin(bin, b)));
    } catch (error) {
      Atomics.store(stop, 0, 1);
      abort.abort();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const stats: ParallelStats = {
      threads: Math.min(this.choice.workers, bins.length),
      tasks: bins.length,
      taskPartitions: bins.map((bin) => bin.partitions),
      finished: results.filter((r) => r !== undefined).length,
      cancelled: cancelled.filter(Boolean).length,
      partitionsCancelled: bins.reduce((sum, bin, b) => sum + (cancelled[b] ? bin.partitions.length : 0), 0),
      taskMs: Array.from(results, (r) => r?.ms),
    };
    const found = illegal as TaskResult | undefined;
    if (found !== undefined) return { result: { ok: false, counterexample: found.counterexample }, stats };
    const unknown: UnknownReason | undefined = timedOut ? 'deadline' : results.find((r) => r?.ok === 'unknown')?.unknownReason;
    if (unknown !== undefined) return { result: { ok: 'unknown', unknownReason: unknown }, stats };
    return { result: { ok: true }, stats };
  }
}

/** The budgets of `limits` that are given, as CheckOptions / CheckTask fields. */
function budgets(limits: CheckLimits): Pick<CheckTask, 'budgetSteps' | 'maxCacheEntries' | 'maxCacheWords'> {
  return {
    ...(limits.budgetSteps === undefined ? {} : { budgetSteps: limits.budgetSteps }),
    ...(limits.maxCacheEntries === undefined ? {} : { maxCacheEntries: limits.maxCacheEntries }),
    ...(limits.maxCacheWords === undefined ? {} : { maxCacheWords: limits.maxCacheWords }),
  };
}

/**
 * Checks `ops` against the model named `modelName` on up to `workers`
 * threads (see the header), with a pool of its own, stopped before it
 * returns. For several histories, share one `ParallelChecker`.
 */
export async function checkOperationsParallel(ops: Operation[], modelName: string, options: PoolChoice & CheckLimits): Promise<ParallelLinResult> {
  const checker = new ParallelChecker(options);
  try {
    return await checker.check(ops, modelName, options);
  } finally {
    await checker.close();
  }
}
