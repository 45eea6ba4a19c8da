/**
 * Hand-made histories for the lock models (mutex, fenced-mutex, semaphore:2,
 * lease-lock): one legal and one illegal each, and the interval rules every
 * model shares (closed intervals, a process's own order, never-returned ops,
 * budgets that answer 'unknown').
 */
import { describe, expect, it } from 'vitest';
import { HistoryError } from '../sim/checker/errors.ts';
import { MODEL_NAMES, UNKNOWN, checkOperations, getModel, type Operation } from '../sim/checker/linearizability/index.ts';
import { generateLockHistory } from '../sim/checker/linearizability/synth.ts';

/** op(process, call, return, f, output, input?) */
function op(process: number, call: number, ret: number | null, f: string, output: unknown, input: unknown = null): Operation {
  return { process, call, return: ret, f, input, output };
}
const SERVICE = -1;
const expire = (at: number, owner: number): Operation => op(SERVICE, at, at, 'expire', null, { owner });

function verdict(model: string, ops: Operation[]): boolean | 'unknown' {
  return checkOperations(ops, getModel(model)).ok;
}

describe('mutex', () => {
  it('accepts overlapping contenders where one is refused while the other holds', () => {
    const ops = [
      op(1, 0, 10, 'acquire', true),
      op(2, 5, 15, 'acquire', false),
      op(1, 20, 30, 'release', true),
      op(2, 25, 40, 'acquire', true),
      op(1, 41, 42, 'release', false), // not the owner any more
      op(2, 45, 50, 'release', true),
    ];
    expect(verdict('mutex', ops)).toBe(true);
  });

  it('rejects two holders at once, naming the stuck grant and the holder', () => {
    const ops = [op(1, 0, 10, 'acquire', true), op(2, 20, 30, 'acquire', true), op(1, 40, 50, 'release', true)];
    const result = checkOperations(ops, getModel('mutex'));
    expect(result.ok).toBe(false);
    const cx = result.counterexample;
    expect(cx?.stateAtStuck).toBe('held by p1');
    expect(cx?.longestLinearization.map((d) => d.described)).toEqual(['p1 acquire → granted']);
    expect(cx?.stuck.map((d) => d.described)).toEqual(['p2 acquire → granted']);
  });

  it('rejects a refusal while the lock is free', () => {
    expect(verdict('mutex', [op(1, 0, 10, 'acquire', false)])).toBe(false);
  });
});

describe('fenced-mutex', () => {
  it('accepts strictly increasing tokens, even with overlapping calls', () => {
    const ops = [
      op(1, 0, 10, 'acquire', { token: 3 }),
      op(1, 12, 20, 'release', true),
      op(2, 15, 30, 'acquire', { token: 4 }),
      op(3, 18, 25, 'acquire', false),
      op(2, 31, 35, 'release', true),
      op(3, 36, 40, 'acquire', { token: 9 }),
    ];
    expect(verdict('fenced-mutex', ops)).toBe(true);
  });

  it('rejects a token that does not exceed an earlier grant', () => {
    const ops = [op(1, 0, 10, 'acquire', { token: 5 }), op(1, 11, 12, 'release', true), op(2, 20, 30, 'acquire', { token: 5 })];
    const result = checkOperations(ops, getModel('fenced-mutex'));
    expect(result.ok).toBe(false);
    expect(result.counterexample?.stateAtStuck).toBe('free; highest token granted 5');
  });

  it('rejects a grant without a token as bad input', () => {
    expect(() => checkOperations([op(1, 0, 10, 'acquire', true)], getModel('fenced-mutex'))).toThrow(/fenced-mutex grants must output \{"token": n\}/);
  });
});

describe('semaphore:2', () => {
  it('accepts two holders and refuses a third until one releases', () => {
    const ops = [
      op(1, 0, 10, 'acquire', true),
      op(2, 5, 15, 'acquire', true),
      op(3, 16, 20, 'acquire', false),
      op(1, 21, 25, 'release', true),
      op(3, 26, 30, 'acquire', true),
      op(2, 27, 28, 'acquire', false), // already holds one: not re-entrant
    ];
    expect(verdict('semaphore:2', ops)).toBe(true);
  });

  it('rejects a third holder', () => {
    const ops = [op(1, 0, 10, 'acquire', true), op(2, 0, 10, 'acquire', true), op(3, 11, 20, 'acquire', true)];
    const result = checkOperations(ops, getModel('semaphore:2'));
    expect(result.ok).toBe(false);
    expect(result.counterexample?.stateAtStuck).toBe('held by p1, p2 (2 of 2 permits)');
  });

  it('parses the permit count and rejects a bad one naming --model', () => {
    expect(getModel('semaphore:3').name).toBe('semaphore:3');
    expect(() => getModel('semaphore:zero')).toThrow(HistoryError);
    expect(() => getModel('semaphore:0')).toThrow(/--model: semaphore:N needs a positive integer/);
    expect(() => getModel('nope')).toThrow(/--model: unknown model "nope"/);
    expect(MODEL_NAMES).toEqual(expect.arrayContaining(['register', 'cas-register', 'kv', 'mutex', 'fenced-mutex', 'semaphore:N', 'lease-lock']));
  });
});

describe('lease-lock', () => {
  it('accepts a grant after the service expired the previous holder, and the late release that fails', () => {
    const ops = [
      op(1, 0, 10, 'acquire', { token: 1 }),
      expire(50, 1),
      op(2, 40, 70, 'acquire', { token: 2 }), // concurrent with the expiry: linearized after it
      op(1, 60, 90, 'release', false), // p1 learns its lease is gone
      op(2, 91, 95, 'release', true),
      op(3, 96, 99, 'acquire', true), // a grant without a token is fine for lease-lock
    ];
    expect(verdict('lease-lock', ops)).toBe(true);
  });

  it('rejects a grant to another client before the holder\'s lease was expired', () => {
    const ops = [op(1, 0, 10, 'acquire', { token: 1 }), op(2, 20, 30, 'acquire', { token: 2 }), expire(50, 1)];
    const result = checkOperations(ops, getModel('lease-lock'));
    expect(result.ok).toBe(false);
    expect(result.counterexample?.stuck.map((d) => d.described)).toContain('p2 acquire → granted (token 2)');
  });

  it('rejects an expiry of a client that does not hold the lock', () => {
    expect(verdict('lease-lock', [op(1, 0, 10, 'acquire', true), op(1, 11, 20, 'release', true), expire(30, 1)])).toBe(false);
  });

  it('rejects tokens that go backwards across an expiry', () => {
    expect(verdict('lease-lock', [op(1, 0, 10, 'acquire', { token: 7 }), expire(20, 1), op(2, 30, 40, 'acquire', { token: 6 })])).toBe(false);
  });

  it('lets a never-returned acquire take effect (then expire) or not', () => {
    const tookEffect = [op(1, 0, null, 'acquire', null), op(2, 10, 20, 'acquire', false), expire(30, 1), op(2, 40, 50, 'acquire', true)];
    expect(verdict('lease-lock', tookEffect)).toBe(true);
    const didNot = [op(1, 0, null, 'acquire', null), op(2, 10, 20, 'acquire', true), op(2, 21, 22, 'release', true)];
    expect(verdict('lease-lock', didNot)).toBe(true);
  });

  it('lease-lock:2 allows two holders', () => {
    const ops = [op(1, 0, 10, 'acquire', true), op(2, 0, 10, 'acquire', true), expire(20, 1), op(3, 30, 40, 'acquire', true)];
    expect(verdict('lease-lock:2', ops)).toBe(true);
    expect(verdict('lease-lock', ops)).toBe(false);
  });

  it('accepts a long generated history of a correct lease service with crashes', () => {
    const ops = generateLockHistory({ ops: 5000, processes: 6, seed: 7, tokens: true, crashRate: 0.02, leaseUs: 3000 });
    expect(ops.some((o) => o.f === 'expire')).toBe(true);
    expect(ops.some((o) => o.return === null)).toBe(true);
    expect(verdict('lease-lock', ops)).toBe(true);
    // Corrupt one refusal into a grant: now two hold at once somewhere.
    const i = ops.findIndex((o, k) => k > 2500 && o.f === 'acquire' && o.output === false);
    const bad = ops.map((o, k) => (k === i ? { ...o, output: { token: 1e9 } } : o));
    expect(verdict('lease-lock', bad)).toBe(false);
  });
});

describe('interval rules', () => {
  it('treats intervals as closed: an op returning at t is concurrent with one called at t', () => {
    // write(2) may take effect at 20, after the read that was called at 20.
    const ops = [op(1, 0, 10, 'write', null, 1), op(1, 10, 20, 'write', null, 2), op(2, 20, 30, 'read', 1)];
    expect(verdict('register', ops)).toBe(true);
    expect(verdict('register', [op(1, 0, 10, 'write', null, 1), op(2, 11, 30, 'read', null)])).toBe(false);
  });

  it('keeps a process\'s own ops in order even when one returns exactly when the next is called', () => {
    // Another process may read at 10 before the write; the writer itself may not.
    expect(verdict('register', [op(1, 0, 10, 'write', null, 1), op(2, 10, 20, 'read', null)])).toBe(true);
    expect(verdict('register', [op(1, 0, 10, 'write', null, 1), op(1, 10, 20, 'read', null)])).toBe(false);
  });

  it('lets a never-returned write take effect at any time after its call, or never', () => {
    const ops = [op(1, 0, null, 'write', null, 1), op(2, 1, 3, 'read', null), op(2, 5, 10, 'read', 1)];
    expect(verdict('register', ops)).toBe(true);
    expect(verdict('register', [op(1, 0, null, 'write', null, 1), op(2, 5, 10, 'read', null)])).toBe(true);
    expect(verdict('register', [op(1, 5, null, 'write', null, 1), op(2, 0, 3, 'read', 1)])).toBe(false);
  });

  it('reads a cas with an unknown output as legal either way', () => {
    const swapped = [op(1, 0, 10, 'write', null, 0), op(2, 11, 20, 'cas', UNKNOWN, [0, 3]), op(1, 21, 30, 'read', 3)];
    const notSwapped = [op(1, 0, 10, 'write', null, 0), op(2, 11, 20, 'cas', UNKNOWN, [0, 3]), op(1, 21, 30, 'read', 0)];
    expect(verdict('cas-register', swapped)).toBe(true);
    expect(verdict('cas-register', notSwapped)).toBe(false); // the compare matched, so it swapped
    const failed = [op(1, 0, 10, 'write', null, 1), op(2, 11, 20, 'cas', false, [1, 3])];
    expect(verdict('cas-register', failed)).toBe(false);
  });

  it('answers unknown, not false, when the step budget, the deadline or the memory cap runs out', () => {
    const ops = generateLockHistory({ ops: 2000, processes: 5, seed: 3, tokens: true });
    const model = getModel('fenced-mutex');
    const steps = checkOperations(ops, model, { budgetSteps: 100 });
    expect(steps).toMatchObject({ ok: 'unknown', unknownReason: 'steps', ops: 2000 });
    const deadline = checkOperations(ops, model, { deadline: () => true });
    expect(deadline).toMatchObject({ ok: 'unknown', unknownReason: 'deadline' });
    const memory = checkOperations(ops, model, { maxCacheEntries: 50 });
    expect(memory).toMatchObject({ ok: 'unknown', unknownReason: 'memory' });
    expect(checkOperations(ops, model).ok).toBe(true);
  });

  it('checks an empty history as linearizable with no partitions', () => {
    expect(checkOperations([], getModel('kv'))).toMatchObject({ ok: true, ops: 0, partitions: 0 });
  });

  it('measures ms only with an injected clock', () => {
    let t = 100;
    const result = checkOperations([op(1, 0, 1, 'read', null)], getModel('register'), { now: () => (t += 5) });
    expect(result.ms).toBe(5);
    expect(checkOperations([op(1, 0, 1, 'read', null)], getModel('register')).ms).toBe(0);
  });
});
