/**
 * Public API of the linearizability checker (Porcupine-style WGL search with
 * Lowe's memoisation). Import from here, not from the files behind it.
 *
 * Models: histories of operations with real-time intervals, checked against
 * pure sequential models. Does not model: reading files or clocks (the CLI
 * and the engine do that and inject `now` / `deadline`).
 */

export type { CheckOptions, Counterexample, DescribedOp, LinResult, Operation, UnknownReason } from './history.ts';
export { UNKNOWN, isUnknown } from './history.ts';
export type { Model } from './model.ts';
export { MODEL_NAMES, getModel } from './models/index.ts';
export { kvMapModel } from './models/kv.ts';
export type { LockState, LockModelOptions } from './models/lock.ts';
export { makeLockModel } from './models/lock.ts';
export type { HistoryFormat } from './parsers.ts';
export { FORMAT_NAMES, guessFormat, parseHistory, toFormat } from './parsers.ts';
export { lineOf } from './lines.ts';
export { DEFAULT_BUDGET_STEPS, DEFAULT_MAX_CACHE_ENTRIES, DEFAULT_MAX_CACHE_WORDS, checkOperations, validateOperations } from './check.ts';
export { formatCounterexample } from './counterexample.ts';
export { partitionsOf } from './partition.ts';
export type { TextStyle } from './counterexample.ts';
export { benchGenerated, benchPorcupineEtcd, generatedSet, type GeneratedBench } from './bench.ts';
export type { LockHistoryOptions } from './synth.ts';
export { SERVICE_PROCESS, generateLockHistory } from './synth.ts';
