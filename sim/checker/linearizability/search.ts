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
 *
 * Where never-returned ops are tried depends on `model.pendingOrder` (the
 * candidate set is the same either way, so both are sound; fast-check
 * properties compare both with a brute-force checker on every model):
 * - 'late' (default; lock models): after every returned candidate, latest
 *   call first — a dead process's pending grant belongs late.
 * - 'call' (kv, register, cas-register): merged with the returned candidates
 *   in call order, as Porcupine does — an append of a unique token (a write
 *   of a unique value) that took effect early shows up in every later read;
 *   deferring it makes the search try every interleaving of the concurrent
 *   returned writes, each a state the memo can never merge.
 * Before the search, prepare.ts leaves out the never-returned ops the
 * model's `unneededPending` proves no linearization needs (kv: a put or
 * append no later get could have seen), and read-only ones.
 * Measured (tsx, this 2-core machine, interleaved rounds):
 *   set                                   late                  call
 *   102 Jepsen etcd (cas-register)        64–89 ms              38–42 ms
 *     (a second A/B of whole runs: 25–40 ms warm either way)
 *   generated cas-register, ~20 % never   "unknown" after 6.3 s  95 ms and
 *     returned (2 files, 20 M steps)      and 3.3 s             80 ms, decided
 *   6 Porcupine kv logs                   197–208 ms            201–218 ms
 *   10 generated kv (test/fixtures/       25.4 s, 5 of 5 ok     139 ms, all 10
 *     generated, 2–4.5 k ops, ~10 %       ones "unknown"        decided
 *     never returned)
 *   100 k-op fenced-mutex (1 % crashes)   459 ms                13.2 s, "unknown"
 *   100 k-op mutex / semaphore:2          277 ms / 7.6 s        13.4 s / 6.3 s, "unknown"
 * and for kv's `unneededPending` (call order both ways), on 20 generated
 * kv histories of 2.2–4.8 k ops (seeds 100–119 of the bench set): without
 * it 16 of 20 decided, 4 "unknown" (memory cap) after ~6 s each; with it
 * (58 % of the never-returned ops left out) all 20 decided in 0.29 s warm.
 * Porcupine on the same 20: 181.6 s, two of them at its 60 s cap.
 */

import type { Operation, UnknownReason } from './history.ts';
import type { Model } from './model.ts';
import type { MemoryBudget } from './cache.ts';
import { ConfigCache, OVERFLOW as OVERFLOW_RESULT, PRESENT as PRESENT_RESULT } from './cache.ts';
import type { Prepared } from './prepare.ts';
import { prepare, searchHash } from './prepare.ts';

/** The outcome for one partition; indices refer to the partition's `ops` array. */
export type SearchOutcome =
  | { kind: 'ok' }
  | { kind: 'illegal'; longest: number[]; stuck: number[]; state: unknown }
  | { kind: 'unknown'; reason: UnknownReason };

/** Module-local copies of the insert results (read in the hot loop). */
const PRESENT = PRESENT_RESULT;
const OVERFLOW = OVERFLOW_RESULT;

/** How many stuck candidates a counterexample lists at most. */
const STUCK_MAX = 32;

function stateHashOf(model: Model, s: unknown): number {
  return searchHash(model.hash(s));
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
  private readonly stackHash: Int32Array;
  private stateHash: number;
  /** id → the last state object the op was found illegal in (states are immutable: same object, same answer). */
  private readonly failedIn: unknown[];
  private sp = 0;
  private state: unknown;
  private entry: number;
  /** Rank of the first return left in the main list, while scanning never-returned candidates. */
  private boundary = 0;
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
    this.stackHash = new Int32Array(n);
    this.failedIn = new Array(n).fill(undefined);
    this.best = new Int32Array(n);
    this.state = model.init();
    this.stateHash = stateHashOf(model, this.state);
    this.bestState = this.state;
    this.entry = this.p.next[2 * n];
    if (n === 0) this.done = { kind: 'ok' };
  }

  /** Searches for at most `maxSteps` steps; returns the outcome, or undefined when not finished yet. */
  run(maxSteps: number): SearchOutcome | undefined {
    if (this.done !== undefined) return this.done;
    const { n, returned, next, prev, pendingInMain, stepOps, readOnly, hasReadKey, readKey, prevSame, prevEquiv, orig, callRank, retRank } = this.p;
    const head = 2 * n;
    const pendingHead = 2 * n + 1;
    const pendingTail = 2 * n + 2;
    const model = this.model;
    const cache = this.cache;
    const equal = this.equal;
    const stackOp = this.stackOp;
    const stackForced = this.stackForced;
    const stackState = this.stackState;
    const failedIn = this.failedIn;
    let sp = this.sp;
    let state = this.state;
    let stateHash = this.stateHash;
    const stackHash = this.stackHash;
    let entry = this.entry;
    let boundary = this.boundary;
    let scanReadOnly = this.scanReadOnly;
    let deadEnd = this.deadEnd;
    let doneReturned = this.doneReturned;
    let stepsLeft = maxSteps;

    const finish = (outcome: SearchOutcome | undefined): SearchOutcome | undefined => {
      this.sp = sp;
      this.state = state;
      this.stateHash = stateHash;
      this.entry = entry;
      this.boundary = boundary;
      this.scanReadOnly = scanReadOnly;
      this.deadEnd = deadEnd;
      this.doneReturned = doneReturned;
      this.steps += maxSteps - stepsLeft;
      if (outcome !== undefined) this.done = outcome;
      return outcome;
    };
    // Unlinks / relinks op `id`: an op that returned has a call and a return entry in the main
    // list; a never-returned op has only its call entry, in the pending list.
    const lift = (id: number): void => {
      next[prev[id]] = next[id];
      if (next[id] !== -1) prev[next[id]] = prev[id]; // -1: a never-returned call last in the main list
      if (id >= returned) return;
      const r = id + n;
      next[prev[r]] = next[r];
      if (next[r] !== -1) prev[next[r]] = prev[r];
    };
    const unlift = (id: number): void => {
      if (id < returned) {
        const r = id + n;
        next[prev[r]] = r;
        if (next[r] !== -1) prev[next[r]] = r;
      }
      next[prev[id]] = id;
      if (next[id] !== -1) prev[next[id]] = id;
    };
    /** Rank of the first return entry left in the main list (never-returned ops called before it are candidates). */
    const firstReturnRank = (): number => {
      let e = next[head];
      while (e !== -1 && e < n) e = next[e];
      return e === -1 ? 0x7fffffff : retRank[e - n];
    };
    /** May `id` be linearized now as far as the constraints the lists cannot express go? */
    const allowed = (id: number): boolean => {
      const a = prevSame[id];
      if (a >= 0 && !cache.has(a)) return false;
      const b = prevEquiv[id];
      return b < 0 || cache.has(b);
    };

    while (doneReturned < returned) {
      if (stepsLeft <= 0) return finish(undefined);
      if (scanReadOnly) {
        // Read-only candidates legal here are linearized at once, without alternatives
        // (all of them returned: never-returned read-only ops were left out).
        scanReadOnly = false;
        for (let e = next[head]; e !== -1 && e < n; e = next[e]) {
          if (readOnly[e] === 0 || (hasReadKey[e] === 1 && readKey[e] !== stateHash) || failedIn[e] === state || !allowed(e)) continue;
          stepsLeft--;
          const nextState = model.step(state, stepOps[e]);
          if (nextState === undefined) {
            failedIn[e] = state;
            continue;
          }
          cache.set(e);
          const inserted = cache.insert(stateHash, nextState, equal); // read-only: same state, same hash
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
          stackHash[sp] = stateHash;
          sp++;
          doneReturned++;
          state = nextState;
          lift(e);
          e = head; // rescan: more read-only ops may have become legal candidates
        }
        entry = next[head];
        if (doneReturned === returned) break;
      }
      // The next candidate: call entries of the main list up to its first return entry, then
      // never-returned ops called before that return, latest call first (the one most likely
      // to have taken effect just before the return that needs it).
      let id = -1;
      if (!deadEnd) {
        if (entry >= n && entry < head) {
          boundary = retRank[entry - n];
          entry = prev[pendingTail];
          while (entry !== pendingHead && callRank[entry] > boundary) entry = prev[entry];
        }
        if (entry !== pendingHead) id = entry;
      }
      if (id >= 0) {
        entry = id < returned || pendingInMain ? next[id] : prev[id];
        if (readOnly[id] !== 0 || failedIn[id] === state || !allowed(id)) continue; // legal read-only ones were taken by the scan
        stepsLeft--;
        const nextState = model.step(state, stepOps[id]);
        if (nextState === undefined) {
          failedIn[id] = state;
          continue;
        }
        if (id >= returned && equal(nextState, state)) continue; // a no-op here: same as never happening
        cache.set(id);
        const nextHash = stateHashOf(model, nextState);
        const inserted = cache.insert(nextHash, nextState, equal);
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
        stackHash[sp] = stateHash;
        stateHash = nextHash;
        sp++;
        if (id < returned) doneReturned++;
        state = nextState;
        lift(id);
        entry = next[head];
        scanReadOnly = true;
        continue;
      }
      // No candidate left (or a known dead end): nothing can be linearized next.
      stepsLeft--;
      deadEnd = false;
      if (sp > this.bestLen) this.recordBest(sp, state, firstReturnRank());
      // Backtrack; a forced (read-only) move has no alternatives, so its parent fails too.
      let resumed = false;
      while (sp > 0) {
        sp--;
        const popped = stackOp[sp];
        state = stackState[sp];
        stateHash = stackHash[sp];
        stackState[sp] = undefined;
        cache.clear(popped);
        unlift(popped);
        if (popped < returned) doneReturned--;
        if (stackForced[sp] === 0) {
          entry = popped < returned || pendingInMain ? next[popped] : prev[popped];
          if (popped >= returned && !pendingInMain) boundary = firstReturnRank();
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

  /** Remembers the current prefix as the longest linearization, and the candidates none of which could follow it. */
  private recordBest(sp: number, state: unknown, bound: number): void {
    const { n, next, orig, callRank } = this.p;
    for (let k = this.validPrefix; k < sp; k++) this.best[k] = this.stackOp[k];
    this.bestLen = sp;
    this.validPrefix = sp;
    this.bestState = state;
    const stuck: number[] = [];
    for (let e = next[2 * n]; e !== -1 && e < n && stuck.length < STUCK_MAX; e = next[e]) stuck.push(orig[e]);
    for (let e = next[2 * n + 1]; e !== 2 * n + 2 && callRank[e] < bound && stuck.length < STUCK_MAX; e = next[e]) stuck.push(orig[e]);
    this.bestStuck = stuck;
  }
}
