/**
 * Properties of the linearizability checker, with fast-check:
 * - a history recorded from a sequential execution (every op takes effect at
 *   one instant inside its interval; intervals jittered, processes one op at a
 *   time, some ops never return) is linearizable, for every model;
 * - a history with a read of a value never written is not;
 * - the order of lines in a jsonl file never changes the verdict;
 * - on small random histories the verdict equals an exhaustive search over
 *   every order that respects real time (a reference without memo or tricks),
 *   with never-returned ops tried late or in call order (`pendingOrder`), and
 *   with the ops the model proves unneeded (`unneededPending`) left out;
 * - pausing and resuming the search after every step changes nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNKNOWN, checkOperations, getModel, kvMapModel, parseHistory, type Model, type Operation } from '../sim/checker/linearizability/index.ts';
import { partitionsOf } from '../sim/checker/linearizability/partition.ts';
import { PartitionSearch } from '../sim/checker/linearizability/search.ts';

const LOCK_MODELS = ['mutex', 'fenced-mutex', 'semaphore:2', 'lease-lock'] as const;
const MODELS = ['register', 'cas-register', 'kv', ...LOCK_MODELS] as const;
type ModelName = (typeof MODELS)[number];
const SERVICE = -1;

/** What a client asks for; the reference execution fills in the output. */
interface Intent {
  process: number;
  f: string;
  key?: string;
  input: unknown;
}

/**
 * Runs intents one after another on a straightforward reference
 * implementation of each model; returns the intents actually run (an
 * `expire` names the first current holder, and is dropped when there is none)
 * and their outputs.
 */
function execute(model: ModelName, intents: Intent[]): { run: Intent[]; outputs: unknown[] } {
  const run: Intent[] = [];
  const outputs: unknown[] = [];
  let register: unknown = null;
  const kv = new Map<string, string>();
  const holders = new Set<number>();
  let token = 0;
  const permits = model === 'semaphore:2' ? 2 : 1;
  for (const it of intents) {
    let out: unknown = null;
    switch (it.f) {
      case 'read':
        out = register;
        break;
      case 'write':
        register = it.input;
        break;
      case 'cas': {
        const [from, to] = it.input as [number, number];
        out = register === from;
        if (out === true) register = to;
        break;
      }
      case 'get':
        out = kv.get(it.key as string) ?? '';
        break;
      case 'put':
        kv.set(it.key as string, it.input as string);
        break;
      case 'append':
        kv.set(it.key as string, (kv.get(it.key as string) ?? '') + (it.input as string));
        break;
      case 'acquire': {
        const grant = !holders.has(it.process) && holders.size < permits;
        if (grant) holders.add(it.process);
        out = grant ? (model === 'fenced-mutex' || (model === 'lease-lock' && token % 2 === 0) ? { token: ++token } : true) : false;
        break;
      }
      case 'release':
        out = holders.delete(it.process);
        break;
      case 'expire': {
        const owner = [...holders][0];
        if (owner === undefined) continue;
        holders.delete(owner);
        run.push({ process: SERVICE, f: 'expire', input: { owner } });
        outputs.push(null);
        continue;
      }
      default:
        throw new Error(`no reference for ${it.f}`);
    }
    run.push(it);
    outputs.push(out);
  }
  return { run, outputs };
}

/** Arbitrary intents for a model (lease-lock expiries are fixed up against the holders later). */
function intentArb(model: ModelName): fc.Arbitrary<Intent> {
  const process = fc.integer({ min: 0, max: 3 });
  const value = fc.integer({ min: 0, max: 3 });
  switch (model) {
    case 'register':
      return fc.oneof(
        fc.record({ process, f: fc.constant('read'), input: fc.constant(null) }),
        fc.record({ process, f: fc.constant('write'), input: value }),
      );
    case 'cas-register':
      return fc.oneof(
        fc.record({ process, f: fc.constant('read'), input: fc.constant(null) }),
        fc.record({ process, f: fc.constant('write'), input: value }),
        fc.record({ process, f: fc.constant('cas'), input: fc.tuple(value, value) }),
      );
    case 'kv': {
      const key = fc.constantFrom('a', 'b');
      const str = fc.constantFrom('x', 'y', 'z');
      return fc.oneof(
        fc.record({ process, f: fc.constant('get'), key, input: fc.constant(null) }),
        fc.record({ process, f: fc.constantFrom('put', 'append'), key, input: str }),
      );
    }
    default: {
      const ops = model === 'lease-lock' ? ['acquire', 'acquire', 'release', 'expire'] : ['acquire', 'release'];
      return fc.record({ process, f: fc.constantFrom(...ops), input: fc.constant(null) });
    }
  }
}

/** A timing per op: how far the interval reaches before and after the op's instant, and whether it returned. */
const timingArb = fc.record({ before: fc.integer({ min: 0, max: 14 }), after: fc.integer({ min: 0, max: 14 }), lost: fc.integer({ min: 0, max: 9 }) });

/**
 * Builds a history from a sequential execution: op i takes effect at 10·i + 5
 * and its interval contains that instant; a process's ops never overlap (an
 * earlier one is cut short to end where the next begins, so some end exactly
 * when the next is called); about one op in ten never returns.
 */
function sequentialHistory(model: ModelName, intents: Intent[], timings: Array<{ before: number; after: number; lost: number }>): Operation[] {
  const { run, outputs } = execute(model, intents);
  const ops: Operation[] = [];
  const lastReturned = new Map<number, Operation>();
  const lastCallOf = new Map<number, number>();
  run.forEach((it, i) => {
    const at = 10 * i + 5;
    const t = timings[i % timings.length];
    const instant = it.f === 'expire';
    const op: Operation = {
      process: it.process,
      call: instant ? at : at - t.before,
      return: instant ? at : at + t.after,
      f: it.f,
      input: it.input,
      output: outputs[i],
    };
    if (it.key !== undefined) op.key = it.key;
    const last = lastReturned.get(op.process);
    if (last !== undefined && (last.return as number) > op.call) {
      // Cut the earlier op short (still after its instant) so the process runs one op at a time.
      last.return = Math.min(last.return as number, at);
      op.call = Math.max(op.call, last.return);
    }
    const lastCall = lastCallOf.get(op.process);
    if (lastCall !== undefined && !instant) op.call = Math.max(op.call, lastCall); // never before the process's previous call
    lastCallOf.set(op.process, op.call);
    if (t.lost === 0 && !instant) {
      op.return = null;
      op.output = null;
    } else {
      lastReturned.set(op.process, op);
    }
    ops.push(op);
  });
  return ops;
}

const historyArb = fc
  .constantFrom(...MODELS)
  .chain((model) =>
    fc.record({
      model: fc.constant(model),
      intents: fc.array(intentArb(model), { minLength: 1, maxLength: 40 }),
      timings: fc.array(timingArb, { minLength: 1, maxLength: 40 }),
    }),
  )
  .map(({ model, intents, timings }) => ({ model, ops: sequentialHistory(model, intents, timings) }));

function toJsonl(ops: Operation[]): string[] {
  return ops.map((op) => JSON.stringify(op));
}

// ---------------------------------------------------------------------------
// An exhaustive reference: every order of the ops that respects real time,
// never-returned ops optional, stepping the model. Exponential; small inputs only.

function precedes(a: Operation, b: Operation): boolean {
  if (a.return === null) return false;
  if (a.return < b.call) return true;
  return a.process === b.process && a.return === b.call && a !== b;
}

function bruteForce(ops: Operation[], model: Model): boolean {
  const n = ops.length;
  const stepOps = ops.map((op) => (op.return === null ? { ...op, output: UNKNOWN } : op));
  const done = new Array<boolean>(n).fill(false);
  const visit = (state: unknown, count: number): boolean => {
    if (ops.every((op, i) => done[i] || op.return === null)) return true;
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      let minimal = true;
      for (let j = 0; j < n && minimal; j++) if (!done[j] && j !== i && precedes(ops[j], ops[i])) minimal = false;
      if (!minimal) continue;
      const next = model.step(state, stepOps[i]);
      if (next === undefined) continue;
      done[i] = true;
      const ok = visit(next, count + 1);
      done[i] = false;
      if (ok) return true;
    }
    // Never-returned ops may never take effect: the ones left are simply dropped.
    return false;
  };
  return visit(model.init(), 0);
}

/** Corrupts some outputs so that histories are sometimes not linearizable. */
function corrupt(model: ModelName, ops: Operation[], picks: number[]): Operation[] {
  const out = ops.map((op) => ({ ...op }));
  if (out.length === 0) return out;
  for (const p of picks) {
    const op = out[p % out.length];
    if (op.return === null) continue;
    switch (op.f) {
      case 'read':
        op.output = p % 5 === 0 ? null : p % 4;
        break;
      case 'cas':
        op.output = !(op.output as boolean);
        break;
      case 'get':
        op.output = ['', 'x', 'y', 'xy'][p % 4];
        break;
      case 'acquire':
        op.output = op.output === false ? (model === 'fenced-mutex' ? { token: p % 7 } : true) : false;
        break;
      case 'release':
        op.output = !(op.output as boolean);
        break;
      default:
        break;
    }
  }
  return out;
}

describe('checker properties', () => {
  it('accepts every history recorded from a sequential execution', () => {
    fc.assert(
      fc.property(historyArb, ({ model, ops }) => {
        const result = checkOperations(ops, getModel(model));
        expect(result.ok).toBe(true);
        expect(result.ops).toBe(ops.length);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every history with a read of a value never written', () => {
    const arb = fc.record({
      base: historyArb.filter(({ model }) => model === 'register' || model === 'cas-register' || model === 'kv'),
      at: fc.nat(),
      width: fc.integer({ min: 0, max: 30 }),
    });
    fc.assert(
      fc.property(arb, ({ base, at, width }) => {
        const call = at % (10 * base.ops.length + 10);
        const bad: Operation =
          base.model === 'kv'
            ? { process: 99, call, return: call + width, f: 'get', key: 'a', input: null, output: 'never-written' }
            : { process: 99, call, return: call + width, f: 'read', input: null, output: 99 };
        const result = checkOperations([...base.ops, bad], getModel(base.model));
        expect(result.ok).toBe(false);
        expect(result.counterexample?.stuck.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same verdict whatever the order of jsonl lines', () => {
    const arb = fc.record({
      base: historyArb,
      picks: fc.array(fc.nat(), { maxLength: 3 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(arb, ({ base, picks, seed }) => {
        const ops = corrupt(base.model, base.ops, picks);
        const lines = toJsonl(ops);
        const shuffled = [...lines];
        let s = seed | 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1103515245) + 12345) | 0;
          const j = (s >>> 8) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const model = getModel(base.model);
        const a = checkOperations(parseHistory(lines.join('\n'), 'jsonl', 'a.jsonl'), model).ok;
        const b = checkOperations(parseHistory(shuffled.join('\n'), 'jsonl', 'b.jsonl'), model).ok;
        expect(b).toBe(a);
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with an exhaustive search on small random histories', () => {
    const arb = fc
      .constantFrom(...MODELS)
      .chain((model) =>
        fc.record({
          model: fc.constant(model),
          intents: fc.array(intentArb(model), { minLength: 1, maxLength: 7 }),
          timings: fc.array(fc.record({ before: fc.integer({ min: 0, max: 25 }), after: fc.integer({ min: 0, max: 25 }), lost: fc.integer({ min: 0, max: 4 }) }), {
            minLength: 1,
            maxLength: 7,
          }),
          picks: fc.array(fc.nat(), { maxLength: 2 }),
        }),
      );
    let illegal = 0;
    fc.assert(
      fc.property(arb, ({ model, intents, timings, picks }) => {
        const ops = corrupt(model, sequentialHistory(model, intents, timings), picks);
        const m = getModel(model);
        // The kv model's state is one key's string (it relies on partitioning); the reference uses the map-state model.
        const expected = bruteForce(ops, model === 'kv' ? (kvMapModel as Model) : m);
        if (!expected) illegal++;
        expect(checkOperations(ops, m).ok).toBe(expected);
      }),
      { numRuns: 1500 },
    );
    expect(illegal).toBeGreaterThan(50); // the corrupted histories exercise both verdicts
  });

  it('agrees with an exhaustive search under either order of never-returned ops, on histories with many of them', () => {
    // pendingOrder only changes where never-returned ops are tried, never the verdict:
    // ≤ 8 ops, about one in three never returned, every model, both orders.
    const arb = fc
      .constantFrom(...MODELS)
      .chain((model) =>
        fc.record({
          model: fc.constant(model),
          intents: fc.array(intentArb(model), { minLength: 1, maxLength: 8 }),
          timings: fc.array(fc.record({ before: fc.integer({ min: 0, max: 25 }), after: fc.integer({ min: 0, max: 25 }), lost: fc.integer({ min: 0, max: 2 }) }), {
            minLength: 1,
            maxLength: 8,
          }),
          picks: fc.array(fc.nat(), { maxLength: 2 }),
        }),
      );
    let illegal = 0;
    let pending = 0;
    let unneeded = 0;
    fc.assert(
      fc.property(arb, ({ model, intents, timings, picks }) => {
        const ops = corrupt(model, sequentialHistory(model, intents, timings), picks).slice(0, 8);
        pending += ops.filter((op) => op.return === null).length;
        const m = getModel(model);
        // The never-returned ops the model drops as unneeded (kv: writes no later get saw) must not change the verdict either.
        const isUnneeded = m.unneededPending?.(ops);
        if (isUnneeded !== undefined) unneeded += ops.filter((op) => isUnneeded(op)).length;
        const expected = bruteForce(ops, model === 'kv' ? (kvMapModel as Model) : m);
        if (!expected) illegal++;
        for (const pendingOrder of ['late', 'call'] as const) {
          expect(checkOperations(ops, { ...m, pendingOrder }).ok).toBe(expected);
        }
      }),
      { numRuns: 1500 },
    );
    expect(illegal).toBeGreaterThan(50);
    expect(pending).toBeGreaterThan(1000);
    expect(unneeded).toBeGreaterThan(50); // the kv reduction was exercised, not just present
  });

  it('finds the same outcome when paused and resumed after every step', () => {
    const arb = fc.record({ base: historyArb, picks: fc.array(fc.nat(), { maxLength: 2 }) });
    const memory = () => ({ entriesLeft: 1e6, wordsLeft: 1e7 });
    fc.assert(
      fc.property(arb, ({ base, picks }) => {
        const model = getModel(base.model);
        for (const part of partitionsOf(corrupt(base.model, base.ops, picks), model)) {
          const once = new PartitionSearch(part, model, memory()).run(1e9);
          const stepwise = new PartitionSearch(part, model, memory());
          let outcome = stepwise.run(1);
          while (outcome === undefined) outcome = stepwise.run(1);
          expect(outcome).toEqual(once);
        }
      }),
      { numRuns: 200 },
    );
  });
});
