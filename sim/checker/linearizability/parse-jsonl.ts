/**
 * Parser for the native `jsonl` history format (SPEC §5): one operation
 * object a line, lines in any order.
 *
 * Models: {"process", "call", "return", "f", "key"?, "input", "output"} with
 * integer times and `"return": null` for operations that never returned;
 * missing `input`/`output` read as null; an output of exactly
 * {"unknown": true} reads as UNKNOWN. Checks that each process runs one
 * operation at a time. Does not model: model-specific shapes (the model's
 * `validate` checks those), or comments in the file.
 */

import { HistoryError } from '../errors.ts';
import type { Operation } from './history.ts';
import { UNKNOWN } from './history.ts';
import { setLineOf } from './lines.ts';

const EXAMPLE = '{"process": 1, "call": 0, "return": 5, "f": "read", "input": null, "output": 3}';

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
    throw new HistoryError(file, where, `expected an operation object like ${EXAMPLE}, got ${JSON.stringify(value)}`);
  }
  const obj = value as Record<string, unknown>;
  const process = field(obj, 'process');
  if (!Number.isSafeInteger(process)) throw new HistoryError(file, where, `"process" must be an integer, got ${JSON.stringify(process)}`);
  const call = field(obj, 'call');
  if (!Number.isSafeInteger(call)) throw new HistoryError(file, where, `"call" must be an integer time, got ${JSON.stringify(call)}`);
  if (!Object.prototype.hasOwnProperty.call(obj, 'return')) {
    throw new HistoryError(file, where, `"return" is missing; expected an integer time ≥ call, or null for an operation that never returned`);
  }
  const ret = obj.return;
  if (ret !== null && (!Number.isSafeInteger(ret) || (ret as number) < (call as number))) {
    throw new HistoryError(file, where, `"return" must be an integer time ≥ call (${String(call)}) or null, got ${JSON.stringify(ret)}`);
  }
  const f = field(obj, 'f');
  if (typeof f !== 'string' || f === '') throw new HistoryError(file, where, `"f" must be a non-empty string (the operation, e.g. "read"), got ${JSON.stringify(f)}`);
  const key = field(obj, 'key');
  if (key !== undefined && typeof key !== 'string') throw new HistoryError(file, where, `"key" must be a string when present, got ${JSON.stringify(key)}`);
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
