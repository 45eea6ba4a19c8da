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
 */

import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
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
  return { file, label, format, model, ops, loadMs: performance.now() - start };
}

/**
 * Runs `check` over `files`; returns the exit code (0 linearizable or
 * unknown, 1 some history not linearizable, 2 bad input).
 */
export function runCheck(files: string[], flags: CheckFlags, out: CheckOut): number {
  let loaded: Loaded[];
  try {
    if (files.length === 0) throw new InputError(undefined, '<history-file>', 'give at least one history file to check');
    if (flags.format !== undefined) toFormat(flags.format);
    if (flags.model !== undefined) getModel(flags.model);
    if (files.filter((file) => file === STDIN).length > 1) throw new InputError(undefined, '<history-file>', 'stdin (-) is given more than once; it can be read once');
    loaded = files.map((file) => load(file, flags, out.stdin));
  } catch (error) {
    if (error instanceof InputError || error instanceof HistoryError) {
      out.stderr(`locksim check: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const limitMs = flags.timeLimitMs ?? CHECK_TIMEOUT_MS;
  const verdicts: FileVerdict[] = [];
  for (const item of loaded) {
    // The file's own clock: its reading and parsing count, the other files' do not.
    const start = performance.now() - item.loadMs;
    const result = checkOperations(item.ops, item.model, {
      now: () => performance.now(),
      deadline: () => performance.now() - start > limitMs,
      ...(flags.budgetSteps === undefined ? {} : { budgetSteps: flags.budgetSteps }),
      ...(flags.maxCacheEntries === undefined ? {} : { maxCacheEntries: flags.maxCacheEntries }),
    });
    const verdict: FileVerdict = {
      file: item.file,
      ok: result.ok,
      ...(result.ok === 'unknown' ? { reason: UNKNOWN_REASONS[result.unknownReason ?? 'steps'] } : {}),
      ops: result.ops,
      partitions: result.partitions,
      ms: Math.round(result.ms * 1000) / 1000,
    };
    if (result.counterexample !== undefined) verdict.counterexample = result.counterexample;
    verdicts.push(verdict);
    if (flags.json !== true) out.stdout(renderText(item, result, out.color, limitMs));
  }
  if (flags.json === true) out.stdout(`${JSON.stringify(verdicts.length === 1 ? verdicts[0] : verdicts, null, 2)}\n`);
  return verdicts.some((v) => v.ok === false) ? 1 : 0;
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
