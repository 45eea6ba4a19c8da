/**
 * History types shared by the linearizability checker: operations, the
 * UNKNOWN output sentinel, check options and results.
 *
 * Models: a history as a flat list of operations with closed real-time
 * intervals [call, return] (integer times, any unit); `return: null` means the
 * operation never returned. Does not model: per-operation ids, clocks other
 * than the one the times come from, or nested operations.
 */

/** One operation of a history. Times are integers in one unit for the whole history. */
export interface Operation {
  /** The client that issued it; a process runs one operation at a time. */
  process: number;
  /** Invocation time. */
  call: number;
  /** Completion time, or null if it never returned (it may or may not have taken effect). */
  return: number | null;
  /** Operation name, e.g. `read`, `cas`, `acquire`. */
  f: string;
  /** Key for models that partition by key. */
  key?: string;
  /** Argument; model-specific. */
  input: unknown;
  /** Result; model-specific; ignored when `return` is null. */
  output: unknown;
}

/**
 * The output of an operation whose result is not known (a timed-out read, or
 * an operation that never returned). Models treat it as "any legal result".
 * Serialises to JSON as `{"unknown": true}`, which the jsonl parser reads back
 * as UNKNOWN.
 */
export const UNKNOWN: Readonly<{ toJSON(): { unknown: true } }> = Object.freeze({
  toJSON(): { unknown: true } {
    return { unknown: true };
  },
});

/** True when `value` is the UNKNOWN sentinel. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** An operation with its human-readable description (from the model). */
export interface DescribedOp {
  op: Operation;
  described: string;
}

/** Why a history is not linearizable, for the first illegal partition. */
export interface Counterexample {
  /** Index of the illegal partition (0 when the model does not partition). */
  partition: number;
  /** The operations that could come next after the longest linearization, none of which could be linearized there. */
  stuck: DescribedOp[];
  /** The longest sequence of operations the search managed to linearize (in linearization order). */
  longestLinearization: DescribedOp[];
  /** The model state after the longest linearization. */
  stateAtStuck: string;
}

/** Why a check answered 'unknown'. */
export type UnknownReason = 'steps' | 'deadline' | 'memory';

/** The verdict of `checkOperations`. */
export interface LinResult {
  /** true: linearizable; false: not; 'unknown': the budget or memory cap ran out first. */
  ok: true | false | 'unknown';
  /** Number of operations checked. */
  ops: number;
  /** Number of partitions (1 when the model does not partition; 0 for an empty history). */
  partitions: number;
  /** Milliseconds spent checking, measured with `options.now` (0 without it). */
  ms: number;
  /** Present when ok is false. */
  counterexample?: Counterexample;
  /** Present when ok is 'unknown'. */
  unknownReason?: UnknownReason;
}

/** Options of `checkOperations`. */
export interface CheckOptions {
  /** Maximum search steps (one step = one attempt to linearize one operation), over all partitions. */
  budgetSteps?: number;
  /** Polled every few thousand steps; returning true stops the search with 'unknown'. */
  deadline?: () => boolean;
  /** A clock in milliseconds, used only to fill `ms`. */
  now?: () => number;
  /** Cap on memoised configurations (default 4,000,000); exceeding it answers 'unknown'. */
  maxCacheEntries?: number;
  /** Cap on 32-bit words of memoised bitsets (default 32 Mi words = 128 MiB); exceeding it answers 'unknown'. */
  maxCacheWords?: number;
}
