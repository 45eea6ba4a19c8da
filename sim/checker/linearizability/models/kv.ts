/**
 * Key-value models: `kv` (partitioned by key, state = one string per
 * partition) and `kvMapModel` (the same store as one map-valued state, no
 * partitioning; slower, used to cross-check the partitioned verdict).
 *
 * Models: Porcupine's kv store: get returns the key's current string ("" when
 * never written), put replaces it, append concatenates. Does not model:
 * deletes, multi-key operations or transactions.
 */

import type { Operation } from '../history.ts';
import { UNKNOWN, isUnknown } from '../history.ts';
import type { Model } from '../model.ts';
import { showValue, stableStringify, who } from '../model.ts';

/** A key's value with a polynomial hash kept up to date by appends (equality stays exact). */
export interface KvValue {
  readonly s: string;
  readonly h: number;
}

const BASE = 0x01000193;
const EMPTY: KvValue = Object.freeze({ s: '', h: 0 });
/** A module-local copy: hot paths compare with it directly. */
const UNKNOWN_OUTPUT: unknown = UNKNOWN;

/** The polynomial hash of x and BASE^|x|, both mod 2^32. */
function hashOf(x: string): { h: number; pow: number } {
  let h = 0;
  let pow = 1;
  for (let i = 0; i < x.length; i++) {
    h = (Math.imul(h, BASE) + x.charCodeAt(i)) | 0;
    pow = Math.imul(pow, BASE);
  }
  return { h, pow };
}

/** An op with its string argument / result hashed once (see `prepareOp`). */
interface KvOp extends Operation {
  /** Hash and BASE^length of the input (put, append). */
  inH?: number;
  inPow?: number;
  /** Hash of the output (get). */
  outH?: number;
}

function prepareKvOp(op: Operation): Operation {
  // One object literal with every field (not `{ ...op }` plus added fields): the spread
  // and the shape changes after it cost ~1 µs an op, 20× the hashing (measured on 75 k ops).
  let inH: number | undefined;
  let inPow: number | undefined;
  if (typeof op.input === 'string') {
    const hp = hashOf(op.input);
    inH = hp.h;
    inPow = hp.pow;
  }
  const outH = typeof op.output === 'string' ? hashOf(op.output).h : undefined;
  const prepared: KvOp = { process: op.process, call: op.call, return: op.return, f: op.f, key: op.key, input: op.input, output: op.output, inH, inPow, outH };
  return prepared;
}

/** h(a + b) = h(a) * BASE^|b| + h(b), all mod 2^32. */
function appendValue(v: KvValue, op: KvOp): KvValue {
  const x = op.input as string;
  if (op.inH !== undefined) return { s: v.s + x, h: (Math.imul(v.h, op.inPow as number) + op.inH) | 0 };
  const { h, pow } = hashOf(x);
  return { s: v.s + x, h: (Math.imul(v.h, pow) + h) | 0 };
}

function putValue(op: KvOp): KvValue {
  const x = op.input as string;
  return { s: x, h: op.inH ?? hashOf(x).h };
}

function sameValue(a: KvValue, b: KvValue): boolean {
  return a === b || (a.h === b.h && a.s.length === b.s.length && a.s === b.s);
}

/** Whether a get with this op's output is legal in v (hash and length first: no string is flattened for a mismatch). */
function reads(v: KvValue, op: KvOp): boolean {
  const out = op.output;
  if (typeof out !== 'string') return out === UNKNOWN_OUTPUT;
  if (out.length !== v.s.length) return false;
  if (op.outH !== undefined && op.outH !== v.h) return false;
  return out === v.s;
}

function describeKvOp(op: Operation): string {
  const pending = op.return === null ? ' (never returned)' : '';
  const k = JSON.stringify(op.key ?? '');
  if (op.f === 'get') return `${who(op)} get(${k}) → ${op.return === null || isUnknown(op.output) ? '?' : showValue(op.output)}${pending}`;
  return `${who(op)} ${op.f}(${k}, ${showValue(op.input)})${pending}`;
}

function validateKv(op: Operation): string | undefined {
  if (typeof op.key !== 'string') return `model kv needs a string "key" on every operation`;
  if (op.f === 'get') {
    if (op.return !== null && typeof op.output !== 'string' && !isUnknown(op.output))
      return `get output must be a string ("" when never written), got ${showValue(op.output)}`;
    return undefined;
  }
  if (op.f === 'put' || op.f === 'append') {
    if (typeof op.input !== 'string') return `${op.f} input must be a string, got ${showValue(op.input)}`;
    return undefined;
  }
  return `model kv expects f "get", "put" or "append", got ${JSON.stringify(op.f)}`;
}

function kvStepKey(op: Operation): string {
  return `${op.f}\u0000${op.key ?? ''}\u0000${stableStringify(op.input)}\u0000${stableStringify(op.output)}`;
}

/**
 * Never-returned puts and appends no linearization needs (`Model.unneededPending`):
 * an append of v that no get could have seen (no get of its key that returned at or
 * after its call read a string containing v), or a put of v no such get read a
 * string starting with v. Proof: if such an op took effect at point p, every state
 * from p up to the key's next put holds v (after a put: starts with v), so no get
 * with a known output sits there; leaving the op out changes only those unread
 * states, and appends, puts and gets of unknown output are legal in any state.
 * Empty inputs are left alone (a no-op append is skipped by the search anyway).
 * Measured: the generated kv histories whose ~10 % never-returned ops half never
 * took effect went from "unknown" (memory cap) to decided (search.ts's header).
 */
function unneededPendingKv(ops: readonly Operation[]): (op: Operation) => boolean {
  let seen: Map<string, ReadonlyArray<{ s: string; latestReturn: number }>> | undefined;
  return (op) => {
    const v = op.input;
    if (op.return !== null || typeof v !== 'string' || v === '' || (op.f !== 'append' && op.f !== 'put')) return false;
    seen ??= observedOutputs(ops);
    const put = op.f === 'put';
    for (const { s, latestReturn } of seen.get(op.key ?? '') ?? []) {
      if (latestReturn < op.call) break; // latest return first: the rest are too early as well
      if (put ? s.startsWith(v) : s.includes(v)) return false;
    }
    return true;
  };
}

/**
 * Per key, the strings gets that returned read, each with the latest return that read
 * it, latest first, without those a later-returning one extends (a prefix of it: what it
 * contains or starts with, the longer one does too) — appends make most reads prefixes
 * of later ones, so a few strings stay.
 */
function observedOutputs(ops: readonly Operation[]): Map<string, Array<{ s: string; latestReturn: number }>> {
  const latest = new Map<string, Map<string, number>>();
  for (const op of ops) {
    if (op.f !== 'get' || op.return === null || typeof op.output !== 'string') continue;
    const k = op.key ?? '';
    let outputs = latest.get(k);
    if (outputs === undefined) {
      outputs = new Map();
      latest.set(k, outputs);
    }
    const r = outputs.get(op.output);
    if (r === undefined || r < op.return) outputs.set(op.output, op.return);
  }
  const byKey = new Map<string, Array<{ s: string; latestReturn: number }>>();
  for (const [k, outputs] of latest) {
    const all = [...outputs].map(([s, latestReturn]) => ({ s, latestReturn }));
    all.sort((a, b) => b.latestReturn - a.latestReturn || b.s.length - a.s.length);
    const kept: Array<{ s: string; latestReturn: number }> = [];
    for (const o of all) if (!kept.some((longer) => longer.s.startsWith(o.s))) kept.push(o);
    byKey.set(k, kept);
  }
  return byKey;
}

/** Splits by key, keys in order of first appearance. */
function partitionByKey(ops: Operation[]): Operation[][] {
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    const k = op.key ?? '';
    let list = byKey.get(k);
    if (list === undefined) {
      list = [];
      byKey.set(k, list);
    }
    list.push(op);
  }
  return [...byKey.values()];
}

/** `kv`: get / put / append per key; partitions by key, each partition's state is that key's string. */
export const kvModel: Model<KvValue> = {
  name: 'kv',
  init: () => EMPTY,
  step(state: KvValue, op: Operation): KvValue | undefined {
    switch (op.f) {
      case 'get':
        return reads(state, op) ? state : undefined;
      case 'put':
        return putValue(op);
      case 'append':
        return appendValue(state, op);
      default:
        return undefined;
    }
  },
  readOnly: (op) => op.f === 'get',
  stepKey: kvStepKey,
  prepareOp: prepareKvOp,
  pendingOrder: 'call', // see search.ts's header: 'late' leaves 20 of 20 generated kv histories unknown
  unneededPending: unneededPendingKv,
  readKey: (op: KvOp) => (op.f === 'get' && typeof op.output === 'string' ? (op.outH ?? hashOf(op.output).h) : undefined),
  partition: partitionByKey,
  equal: sameValue,
  hash: (v) => v.h,
  describeState: (v) => JSON.stringify(v.s),
  describeOp: describeKvOp,
  validate: validateKv,
};

/** State of `kvMapModel`: keys sorted, values aligned. */
export interface KvMapState {
  readonly keys: readonly string[];
  readonly vals: readonly KvValue[];
}

function lookup(s: KvMapState, key: string): number {
  let lo = 0;
  let hi = s.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function setKey(s: KvMapState, key: string, value: KvValue): KvMapState {
  const i = lookup(s, key);
  const keys = s.keys.slice();
  const vals = s.vals.slice();
  if (s.keys[i] === key) vals[i] = value;
  else {
    keys.splice(i, 0, key);
    vals.splice(i, 0, value);
  }
  return { keys, vals };
}

/** The kv store as one state (a map), without partitioning: same verdicts as `kv`, slower. */
export const kvMapModel: Model<KvMapState> = {
  name: 'kv-map',
  init: () => ({ keys: [], vals: [] }),
  step(state: KvMapState, op: Operation): KvMapState | undefined {
    const key = op.key ?? '';
    const i = lookup(state, key);
    const current = state.keys[i] === key ? state.vals[i] : EMPTY;
    switch (op.f) {
      case 'get':
        return reads(current, op) ? state : undefined;
      case 'put':
        return setKey(state, key, putValue(op));
      case 'append':
        return setKey(state, key, appendValue(current, op));
      default:
        return undefined;
    }
  },
  readOnly: (op) => op.f === 'get',
  stepKey: kvStepKey,
  prepareOp: prepareKvOp,
  pendingOrder: 'call',
  unneededPending: unneededPendingKv,
  equal(a, b) {
    if (a === b) return true;
    if (a.keys.length !== b.keys.length) return false;
    for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i] || !sameValue(a.vals[i], b.vals[i])) return false;
    return true;
  },
  hash(s) {
    let h = 0;
    for (let i = 0; i < s.keys.length; i++) h = (Math.imul(h, 31) + (Math.imul(s.keys[i].length + 1, 0x9e3779b1) ^ s.vals[i].h)) | 0;
    return h;
  },
  describeState: (s) => `{${s.keys.map((k, i) => `${JSON.stringify(k)}: ${JSON.stringify(s.vals[i].s)}`).join(', ')}}`,
  describeOp: describeKvOp,
  validate: validateKv,
};
