/**
 * Parser for the native `jsonl` history format (SPEC §5): one operation
 * object a line, lines in any order.
 *
 * Models: {"process", "call", "return", "f", "key"?, "input", "output"} with
 * integer times and `"return": null` for operations that never returned;
 * missing `input`/`output` read as null; an output of exactly
 * {"unknown": true} reads as UNKNOWN. Checks that each process runs one
 * operation at a time. Refuses values nested deeper than `MAX_NESTING`
 * (models compare and print values recursively; a 5,000-deep list crashed
 * the error message that reported it), and prints bad values bounded in
 * depth and length (`showValue`). Does not model: model-specific shapes (the
 * model's `validate` checks those), or comments in the file.
 */

import { HistoryError } from '../errors.ts';
import type { Operation } from './history.ts';
import { UNKNOWN } from './history.ts';
import { setLineOf } from './lines.ts';

const EXAMPLE = '{"process": 1, "call": 0, "return": 5, "f": "read", "input": null, "output": 3}';

/** Deepest nesting an operation line may have: the models' values are scalars, pairs and {"token": n}. */
export const MAX_NESTING = 32;

/** Longest value text a message shows. */
const SHOW_CHARS = 60;
/** Nesting a message spells out; deeper lists and objects print as […] and {…}. */
const SHOW_DEPTH = 3;

/**
 * A value as an error message shows it: compact JSON, at most `maxChars`
 * characters, nesting beyond a few levels elided, never throwing or
 * recursing without bound (JSON.stringify overflows the stack on a deep
 * value). The checker imports nothing outside its folder, so this mirrors
 * the scenario loader's printer (algorithms/api/knobs.ts `showValue`).
 */
export function showValue(value: unknown, maxChars = SHOW_CHARS): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : 'a number too large (beyond ±1.8e308)';
  const parts: string[] = [];
  let length = 0;
  const add = (part: string): void => {
    if (length > maxChars) return;
    parts.push(part);
    length += part.length;
  };
  const write = (v: unknown, depth: number): void => {
    if (length > maxChars) return;
    if (typeof v === 'string') return add(JSON.stringify(v.length > maxChars ? v.slice(0, maxChars) : v));
    if (typeof v !== 'object' || v === null) return add(String(v));
    const list = Array.isArray(v);
    const keys = list ? [] : Object.keys(v);
    const size = list ? v.length : keys.length;
    if (size === 0) return add(list ? '[]' : '{}');
    if (depth >= SHOW_DEPTH) return add(list ? '[…]' : '{…}');
    add(list ? '[' : '{');
    for (let i = 0; i < size && length <= maxChars; i++) {
      if (i > 0) add(',');
      if (!list) add(`${JSON.stringify(keys[i])}:`);
      write(list ? v[i] : (v as Record<string, unknown>)[keys[i]], depth + 1);
    }
    add(list ? ']' : '}');
  };
  write(value, 0);
  const text = parts.join('');
  return text.length > maxChars ? `${text.slice(0, maxChars - 3)}...` : text;
}

/** Whether `value` nests deeper than `limit` levels (stops looking at the limit, so the recursion is bounded). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  for (const child of Object.values(value)) if (nestsDeeperThan(child, limit - 1)) return true;
  return false;
}

function isUnknownMarker(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && (v as { unknown?: unknown }).unknown === true;
}

function field(obj: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

/** Parses one line (1-based `line`) into an operation, or throws HistoryError naming file and line. */
function parseLine(text: string, file: string, line: number): Operation {
  const where = `line ${line}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HistoryError(file, where, `not valid JSON (${(error as Error).message}); expected one operation object a line, like ${EXAMPLE}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HistoryError(file, where, `expected an operation object like ${EXAMPLE}, got ${showValue(value)}`);
  }
  if (nestsDeeperThan(value, MAX_NESTING)) {
    throw new HistoryError(file, where, `values nested more than ${MAX_NESTING} levels deep; expected an operation whose input and output are values like 3, [1, 2] or {"token": 4}`);
  }
  const obj = value as Record<string, unknown>;
  const process = field(obj, 'process');
  if (!Number.isSafeInteger(process)) throw new HistoryError(file, where, `"process" must be an integer, got ${showValue(process)}`);
  const call = field(obj, 'call');
  if (!Number.isSafeInteger(call)) throw new HistoryError(file, where, `"call" must be an integer time, got ${showValue(call)}`);
  if (!Object.prototype.hasOwnProperty.call(obj, 'return')) {
    throw new HistoryError(file, where, `"return" is missing; expected an integer time ≥ call, or null for an operation that never returned`);
  }
  const ret = obj.return;
  if (ret !== null && (!Number.isSafeInteger(ret) || (ret as number) < (call as number))) {
    throw new HistoryError(file, where, `"return" must be an integer time ≥ call (${String(call)}) or null, got ${showValue(ret)}`);
  }
  const f = field(obj, 'f');
  if (typeof f !== 'string' || f === '') throw new HistoryError(file, where, `"f" must be a non-empty string (the operation, e.g. "read"), got ${showValue(f)}`);
  const key = field(obj, 'key');
  if (key !== undefined && typeof key !== 'string') throw new HistoryError(file, where, `"key" must be a string when present, got ${showValue(key)}`);
  const input = field(obj, 'input') ?? null;
  const rawOutput = field(obj, 'output') ?? null;
  const output = ret === null || isUnknownMarker(rawOutput) ? UNKNOWN : rawOutput;
  const op: Operation = { process: process as number, call: call as number, return: ret as number | null, f, input, output };
  if (key !== undefined) op.key = key;
  return op;
}

/**
 * Parses a jsonl history. Blank lines are skipped. Throws HistoryError(file,
 * `line N`, …) for a bad line, or for an operation that starts before the
 * previous operation of the same process returned.
 */
export function parseJsonl(text: string, file: string): Operation[] {
  const ops: Operation[] = [];
  const lineNo: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const op = parseLine(raw, file, i + 1);
    setLineOf(op, i + 1);
    ops.push(op);
    lineNo.push(i + 1);
  }
  // One operation at a time per process (an operation that never returned does not block later ones).
  const idx = ops.map((_, i) => i);
  // At equal calls a never-returned op goes first: the process crashed and a new incarnation went on.
  const endOf = (i: number): number => ops[i].return ?? -Infinity;
  idx.sort((a, b) => ops[a].process - ops[b].process || ops[a].call - ops[b].call || endOf(a) - endOf(b) || lineNo[a] - lineNo[b]);
  let last = -1;
  for (const i of idx) {
    const op = ops[i];
    if (last >= 0 && ops[last].process !== op.process) last = -1;
    if (last >= 0 && op.call < (ops[last].return as number)) {
      throw new HistoryError(
        file,
        `line ${lineNo[i]}`,
        `process ${op.process} runs one operation at a time, but this operation (call ${op.call}) starts before its operation on line ${lineNo[last]} returned (return ${String(ops[last].return)})`,
      );
    }
    if (op.return !== null) last = i;
  }
  return ops;
}
