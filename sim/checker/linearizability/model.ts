/**
 * The Model interface (a record of pure functions, as in Porcupine) and the
 * small helpers models share: value equality, value and string hashing, and
 * value formatting.
 *
 * Models: sequential specifications as `init` + `step`. Does not model
 * nondeterministic specifications: `step` returns one next state (an op with
 * an UNKNOWN output must have one deterministic effect).
 */

import type { Operation } from './history.ts';
import { isUnknown } from './history.ts';

/** A sequential specification the checker linearizes histories against. */
export interface Model<S = unknown> {
  /** Name as given to `getModel` (e.g. `semaphore:2`). */
  name: string;
  /** The initial state. */
  init(): S;
  /** The state after `op` from `state`, or undefined when `op` (with its output) is illegal there. Must not mutate `state`. */
  step(state: S, op: Operation): S | undefined;
  /** Splits a history into independent sub-histories (e.g. by key). */
  partition?(ops: Operation[]): Operation[][];
  /** State equality; must be cheap. */
  equal(a: S, b: S): boolean;
  /** A hash consistent with `equal`; must be cheap. */
  hash(s: S): string | number;
  /** Human-readable state. */
  describeState(s: S): string;
  /** Human-readable operation (with its output). */
  describeOp(op: Operation): string;
  /**
   * True when `op` leaves the state unchanged in every state where it is
   * legal (a read, a failed cas, a refused acquire). The search then
   * linearizes it as soon as it is legal and never tries it elsewhere,
   * which is sound: moving such an op earlier changes no later state.
   */
  readOnly?(op: Operation): boolean;
  /**
   * A string such that two ops with equal keys have the same effect and
   * legality in every state (e.g. f + input, plus process for models that use
   * it), or undefined. Lets the search treat interchangeable never-returned
   * ops as one.
   */
  stepKey?(op: Operation): string | undefined;
  /**
   * For a read-only op legal only in states with one particular hash (a read
   * of v: the hash of state v), that hash, as `hash` would return it;
   * otherwise undefined. Lets the search skip the op without stepping it
   * wherever the state's hash differs.
   */
  readKey?(op: Operation): string | number | undefined;
  /**
   * Returns the op the search passes to `step` (same fields, possibly plus
   * precomputed ones, e.g. hashes); `step` must also accept ops that did not
   * go through it.
   */
  prepareOp?(op: Operation): Operation;
  /**
   * Where the search tries never-returned operations among the candidates
   * (see search.ts's header for the measurements): 'late' (the default) —
   * after every op that returned, latest call first (a dead process's
   * pending grant usually belongs late: lock models); 'call' — merged with
   * the ops that returned in call order (an append/write that took effect
   * early shows up in every later read: kv, registers). Either is sound;
   * only the time to a verdict differs.
   */
  pendingOrder?: 'call' | 'late';
  /**
   * Given a partition's operations, a test for never-returned operations no
   * linearization needs: leaving such an op out (it never took effect) keeps
   * every linearizable history linearizable. Must be sound (a proof per
   * model, in its file); the search leaves those ops out.
   */
  unneededPending?(ops: readonly Operation[]): (op: Operation) => boolean;
  /** Checks an operation's shape (f, input, output, key); returns what was expected, or undefined when fine. */
  validate?(op: Operation): string | undefined;
}

/** Structural equality of JSON-like values (UNKNOWN equals only itself). */
export function valueEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!valueEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** FNV-1a over the UTF-16 code units of `s`, as a 32-bit integer. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** A hash of a JSON-like value consistent with `valueEqual`. */
export function hashValue(v: unknown): number {
  if (v === null || v === undefined) return 0x5bd1e995;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v | 0 : hashString(String(v));
  if (typeof v === 'string') return hashString(v) ^ 0x27d4eb2d;
  if (typeof v === 'boolean') return v ? 0x165667b1 : 0x3c6ef372;
  if (isUnknown(v)) return 0x7f4a7c15;
  return hashString(stableStringify(v));
}

/** JSON with object keys sorted, so equal values print alike. */
export function stableStringify(v: unknown): string {
  if (isUnknown(v)) return '?';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const obj = v as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? String(v);
}

/** A value for messages: JSON, with UNKNOWN shown as `?`. */
export function showValue(v: unknown): string {
  return stableStringify(v);
}

/** `p3 ` or `service ` prefix helper for describeOp. */
export function who(op: Operation): string {
  return `p${op.process}`;
}
