/**
 * Prepares one partition for the search: numbers its operations, builds the
 * time-sorted doubly linked lists of entries (Porcupine's call/return list
 * for ops that returned, a call list for never-returned ones), and the
 * "may only follow" constraints the lists cannot express.
 *
 * Models: closed intervals (calls before returns at equal times), returns
 * of never-returned operations after every other event, a process's own
 * operations in order when one's return equals the next one's call, and
 * interchangeable never-returned operations (same `model.stepKey`) taken in
 * call order; never-returned read-only operations are left out (they may
 * always not have happened), and so are those the model's `unneededPending`
 * proves no linearization needs. Does not model: the search itself.
 */

import type { Operation } from './history.ts';
import { UNKNOWN } from './history.ts';
import type { Model } from './model.ts';
import { hashString } from './model.ts';

/** A partition ready for `PartitionSearch`. Ids: returned ops 0..returned-1 by call time, then never-returned ones. */
export interface Prepared {
  /** Number of operations. */
  n: number;
  /** Ops that returned (ids below this). */
  returned: number;
  /** Ops that never returned and are not read-only (read-only ones are left out: they never matter). */
  pending: number;
  /** id → index in the partition's ops array. */
  orig: Int32Array;
  /** id → the op as the model steps it (never-returned ops get an UNKNOWN output). */
  stepOps: Operation[];
  /** id → 1 when the model says the op is read-only. */
  readOnly: Uint8Array;
  /** id → 1 when the op is legal only in states whose search hash is readKey[id]. */
  hasReadKey: Uint8Array;
  readKey: Int32Array;
  /** id → an op that must be linearized first (same process, returned exactly at this call), or -1. */
  prevSame: Int32Array;
  /** id → an interchangeable never-returned op called earlier that must be linearized first, or -1. */
  prevEquiv: Int32Array;
  /**
   * Entry lists: nodes 0..n-1 are calls, n..2n-1 returns. Head 2n: the calls and returns of
   * ops that returned, by time, ended by -1; head 2n+1: the calls of never-returned ops, by
   * time, ended by the tail node 2n+2 (so it can be walked backwards). With
   * `pendingInMain`, never-returned calls are in the main list instead (the other one is empty).
   */
  next: Int32Array;
  prev: Int32Array;
  /** True when never-returned ops' calls sit in the main list, in call order (`model.pendingOrder === 'call'`). */
  pendingInMain: boolean;
  /** id → rank of its call among all events. */
  callRank: Int32Array;
  /** id → rank of its return among all events (2^31-1 for never-returned ops). */
  retRank: Int32Array;
}

/** The 32-bit hash the search uses for a model hash (`Model.hash` may give a string or any number). */
export function searchHash(h: string | number): number {
  return typeof h === 'number' ? (h | 0) ^ ((h / 4294967296) | 0) : hashString(h);
}

function unknownOutput(op: Operation): Operation {
  return op.output === UNKNOWN ? op : { ...op, output: UNKNOWN };
}

/** Builds the `Prepared` form of `ops` (any order) for `model`. */
export function prepare(ops: readonly Operation[], model: Model): Prepared {
  // A never-returned op matters only if it changes the state somewhere, so read-only ones are left out.
  // So is one the model proves no linearization needs (`unneededPending`).
  const order: number[] = [];
  const pendingOrder: number[] = [];
  const unneeded = model.unneededPending?.(ops);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.return !== null) order.push(i);
    else if ((model.readOnly === undefined || !model.readOnly(unknownOutput(op))) && (unneeded === undefined || !unneeded(op))) pendingOrder.push(i);
  }
  const n = order.length + pendingOrder.length;
  // Sort keys in typed arrays: comparators that read the op objects cost more than the rest of prepare.
  const callOf = new Float64Array(ops.length);
  const retOf = new Float64Array(ops.length);
  for (let i = 0; i < ops.length; i++) {
    callOf[i] = ops[i].call;
    retOf[i] = ops[i].return ?? Infinity;
  }
  order.sort((a, b) => callOf[a] - callOf[b] || retOf[a] - retOf[b] || a - b);
  pendingOrder.sort((a, b) => callOf[a] - callOf[b] || a - b);
  const returned = order.length;
  const pending = pendingOrder.length;
  const orig = new Int32Array(n);
  for (let i = 0; i < returned; i++) orig[i] = order[i];
  for (let i = 0; i < pending; i++) orig[returned + i] = pendingOrder[i];
  const stepOps: Operation[] = new Array(n);
  const callTime = new Float64Array(n);
  const retTime = new Float64Array(n);
  const readOnly = new Uint8Array(n);
  const hasReadKey = new Uint8Array(n);
  const readKey = new Int32Array(n);
  for (let id = 0; id < n; id++) {
    const op = ops[orig[id]];
    const stepOp = op.return === null ? unknownOutput(op) : op;
    stepOps[id] = model.prepareOp === undefined ? stepOp : model.prepareOp(stepOp);
    callTime[id] = op.call;
    retTime[id] = op.return ?? Infinity;
    if (model.readOnly !== undefined && model.readOnly(stepOps[id])) readOnly[id] = 1;
    const key = readOnly[id] === 1 && model.readKey !== undefined ? model.readKey(stepOps[id]) : undefined;
    if (key !== undefined) {
      hasReadKey[id] = 1;
      readKey[id] = searchHash(key);
    }
  }

  // Ids by call time (ties by id): the returned ids and the never-returned ids are each sorted
  // by call already, so this is a merge.
  const byCall = new Int32Array(n);
  for (let k = 0, a = 0, b = returned; k < n; k++) {
    byCall[k] = b >= n || (a < returned && callTime[a] <= callTime[b]) ? a++ : b++;
  }

  // A process's own ops stay ordered when one returns exactly when the next is called
  // (the list puts calls before returns at equal times, so it cannot say this).
  // prevSame[y] = the latest (by call, then id) op x of y's process that returned at y's call
  // and comes before y; the chain through prevSame[x] covers the earlier ones.
  // endingAt: process → return time → an op ending then (the others ending then chained by sameEnd).
  const prevSame = new Int32Array(n).fill(-1);
  const endingAt = new Map<number, Map<number, number>>();
  const sameEnd = new Int32Array(returned).fill(-1);
  for (let id = 0; id < returned; id++) {
    const p = stepOps[id].process;
    let ends = endingAt.get(p);
    if (ends === undefined) {
      ends = new Map();
      endingAt.set(p, ends);
    }
    const other = ends.get(retTime[id]);
    if (other !== undefined) sameEnd[id] = other;
    ends.set(retTime[id], id);
  }
  for (let id = 0; id < n; id++) {
    const first = endingAt.get(stepOps[id].process)?.get(callTime[id]);
    if (first === undefined) continue;
    const instant = retTime[id] === callTime[id];
    for (let x = first; x !== -1; x = sameEnd[x]) {
      if (x === id) continue;
      // x ends when y starts; if x also starts then, x is instantaneous and goes first unless y is too and was given first.
      const before = callTime[x] < callTime[id] || !instant || x < id;
      const best = prevSame[id];
      if (before && (best < 0 || callTime[x] > callTime[best] || (callTime[x] === callTime[best] && x > best))) prevSame[id] = x;
    }
  }

  // Never-returned ops with the same effect are interchangeable once both are called:
  // only the earlier-called one is tried first (a swap turns any other order into that one).
  const prevEquiv = new Int32Array(n).fill(-1);
  if (model.stepKey !== undefined && pending > 1) {
    const lastOfKey = new Map<string, number>();
    for (let id = returned; id < n; id++) {
      if (prevSame[id] !== -1) continue; // keep it simple: only ops with no same-process bound
      const k = model.stepKey(stepOps[id]);
      if (k === undefined) continue;
      const q = lastOfKey.get(k);
      if (q !== undefined) prevEquiv[id] = q;
      lastOfKey.set(k, id);
    }
  }

  // The entry lists. Events are merged by time, calls first at equal times, and ranked.
  // Ops that returned keep Porcupine's list (call and return entries, head 2n); never-returned
  // ops, whose returns would all come last, get a list of their calls alone (head 2n+1): they
  // are candidates once their call ranks below the first return left in the main list.
  // With pendingOrder 'call' their call entries go into the main list instead (no return
  // entry), so they are candidates in call order among the others: the same set either way.
  const pendingInMain = model.pendingOrder === 'call';
  const head = 2 * n;
  const pendingHead = 2 * n + 1;
  const pendingTail = 2 * n + 2;
  const next = new Int32Array(2 * n + 3).fill(-1);
  const prev = new Int32Array(2 * n + 3).fill(-1);
  const callRank = new Int32Array(n);
  const retRank = new Int32Array(n).fill(0x7fffffff);
  const rets = Array.from({ length: returned }, (_, id) => id);
  rets.sort((a, b) => retTime[a] - retTime[b] || a - b);
  let last = head;
  let lastPending = pendingHead;
  let ci = 0;
  let ri = 0;
  let rank = 0;
  while (ci < n || ri < returned) {
    let node: number;
    if (ri >= returned) node = byCall[ci++];
    else if (ci >= n) node = n + rets[ri++];
    else node = callTime[byCall[ci]] <= retTime[rets[ri]] ? byCall[ci++] : n + rets[ri++];
    if (node < n) callRank[node] = rank++;
    else retRank[node - n] = rank++;
    if (node >= returned && node < n && !pendingInMain) {
      next[lastPending] = node;
      prev[node] = lastPending;
      lastPending = node;
    } else {
      next[last] = node;
      prev[node] = last;
      last = node;
    }
  }
  next[last] = -1;
  next[lastPending] = pendingTail;
  prev[pendingTail] = lastPending;
  return { n, returned, pending, orig, stepOps, readOnly, hasReadKey, readKey, prevSame, prevEquiv, next, prev, pendingInMain, callRank, retRank };
}
