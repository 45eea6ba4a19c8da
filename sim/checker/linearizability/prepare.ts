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
 * always not have happened). Does not model: the search itself.
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
  const order: number[] = [];
  const pendingOrder: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.return !== null) order.push(i);
    else if (model.readOnly === undefined || !model.readOnly(unknownOutput(op))) pendingOrder.push(i);
  }
  const n = order.length + pendingOrder.length;
  order.sort((a, b) => ops[a].call - ops[b].call || (ops[a].return as number) - (ops[b].return as number) || a - b);
  pendingOrder.sort((a, b) => ops[a].call - ops[b].call || a - b);
  const returned = order.length;
  const pending = pendingOrder.length;
  const orig = new Int32Array(n);
  for (let i = 0; i < returned; i++) orig[i] = order[i];
  for (let i = 0; i < pending; i++) orig[returned + i] = pendingOrder[i];
  const stepOps: Operation[] = new Array(n);
  const callTime = new Float64Array(n);
  const readOnly = new Uint8Array(n);
  const hasReadKey = new Uint8Array(n);
  const readKey = new Int32Array(n);
  for (let id = 0; id < n; id++) {
    const op = ops[orig[id]];
    const stepOp = op.return === null ? unknownOutput(op) : op;
    stepOps[id] = model.prepareOp === undefined ? stepOp : model.prepareOp(stepOp);
    callTime[id] = op.call;
    if (model.readOnly !== undefined && model.readOnly(stepOps[id])) readOnly[id] = 1;
    const key = readOnly[id] === 1 && model.readKey !== undefined ? model.readKey(stepOps[id]) : undefined;
    if (key !== undefined) {
      hasReadKey[id] = 1;
      readKey[id] = searchHash(key);
    }
  }

  const byCall = Array.from({ length: n }, (_, id) => id);
  byCall.sort((a, b) => callTime[a] - callTime[b] || a - b);

  // A process's own ops stay ordered when one returns exactly when the next is called
  // (the list puts calls before returns at equal times, so it cannot say this).
  // prevSame[y] = the latest (by call, then id) op x of y's process that returned at y's call
  // and comes before y; the chain through prevSame[x] covers the earlier ones.
  const prevSame = new Int32Array(n).fill(-1);
  const endingAt = new Map<string, number[]>();
  for (const id of byCall) {
    const op = stepOps[id];
    if (op.return === null) continue;
    const k = `${op.process}|${op.return}`;
    const list = endingAt.get(k);
    if (list === undefined) endingAt.set(k, [id]);
    else list.push(id);
  }
  for (let id = 0; id < n; id++) {
    const op = stepOps[id];
    const list = endingAt.get(`${op.process}|${op.call}`);
    if (list === undefined) continue;
    const instant = op.return === op.call;
    for (const x of list) {
      if (x === id) continue;
      const xo = stepOps[x];
      // x ends when y starts; if x also starts then, x is instantaneous and goes first unless y is too and was given first.
      const before = xo.call < op.call || !instant || x < id;
      if (before && (prevSame[id] < 0 || callTime[x] > callTime[prevSame[id]] || (callTime[x] === callTime[prevSame[id]] && x > prevSame[id]))) {
        prevSame[id] = x;
      }
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
  rets.sort((a, b) => (stepOps[a].return as number) - (stepOps[b].return as number) || a - b);
  let last = head;
  let lastPending = pendingHead;
  let ci = 0;
  let ri = 0;
  let rank = 0;
  while (ci < n || ri < returned) {
    let node: number;
    if (ri >= returned) node = byCall[ci++];
    else if (ci >= n) node = n + rets[ri++];
    else node = callTime[byCall[ci]] <= (stepOps[rets[ri]].return as number) ? byCall[ci++] : n + rets[ri++];
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
