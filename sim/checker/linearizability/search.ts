/**
 * The Wing & Gong linearizability search with Lowe's memoisation, as in
 * Porcupine's `checkSingle`, over typed arrays, resumable in slices.
 *
 * Models: a depth-first search over the entry list of prepare.ts. At each
 * configuration it tries the call entries before the first return entry;
 * an op the model accepts whose (linearized set, state) configuration is new
 * is lifted out of the list; meeting a return entry means backtracking.
 * Sound reductions on top of Porcupine: a legal read-only op is linearized
 * at once and never retried elsewhere; a never-returned op is linearized only
 * where it changes the state (elsewhere it is the same as never happening),
 * and the search succeeds once every op that returned is linearized;
 * interchangeable never-returned ops are tried in call order only. Does not
 * model: partitions or budgets across partitions (partition.ts).
 */

import type { Operation, UnknownReason } from './history.ts';
import type { Model } from './model.ts';
import { hashString } from './model.ts';
import type { MemoryBudget } from './cache.ts';
import { ConfigCache, OVERFLOW, PRESENT } from './cache.ts';
import type { Prepared } from './prepare.ts';
import { prepare } from './prepare.ts';

/** The outcome for one partition; indices refer to the partition's `ops` array. */
export type SearchOutcome =
  | { kind: 'ok' }
  | { kind: 'illegal'; longest: number[]; stuck: number[]; state: unknown }
  | { kind: 'unknown'; reason: UnknownReason };

/** How many stuck candidates a counterexample lists at most. */
const STUCK_MAX = 32;

function stateHashOf(model: Model, s: unknown): number {
  const h = model.hash(s);
  return typeof h === 'number' ? (h | 0) ^ ((h / 4294967296) | 0) : hashString(h);
}

/** The search over one partition, run in slices of steps by `run`. */
export class PartitionSearch {
  /** Steps taken so far (one step = one attempt to linearize one op). */
  steps = 0;
  private readonly model: Model;
  private readonly p: Prepared;
  private readonly cache: ConfigCache;
  private readonly equal: (a: unknown, b: unknown) => boolean;
  private readonly stackOp: Int32Array;
  private readonly stackForced: Uint8Array;
  private readonly stackState: unknown[];
  private sp = 0;
  private state: unknown;
  private entry: number;
  private scanReadOnly = true;
  private deadEnd = false;
  /** How many ops that returned are linearized (success when all are). */
  private doneReturned = 0;
  private done: SearchOutcome | undefined;
  // Longest linearization seen: best[0..bestLen), of which best[0..validPrefix) equals the stack.
  private readonly best: Int32Array;
  private bestLen = -1;
  private validPrefix = 0;
  private bestState: unknown;
  private bestStuck: number[] = [];

  /**
   * @param ops    the partition's operations, any order
   * @param model  the model
   * @param memory memo capacity shared with the other partitions of the check
   */
  constructor(ops: readonly Operation[], model: Model, memory: MemoryBudget) {
    this.model = model;
    this.p = prepare(ops, model);
    const n = this.p.n;
    this.cache = new ConfigCache(this.p.returned, this.p.pending, memory);
    this.equal = model.equal.bind(model);
    this.stackOp = new Int32Array(n);
    this.stackForced = new Uint8Array(n);
    this.stackState = new Array(n).fill(undefined);
    this.best = new Int32Array(n);
    this.state = model.init();
    this.bestState = this.state;
    this.entry = this.p.next[2 * n];
    if (n === 0) this.done = { kind: 'ok' };
  }

  /** Searches for at most `maxSteps` steps; returns the outcome, or undefined when not finished yet. */
  run(maxSteps: number): SearchOutcome | undefined {
    if (this.done !== undefined) return this.done;
    const { n, returned, next, prev, stepOps, readOnly, prevSame, prevEquiv, orig } = this.p;
    const head = 2 * n;
    const model = this.model;
    const cache = this.cache;
    const equal = this.equal;
    const stackOp = this.stackOp;
    const stackForced = this.stackForced;
    const stackState = this.stackState;
    let sp = this.sp;
    let state = this.state;
    let entry = this.entry;
    let scanReadOnly = this.scanReadOnly;
    let deadEnd = this.deadEnd;
    let doneReturned = this.doneReturned;
    let stepsLeft = maxSteps;

    const finish = (outcome: SearchOutcome | undefined): SearchOutcome | undefined => {
      this.sp = sp;
      this.state = state;
      this.entry = entry;
      this.scanReadOnly = scanReadOnly;
      this.deadEnd = deadEnd;
      this.doneReturned = doneReturned;
      this.steps += maxSteps - stepsLeft;
      if (outcome !== undefined) this.done = outcome;
      return outcome;
    };
    const lift = (id: number): void => {
      const r = id + n;
      next[prev[id]] = next[id];
      prev[next[id]] = prev[id];
      next[prev[r]] = next[r];
      if (next[r] !== -1) prev[next[r]] = prev[r];
    };
    const unlift = (id: number): void => {
      const r = id + n;
      next[prev[r]] = r;
      if (next[r] !== -1) prev[next[r]] = r;
      next[prev[id]] = id;
      prev[next[id]] = id;
    };
    /** May `id` be linearized now as far as the constraints the list cannot express go? */
    const allowed = (id: number): boolean => {
      const a = prevSame[id];
      if (a >= 0 && !cache.has(a)) return false;
      const b = prevEquiv[id];
      return b < 0 || cache.has(b);
    };

    while (doneReturned < returned) {
      if (stepsLeft <= 0) return finish(undefined);
      if (scanReadOnly) {
        // Read-only candidates legal here are linearized at once, without alternatives.
        scanReadOnly = false;
        for (let e = next[head]; e !== -1 && e < n; e = next[e]) {
          if (readOnly[e] === 0 || !allowed(e)) continue;
          stepsLeft--;
          const nextState = model.step(state, stepOps[e]);
          if (nextState === undefined) continue;
          cache.set(e);
          const inserted = cache.insert(stateHashOf(model, nextState), nextState, equal);
          if (inserted === OVERFLOW) {
            cache.clear(e);
            return finish({ kind: 'unknown', reason: 'memory' });
          }
          if (inserted === PRESENT) {
            // Same set and state explored before and failed; so does this configuration.
            cache.clear(e);
            deadEnd = true;
            break;
          }
          stackOp[sp] = e;
          stackForced[sp] = 1;
          stackState[sp] = state;
          sp++;
          doneReturned++; // read-only ops left in the search all returned
          state = nextState;
          lift(e);
          e = head; // rescan: more read-only ops may have become legal candidates
        }
        entry = next[head];
        if (doneReturned === returned) break;
      }
      if (!deadEnd && entry < n) {
        // A call entry: try to linearize operation `entry` now.
        const id = entry;
        entry = next[entry];
        if (readOnly[id] !== 0 || !allowed(id)) continue; // legal read-only ones were taken by the scan
        stepsLeft--;
        const nextState = model.step(state, stepOps[id]);
        if (nextState === undefined) continue;
        if (id >= returned && equal(nextState, state)) continue; // a no-op here: same as never happening
        cache.set(id);
        const inserted = cache.insert(stateHashOf(model, nextState), nextState, equal);
        if (inserted === OVERFLOW) {
          cache.clear(id);
          entry = id;
          return finish({ kind: 'unknown', reason: 'memory' });
        }
        if (inserted === PRESENT) {
          cache.clear(id);
          continue;
        }
        stackOp[sp] = id;
        stackForced[sp] = 0;
        stackState[sp] = state;
        sp++;
        if (id < returned) doneReturned++;
        state = nextState;
        lift(id);
        entry = next[head];
        scanReadOnly = true;
        continue;
      }
      // A return entry (or a known dead end): nothing can be linearized next.
      stepsLeft--;
      deadEnd = false;
      if (sp > this.bestLen) {
        const best = this.best;
        for (let k = this.validPrefix; k < sp; k++) best[k] = stackOp[k];
        this.bestLen = sp;
        this.validPrefix = sp;
        this.bestState = state;
        const stuck: number[] = [];
        for (let e = next[head]; e !== -1 && e < n && stuck.length < STUCK_MAX; e = next[e]) stuck.push(orig[e]);
        this.bestStuck = stuck;
      }
      // Backtrack; a forced (read-only) move has no alternatives, so its parent fails too.
      let resumed = false;
      while (sp > 0) {
        sp--;
        const id = stackOp[sp];
        state = stackState[sp];
        stackState[sp] = undefined;
        cache.clear(id);
        unlift(id);
        if (id < returned) doneReturned--;
        if (stackForced[sp] === 0) {
          entry = next[id];
          resumed = true;
          break;
        }
      }
      if (this.validPrefix > sp) this.validPrefix = sp;
      if (!resumed) {
        const longest: number[] = [];
        for (let k = 0; k < this.bestLen; k++) longest.push(orig[this.best[k]]);
        return finish({ kind: 'illegal', longest, stuck: this.bestStuck, state: this.bestState });
      }
    }
    return finish({ kind: 'ok' });
  }
}
