/**
 * `locksim check <history-file…> [--model M] [--format F] [--timeout 30s] [--json]`: checks
 * histories for linearizability (SPEC §5) and returns the exit code. A file
 * named `-` is the history read from stdin (given once; the caller reads it
 * and passes its text as `stdin`; its format is guessed from its content, so
 * a Jepsen etcd log on stdin is recognised without its `.log` name).
 *
 * Models: reading each file, guessing its format, picking the default model
 * (porcupine-etcd → cas-register, porcupine-kv → kv; jsonl needs --model),
 * checking under a time limit measured with `performance.now()` (allowed in
 * sim/cli only; the checker is handed `deadline` / `now` and reads no clock
 * itself) and printing one verdict per file. `--timeout` bounds each file
 * separately, from the start of reading it to the end of its check; a file
 * that runs out of time, out of steps or into the memo's memory cap gets the
 * verdict "unknown" with the reason (`timeout`, `step budget`, `memory cap`)
 * in the text and as `reason` beside `ok` in `--json`. Exit codes: 0 every
 * history linearizable or unknown (unknown is said, not a failure), 1 some
 * history not linearizable, 2 bad input (the InputError on stderr, nothing
 * on stdout). Does not model: the search itself (sim/checker/linearizability).
 *
 * `--workers N` (default: the machine's available parallelism; 1: this
 * thread): a big history's partitions (kv keys) are checked on up to N
 * worker threads, the first illegal partition stopping the rest, when
 * sim/check-parallel estimates that it pays (3+ threads with a core each
 * and tens of thousands of ops; never 2 — measured); otherwise, and for an
 * unpartitioned history, in this thread. The verdict is the same for every
 * N; with several illegal partitions the counterexample may name another
 * one. One pool of threads serves all the files of one call, started early
 * (while the files are read) when a file is big. `runCheck` is the
 * synchronous single-thread form (tests, `--workers 1`); `runCheckCommand`
 * is the command's.
 */

import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Chalk } from 'chalk';
import { ParallelChecker } from '../../check-parallel/index.ts';
import { HistoryError } from '../../checker/errors.ts';
import { InputError } from '../../scenario/errors.ts';
import { formatUs, parseDurationUs, US_PER_MS } from '../../../algorithms/api/index.ts';
import type { HistoryFormat, LinResult, Model, Operation, UnknownReason } from '../../checker/linearizability/index.ts';
import {
  MODEL_NAMES,
  checkOperations,
  formatCounterexample,
  getModel,
  guessFormat,
  lineOf,
  parseHistory,
  toFormat,
  validateOperations,
} from '../../checker/linearizability/index.ts';
import { workerUrl } from '../worker-url.ts';

/** Options of `runCheck` (the first three are the command's flags). */
export interface CheckFlags {
  model?: string;
  format?: string;
  json?: boolean;
  /** `--timeout`: stop a file's check after this many milliseconds with 'unknown' (default CHECK_TIMEOUT_MS). */
  timeLimitMs?: number;
  /** Step budget per history (default: the checker's). */
  budgetSteps?: number;
  /** Memo entries per history (default: the checker's). */
  maxCacheEntries?: number;
  /** `--workers`: threads for a big history's partitions (default: availableParallelism(); 1: this thread). `runCheckCommand` only. */
  workers?: number;
  /** The worker module (default: worker-url.ts `workerUrl()`). `runCheckCommand` only. */
  workerUrl?: string;
  /** Threads whenever a history has two partitions or more, paying or not (tests). `runCheckCommand` only. */
  forceThreads?: boolean;
}

/** Where `runCheck` writes. */
export interface CheckOut {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
  /** The text of stdin, for a file named `-` (undefined: stdin was not read, and `-` is refused). */
  stdin?: string;
}

/** The file name that means stdin. */
export const STDIN = '-';

/** Why a file's verdict is "unknown", as `--json` (`reason`) and the text name it. */
export type UnknownWhy = 'timeout' | 'step budget' | 'memory cap';

/** The checker's reason → the CLI's name for it. */
export const UNKNOWN_REASONS: Readonly<Record<UnknownReason, UnknownWhy>> = { deadline: 'timeout', steps: 'step budget', memory: 'memory cap' };

/** One file's result as `--json` prints it. */
export interface FileVerdict {
  file: string;
  ok: LinResult['ok'];
  /** Present when ok is "unknown". */
  reason?: UnknownWhy;
  ops: number;
  partitions: number;
  ms: number;
  counterexample?: LinResult['counterexample'];
}

/** Default `--timeout` per file (SPEC §2's `--timeout 30s`). */
export const CHECK_TIMEOUT_MS = 30_000;

/**
 * Parses `--timeout`: a duration with a unit ("30s", "500ms", "2m", "1.5s");
 * undefined unless it is above zero. A bare number is refused (seconds or
 * milliseconds? the unit says which).
 */
export function parseTimeoutMs(value: string): number | undefined {
  const us = parseDurationUs(value);
  if (us === undefined || !(us > 0) || !Number.isSafeInteger(us)) return undefined;
  return us / US_PER_MS;
}

/** `--timeout`'s value as people write it ("30s"). */
export function formatTimeout(ms: number): string {
  return formatUs(Math.round(ms * US_PER_MS));
}

const DEFAULT_MODEL: Record<HistoryFormat, string | undefined> = {
  jsonl: undefined,
  'porcupine-etcd': 'cas-register',
  'porcupine-kv': 'kv',
};

interface Loaded {
  /** As given (`-` for stdin). */
  file: string;
  /** As named in messages (`stdin` for `-`). */
  label: string;
  format: HistoryFormat;
  /** The model's name as given (getModel's argument: a worker thread builds the model from it). */
  modelName: string;
  model: Model;
  ops: Operation[];
  /** Milliseconds spent reading, parsing and validating it (counted against `--timeout`). */
  loadMs: number;
}

function load(file: string, flags: CheckFlags, stdin: string | undefined): Loaded {
  const start = performance.now();
  let text: string;
  if (file === STDIN) {
    if (stdin === undefined) throw new InputError(undefined, '<history-file>', 'cannot read a history from stdin here; expected a file name');
    text = stdin;
  } else {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new InputError(file, undefined, `cannot read the history file (${code}); expected a readable jsonl, porcupine-etcd or porcupine-kv file`);
    }
  }
  // stdin has no name to tell a Jepsen etcd log by: guess from the content alone.
  const format = flags.format === undefined ? guessFormat(file === STDIN ? 'stdin.log' : file, text) : toFormat(flags.format);
  const label = file === STDIN ? 'stdin' : file;
  const modelName = flags.model ?? DEFAULT_MODEL[format];
  if (modelName === undefined) {
    throw new InputError(undefined, '--model', `${label} is a jsonl history, which needs --model (one of ${MODEL_NAMES.join(', ')})`);
  }
  const model = getModel(modelName);
  const ops = parseHistory(text, format, label);
  validateOperations(ops, model, label, (i) => {
    const line = lineOf(ops[i]);
    return line === undefined ? `operation ${i}` : `line ${line}`;
  });
  return { file, label, format, modelName, model, ops, loadMs: performance.now() - start };
}

/** Reads every file; the loaded histories, or the exit code 2 after reporting bad input on stderr. */
function loadAll(files: string[], flags: CheckFlags, out: CheckOut): Loaded[] | number {
  try {
    if (files.length === 0) throw new InputError(undefined, '<history-file>', 'give at least one history file to check');
    if (flags.format !== undefined) toFormat(flags.format);
    if (flags.model !== undefined) getModel(flags.model);
    if (files.filter((file) => file === STDIN).length > 1) throw new InputError(undefined, '<history-file>', 'stdin (-) is given more than once; it can be read once');
    return files.map((file) => load(file, flags, out.stdin));
  } catch (error) {
    if (error instanceof InputError || error instanceof HistoryError) {
      out.stderr(`locksim check: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** The checker's budgets from the flags. */
function budgetsOf(flags: CheckFlags): { budgetSteps?: number; maxCacheEntries?: number } {
  return {
    ...(flags.budgetSteps === undefined ? {} : { budgetSteps: flags.budgetSteps }),
    ...(flags.maxCacheEntries === undefined ? {} : { maxCacheEntries: flags.maxCacheEntries }),
  };
}

/** Prints the verdicts (text as each comes, JSON at the end) and picks the exit code. */
class Verdicts {
  private readonly all: FileVerdict[] = [];

  constructor(
    private readonly flags: CheckFlags,
    private readonly out: CheckOut,
    private readonly limitMs: number,
  ) {}

  add(item: Loaded, result: LinResult): void {
    const verdict: FileVerdict = {
      file: item.file,
      ok: result.ok,
      ...(result.ok === 'unknown' ? { reason: UNKNOWN_REASONS[result.unknownReason ?? 'steps'] } : {}),
      ops: result.ops,
      partitions: result.partitions,
      ms: Math.round(result.ms * 1000) / 1000,
    };
    if (result.counterexample !== undefined) verdict.counterexample = result.counterexample;
    this.all.push(verdict);
    if (this.flags.json !== true) this.out.stdout(renderText(item, result, this.out.color, this.limitMs));
  }

  /** Prints the JSON (with --json); the exit code. */
  finish(): number {
    if (this.flags.json === true) this.out.stdout(`${JSON.stringify(this.all.length === 1 ? this.all[0] : this.all, null, 2)}\n`);
    return this.all.some((v) => v.ok === false) ? 1 : 0;
  }
}

/**
 * Runs `check` over `files` in this thread; returns the exit code (0
 * linearizable or unknown, 1 some history not linearizable, 2 bad input).
 * Ignores `workers` (see `runCheckCommand`).
 */
export function runCheck(files: string[], flags: CheckFlags, out: CheckOut): number {
  const loaded = loadAll(files, flags, out);
  if (typeof loaded === 'number') return loaded;
  const limitMs = flags.timeLimitMs ?? CHECK_TIMEOUT_MS;
  const verdicts = new Verdicts(flags, out, limitMs);
  for (const item of loaded) {
    // The file's own clock: its reading and parsing count, the other files' do not.
    const start = performance.now() - item.loadMs;
    const result = checkOperations(item.ops, item.model, {
      now: () => performance.now(),
      deadline: () => performance.now() - start > limitMs,
      ...budgetsOf(flags),
    });
    verdicts.add(item, result);
  }
  return verdicts.finish();
}

/**
 * The `check` command: as `runCheck`, with a big history's partitions on up
 * to `flags.workers` threads (default: availableParallelism()) where that
 * pays; exactly `runCheck` when it never can (1 or 2 threads, or 2 cores).
 * The same exit codes and output for any number of workers (only `ms`
 * differs, and possibly which illegal partition a counterexample names).
 */
export async function runCheckCommand(files: string[], flags: CheckFlags, out: CheckOut): Promise<number> {
  const workers = flags.workers ?? availableParallelism();
  const checker = new ParallelChecker({ workers, workerUrl: flags.workerUrl ?? workerUrl() });
  // Threads that can never pay (one, or two: see check-parallel/plan.ts): exactly the single-thread command.
  if (!(flags.forceThreads === true ? checker.threaded : checker.threadsCanPay)) return runCheck(files, flags, out);
  try {
    // A file big enough to be checked on threads: start them now, to load while it is read and parsed.
    if (checker.threadsCanPay && mayPartition(flags.model) && files.some((file) => file !== STDIN && sizeOf(file) >= PRESTART_BYTES)) checker.start();
    const loaded = loadAll(files, flags, out);
    if (typeof loaded === 'number') return loaded;
    const limitMs = flags.timeLimitMs ?? CHECK_TIMEOUT_MS;
    const verdicts = new Verdicts(flags, out, limitMs);
    for (const item of loaded) {
      // The file's own clock: its reading and parsing count (as in runCheck).
      const result = await checker.check(item.ops, item.modelName, {
        timeoutMs: limitMs - item.loadMs,
        ...budgetsOf(flags),
        ...(flags.forceThreads === true ? { forceThreads: true } : {}),
      });
      verdicts.add(item, result);
    }
    return verdicts.finish();
  } finally {
    await checker.close();
  }
}

/**
 * Files at least this big start `--workers` threads before they are read.
 * A kv history takes ~110 bytes an op in jsonl, so this is ~38,000 ops,
 * about where 8 threads start to pay (check-parallel/plan.ts); threads
 * started for a history that turns out not to need them cost their start-up,
 * on the other cores.
 */
const PRESTART_BYTES = 4 * 1024 * 1024;

/** Whether the model named by --model may split a history into partitions (without --model: the format's default may, e.g. kv). */
function mayPartition(model: string | undefined): boolean {
  if (model === undefined) return true;
  try {
    return getModel(model).partition !== undefined;
  } catch {
    return false; // a bad --model: loading reports it
  }
}

/** A file's size in bytes (0 when it cannot be read: loading reports that). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function renderText(item: Loaded, result: LinResult, color: boolean, limitMs: number): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const facts = `${result.ops} ops, ${result.partitions} partition${result.partitions === 1 ? '' : 's'}, model ${item.model.name}, ${result.ms.toFixed(1)} ms`;
  if (result.ok === true) return `${c.green('✓')} ${item.label}: linearizable ${c.dim(`(${facts})`)}\n`;
  if (result.ok === 'unknown') {
    const reason = UNKNOWN_REASONS[result.unknownReason ?? 'steps'];
    const why = {
      timeout: `no verdict within --timeout ${formatTimeout(limitMs)}`,
      'step budget': 'the step budget ran out before a verdict',
      'memory cap': 'the memo reached its memory cap before a verdict',
    }[reason];
    return `${c.yellow('?')} ${item.label}: unknown (${reason}) — ${why} (not a failure) ${c.dim(`(${facts})`)}\n`;
  }
  const lines = [`${c.red('✗')} ${item.label}: ${c.red.bold('NOT linearizable')} ${c.dim(`(${facts})`)}`];
  if (result.counterexample !== undefined) {
    lines.push(formatCounterexample(result.counterexample, { bad: (s) => c.red(s), dim: (s) => c.dim(s), bold: (s) => c.bold(s) }, '    '));
  }
  return `${lines.join('\n')}\n`;
}
