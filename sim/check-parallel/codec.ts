/**
 * Operations and results as text between threads. The checker's UNKNOWN
 * output marker is a frozen object with a `toJSON` method, so it cannot be
 * structured-cloned (a function) and plain JSON would turn it into
 * `{"unknown": true}`, indistinguishable from a value of that shape. Here
 * every UNKNOWN, at any depth, is written as `{"\u0000locksim:unknown": 1}`
 * and read back as UNKNOWN.
 *
 * Operations travel as UTF-8 bytes in an ArrayBuffer that is transferred,
 * not copied: posting an 11 MB string to a thread cost 40–80 ms of the
 * main thread (structured clone), its UTF-8 bytes ~3 ms to make plus ~40 ms
 * to decode in the worker, off the main thread. Measured on a 100k-op kv
 * history (11 MB of JSON, 11 k UNKNOWN outputs): `encodeOps` (copy the few
 * ops holding UNKNOWN, then one native JSON.stringify) ~40–60 ms;
 * `decodeOps` (UTF-8, JSON.parse, then a walk over inputs and outputs)
 * ~100 ms; a JSON.stringify replacer / JSON.parse reviver on every value
 * costs ~100 / ~240 ms, so they are used only for results (`encodeValue` /
 * `decodeValue`: a counterexample is small).
 *
 * Models: UNKNOWN anywhere inside an operation's input or output, or
 * anywhere in a result. Does not model: other non-JSON values (the parsers
 * produce none), or the side table of line numbers (lines.ts; a line is not
 * needed once the history is validated on the main thread).
 */
import { Buffer } from 'node:buffer';
import type { Operation } from '../checker/linearizability/index.ts';
import { UNKNOWN, isUnknown } from '../checker/linearizability/index.ts';

/** The key of the object that stands for UNKNOWN on the wire. */
const MARK_KEY = '\u0000locksim:unknown';
const MARK: Readonly<Record<string, number>> = Object.freeze({ [MARK_KEY]: 1 });

function isMark(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Record<string, unknown>)[MARK_KEY] === 1;
}

/** `value` with every UNKNOWN replaced by MARK (or MARK by UNKNOWN when `decode`); copies only what changes. */
function swap(value: unknown, decode: boolean): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (decode ? isMark(value) : isUnknown(value)) return decode ? UNKNOWN : MARK;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = swap(value[i], decode);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, v0] of Object.entries(value)) {
    const v = swap(v0, decode);
    if (v !== v0) (out ??= { ...value })[k] = v;
  }
  return out ?? value;
}

/** The operations as the UTF-8 bytes of a JSON array, UNKNOWN kept (transfer `.buffer`: it is the bytes' own). */
export function encodeOps(ops: readonly Operation[]): Uint8Array {
  const json = JSON.stringify(
    ops.map((op) => {
      const input = swap(op.input, false);
      const output = swap(op.output, false);
      return input === op.input && output === op.output ? op : { ...op, input, output };
    }),
  );
  // An ArrayBuffer of its own (Buffer.from may hand out a slice of a shared pool, which must not be transferred).
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  bytes.write(json);
  return bytes;
}

/** The operations `encodeOps` wrote. */
export function decodeOps(bytes: Uint8Array): Operation[] {
  const ops = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as Operation[];
  for (const op of ops) {
    if (typeof op.input === 'object' && op.input !== null) op.input = swap(op.input, true);
    if (typeof op.output === 'object' && op.output !== null) op.output = swap(op.output, true);
  }
  return ops;
}

/** Any JSON-like value (a result, a counterexample) as text, UNKNOWN kept. */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    return isUnknown(this[key]) ? MARK : v;
  });
}

/** The value `encodeValue` wrote. */
export function decodeValue<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => (isMark(v) ? UNKNOWN : v)) as T;
}
