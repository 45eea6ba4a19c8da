/**
 * The Wing & Gong linearizability search with Lowe's memoisation, as in
 * Porcupine's `checkSingle`, over typed arrays.
 *
 * Models: a history of one partition as call and return events on a doubly
 * linked list sorted by time (calls before returns at equal times: closed
 * intervals). Operations that never returned get their return event after
 * every other event. The search repeatedly linearizes the first call entry
 * (before the first return entry) the model accepts whose (linearized set,
 * state) configuration is new, lifting it out of the list; when it meets a
 * return entry it backtracks. A process's own operations stay ordered when
 * one's return equals the next one's call. Does not model: partitioning
 * (see partition.ts) or describing results (see counterexample.ts).
 */

import type { Operation, UnknownReason } from './history.ts';
import { UNKNOWN } from './history.ts';
import type { Model } from './model.ts';
import { hashString } from './model.ts';
import { ConfigCache, OVERFLOW, PRESENT } from './cache.ts';

/** Budget shared by the partitions of one check; `stepsLeft` is decremented in place. */
export interface SearchBudget {
  stepsLeft: number;
  deadline?: () => boolean;
  maxCacheEntries: number;
  maxCacheWords: number;
}

/** The outcome for one partition; indices refer to the partition's `ops` array. */
export type SearchOutcome =
  | { kind: 'ok' }
  | { kind: 'illegal'; longest: number[]; stuck: number[]; state: unknown }
  | { kind: 'unknown'; reason: UnknownReason };

/** How many stuck candidates a counterexample lists at most. */
const STUCK_MAX = 32;
/** Steps between two polls of the deadline. */
const DEADLINE_EVERY = 4096;

function stateHashOf(model: Model, s: unknown): number {
  const h = model.hash(s);
  return typeof h === 'number' ? (h | 0) ^ ((h / 4294967296) | 0) : hashString(h);
}

/**
 * Checks one partition. Ops may come in any order; their indices in `ops` are
 * what the outcome reports.
 */
export function searchPartition(ops: readonly Operation[], model: Model, budget: SearchBudget): SearchOutcome {
  const n = ops.length;
  if (n === 0) return { kind: 'ok' };

  // ---- Number operations: returned ones by call time, then never-returned ones.
  const order: number[] = [];
  const pendingOrder: number[] = [];
  for (let i = 0; i < n; i++) (ops[i].return === null ? pendingOrder : order).push(i);
  order.sort((a, b) => ops[a].call - ops[b].call || (ops[a].return as number) - (ops[b].return as number) || a - b);
  pendingOrder.sort((a, b) => ops[a].call - ops[b].call || a - b);
  const returned = order.length;
  const pending = pendingOrder.length;
  const orig = new Int32Array(n);
  for (let i = 0; i < returned; i++) orig[i] = order[i];
  for (let i = 0; i < pending; i++) orig[returned + i] = pendingOrder[i];
  const stepOps: Operation[] = new Array(n);
  const callTime = new Float64Array(n);
  for (let id = 0; id < n; id++) {
    const op = ops[orig[id]];
    stepOps[id] = op.return === null && op.output !== UNKNOWN ? { ...op, output: UNKNOWN } : op;
    callTime[id] = op.call;
  }

  // ---- Same-process ordering at equal times: prevSame[y] = x when x returned exactly when y was called.
  const prevSame = new Int32Array(n).fill(-1);
  {
    const byCall = Array.from({ length: n }, (_, id) => id);
    byCall.sort((a, b) => callTime[a] - callTime[b] || a - b);
    const lastReturned = new Map<number, number>();
    for (const id of byCall) {
      const op = stepOps[id];
      const x = lastReturned.get(op.process);
      if (x !== undefined && stepOps[x].return === op.call) prevSame[id] = x;
      if (op.return !== null) lastReturned.set(op.process, id);
    }
  }

  // ---- Events: list nodes 0..n-1 are calls, n..2n-1 returns, 2n the head.
  const head = 2 * n;
  const next = new Int32Array(2 * n + 1);
  const prev = new Int32Array(2 * n + 1);
  {
    const calls = Array.from({ length: n }, (_, id) => id);
    calls.sort((a, b) => callTime[a] - callTime[b] || a - b);
    const rets = Array.from({ length: returned }, (_, id) => id);
    rets.sort((a, b) => (stepOps[a].return as number) - (stepOps[b].return as number) || a - b);
    for (let j = 0; j < pending; j++) rets.push(returned + j);
    let last = head;
    let ci = 0;
    let ri = 0;
    while (ci < n || ri < n) {
      let node: number;
      if (ri >= n) node = calls[ci++];
      else if (ci >= n) node = n + rets[ri++];
      else {
        const r = rets[ri];
        const rt = r >= returned ? Infinity : (stepOps[r].return as number);
        node = callTime[calls[ci]] <= rt ? calls[ci++] : n + rets[ri++];
      }
      next[last] = node;
      prev[node] = last;
      last = node;
    }
    next[last] = -1;
  }

  // ---- The search.
  const cache = new ConfigCache(returned, pending, budget.maxCacheEntries, budget.maxCacheWords);
  const stackOp = new Int32Array(n);
  const stackState: unknown[] = new Array(n).fill(undefined);
  let sp = 0;
  let state: unknown = model.init();
  const equal = model.equal.bind(model);

  const best = new Int32Array(n);
  let bestLen = -1;
  let validPrefix = 0;
  let bestState: unknown = state;
  let bestStuck: number[] = [];

  let stepsLeft = budget.stepsLeft;
  const deadline = budget.deadline;
  let sinceDeadline = 0;
  let entry = next[head];

  while (next[head] !== -1) {
    if (--stepsLeft < 0) {
      budget.stepsLeft = 0;
      return { kind: 'unknown', reason: 'steps' };
    }
    if (deadline !== undefined && ++sinceDeadline >= DEADLINE_EVERY) {
      sinceDeadline = 0;
      if (deadline()) {
        budget.stepsLeft = stepsLeft;
        return { kind: 'unknown', reason: 'deadline' };
      }
    }
    if (entry < n) {
      // A call entry: try to linearize operation `entry` now.
      const id = entry;
      const before = prevSame[id];
      if (before < 0 || cache.has(before)) {
        const nextState = model.step(state, stepOps[id]);
        if (nextState !== undefined) {
          cache.set(id);
          const inserted = cache.insert(stateHashOf(model, nextState), nextState, equal);
          if (inserted === OVERFLOW) {
            budget.stepsLeft = stepsLeft;
            return { kind: 'unknown', reason: 'memory' };
          }
          if (inserted !== PRESENT) {
            stackOp[sp] = id;
            stackState[sp] = state;
            sp++;
            state = nextState;
            // lift: unlink the call and its return.
            const r = id + n;
            next[prev[id]] = next[id];
            prev[next[id]] = prev[id];
            next[prev[r]] = next[r];
            if (next[r] !== -1) prev[next[r]] = prev[r];
            entry = next[head];
            continue;
          }
          cache.clear(id);
        }
      }
      entry = next[entry];
    } else {
      // A return entry: the operation it ends cannot be linearized after this prefix.
      if (sp > bestLen) {
        for (let k = validPrefix; k < sp; k++) best[k] = stackOp[k];
        bestLen = sp;
        validPrefix = sp;
        bestState = state;
        bestStuck = [];
        for (let e = next[head]; e !== -1 && e < n && bestStuck.length < STUCK_MAX; e = next[e]) bestStuck.push(orig[e]);
      }
      if (sp === 0) {
        budget.stepsLeft = stepsLeft;
        const longest: number[] = [];
        for (let k = 0; k < bestLen; k++) longest.push(orig[best[k]]);
        return { kind: 'illegal', longest, stuck: bestStuck, state: bestState };
      }
      sp--;
      if (validPrefix > sp) validPrefix = sp;
      const id = stackOp[sp];
      state = stackState[sp];
      stackState[sp] = undefined;
      cache.clear(id);
      // unlift: relink the return, then the call.
      const r = id + n;
      next[prev[r]] = r;
      if (next[r] !== -1) prev[next[r]] = r;
      next[prev[id]] = id;
      prev[next[id]] = id;
      entry = next[id];
    }
  }
  budget.stepsLeft = stepsLeft;
  return { kind: 'ok' };
}
