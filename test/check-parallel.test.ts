/**
 * The parallel checker (sim/check-parallel): partitions dealt to bins by op
 * count; UNKNOWN surviving the trip between threads; on worker threads the
 * same verdict as the single-thread checker on a 60,000-op 8-key kv history,
 * linearizable and not; an illegal partition among slow ones stopping the
 * others (counted, not timed); `--timeout` giving "unknown" (timeout); and
 * `check --workers 1` and `--workers 2` printing the same `--json`.
 *
 * The threads load the worker module from source here (worker.boot.mjs
 * registers tsx in each), so one pool is shared by the tests that can.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParallelChecker, planBins, threadsCanPay, threadsPay } from '../sim/check-parallel/index.ts';
import { decodeOps, decodeValue, encodeOps, encodeValue } from '../sim/check-parallel/codec.ts';
import { UNKNOWN, checkOperations, getModel, type Operation } from '../sim/checker/linearizability/index.ts';
import { corruptGet, generateKvHistory } from '../sim/checker/linearizability/synth-kv.ts';
import { runCheckCommand } from '../sim/cli/commands/check.ts';
import { cli } from './support/cli.ts';
import { workerUrl } from '../sim/cli/worker-url.ts';

const kv = getModel('kv');

/** The 60,000-op 8-key kv history (linearizable) and its corrupted twin (one stale get), made once. */
let histories: { ok: Operation[]; bad: Operation[] } | undefined;
function big(): { ok: Operation[]; bad: Operation[] } {
  if (histories === undefined) {
    const ok = generateKvHistory({ seed: 10, ops: 60_000, clients: 16, keys: 8 });
    histories = { ok, bad: corruptGet(ok, 'stale', 7)! };
  }
  return histories;
}

describe('planBins', () => {
  it('deals partitions largest first to the emptiest bin, biggest bin first', () => {
    // 9 → A, 7 → B, 5 → B (7 < 9), 3 → A (9 < 12), 1 → A (12 = 12: the lower bin); A is the bigger.
    expect(planBins([5, 9, 1, 7, 3], 2)).toEqual([
      { partitions: [1, 2, 4], ops: 13 },
      { partitions: [0, 3], ops: 12 },
    ]);
    expect(planBins([4, 4], 8)).toHaveLength(2);
    expect(planBins([4, 4, 4], 1)).toEqual([{ partitions: [0, 1, 2], ops: 12 }]);
  });

  it('uses threads only where the measured costs say they pay: never two, four cores from ~53,000 balanced ops', () => {
    expect(threadsPay(planBins([60_000], 4), 4)).toBe(false);
    expect(threadsCanPay(2, 8)).toBe(false);
    expect(threadsPay(planBins([500_000, 500_000], 2), 8)).toBe(false);
    expect(threadsCanPay(3, 8)).toBe(true);
    expect(threadsCanPay(8, 2)).toBe(false); // more threads than cores
    expect(threadsPay(planBins(Array(8).fill(6_000), 4), 4)).toBe(false); // 48,000 ops
    expect(threadsPay(planBins(Array(8).fill(7_500), 4), 4)).toBe(true); // 60,000 ops
    expect(threadsPay(planBins(Array(8).fill(7_500), 4), 2)).toBe(false); // the same on two cores
    expect(threadsPay(planBins([50_000, 5_000, 5_000, 5_000], 4), 4)).toBe(false); // one big key
  });
});

describe('codec', () => {
  it('keeps UNKNOWN (at any depth) apart from a value that looks like it', () => {
    const ops: Operation[] = [
      { process: 1, call: 0, return: null, f: 'append', key: 'k', input: 'x', output: UNKNOWN },
      { process: 2, call: 1, return: 2, f: 'cas', input: [1, UNKNOWN], output: { unknown: true } },
    ];
    const back = decodeOps(encodeOps(ops));
    expect(back[0].output).toBe(UNKNOWN);
    expect((back[1].input as unknown[])[1]).toBe(UNKNOWN);
    expect(back[1].output).toEqual({ unknown: true });
    expect(back[1].output).not.toBe(UNKNOWN);
    const value = decodeValue<{ a: unknown[] }>(encodeValue({ a: [UNKNOWN, { op: { output: UNKNOWN } }] }));
    expect(value.a[0]).toBe(UNKNOWN);
    expect((value.a[1] as { op: { output: unknown } }).op.output).toBe(UNKNOWN);
  });
});

/**
 * A partition no search finishes soon: `n` concurrent appends, then a get
 * that lost one token (not linearizable, but every order of the appends
 * must be tried to prove it: millions of steps from n = 10 on).
 */
function slowKey(key: string, n: number, process0: number): Operation[] {
  const ops: Operation[] = [];
  for (let i = 0; i < n; i++) ops.push({ process: process0 + i, call: 0, return: 100, f: 'append', key, input: `<${key}${i}>`, output: null });
  const all = Array.from({ length: n }, (_, i) => `<${key}${i}>`).join('');
  ops.push({ process: process0 + n, call: 200, return: 210, f: 'get', key, input: null, output: all.replace(`<${key}0>`, '') });
  return ops;
}

/** A partition refuted at once: an append that returned, then a get that missed it. */
function quickIllegalKey(key: string, process0: number): Operation[] {
  return [
    { process: process0, call: 0, return: 10, f: 'append', key, input: 'a', output: null },
    { process: process0 + 1, call: 20, return: 30, f: 'get', key, input: null, output: '' },
  ];
}

describe('on worker threads', () => {
  // Four threads, estimated as if each had a core: a 60,000-op 8-key history is then worth them.
  const checker = new ParallelChecker({ workers: 4, workerUrl: workerUrl(), cores: 4 });
  beforeAll(() => checker.start());
  afterAll(() => checker.close());

  it('gives the single-thread verdict on a 60,000-op 8-key kv history, linearizable and not', async () => {
    const { ok, bad } = big();
    for (const ops of [ok, bad]) {
      const one = checkOperations(ops, kv);
      const par = await checker.check(ops, 'kv', { timeoutMs: 60_000 });
      expect(par.parallel.threads).toBe(4); // above the threshold: it did run on threads
      expect(par.parallel.taskPartitions.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(par.ok).toBe(one.ok);
      expect(par.ops).toBe(60_000);
      expect(par.partitions).toBe(one.partitions);
      expect(par.partitions).toBe(8);
      // One illegal partition: the same counterexample, whichever thread found it.
      expect(par.counterexample).toEqual(one.counterexample);
      expect(par.ms).toBeGreaterThan(0);
    }
    expect(checkOperations(bad, kv).ok).toBe(false);
  }, 60_000);

  it('stops the other threads when one finds an illegal partition', async () => {
    const slowA = slowKey('a', 24, 0);
    const slowB = slowKey('b', 24, 100);
    // Slow on its own: a million steps decide nothing.
    expect(checkOperations(slowA, kv, { budgetSteps: 1_000_000 })).toMatchObject({ ok: 'unknown', unknownReason: 'steps' });
    const ops = [...slowA, ...slowB, ...quickIllegalKey('q', 200)];
    const one = checkOperations(ops, kv);
    expect(one.ok).toBe(false);
    expect(one.counterexample?.partition).toBe(2);
    const par = await checker.check(ops, 'kv', { forceThreads: true, timeoutMs: 60_000 });
    expect(par.ok).toBe(false);
    expect(par.counterexample?.partition).toBe(2);
    expect(par.counterexample).toEqual(one.counterexample);
    // One partition a thread; a's and b's searches stop unfinished (each alone would take minutes).
    expect(par.parallel).toMatchObject({ threads: 3, tasks: 3, taskPartitions: [[0], [1], [2]], finished: 1, cancelled: 2, partitionsCancelled: 2 });
  }, 60_000);

  it('says unknown (deadline) when the time runs out', async () => {
    const ops = [...slowKey('a', 24, 0), ...slowKey('b', 24, 100)];
    const par = await checker.check(ops, 'kv', { forceThreads: true, timeoutMs: 300 });
    expect(par).toMatchObject({ ok: 'unknown', unknownReason: 'deadline', ops: ops.length, partitions: 2 });
    expect(par.parallel.threads).toBe(2);
  }, 60_000);

  it('checks a small history in this thread', async () => {
    const ops = generateKvHistory({ seed: 3, ops: 2_000, clients: 8, keys: 4 });
    const par = await checker.check(ops, 'kv');
    expect(par.ok).toBe(true);
    expect(par.parallel.threads).toBe(0);
  });
});

describe('check --workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'locksim-check-parallel-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));


  it('--workers 1 and 2 print the same --json verdicts, and so do two threads forced', async () => {
    const { ok, bad } = big();
    const files = [
      ['ok.jsonl', ok],
      ['bad.jsonl', bad],
    ].map(([name, ops]) => {
      const path = join(dir, name as string);
      writeFileSync(path, `${(ops as Operation[]).map((op) => JSON.stringify(op)).join('\n')}\n`);
      return path;
    });
    const runs = [];
    for (const workers of ['1', '2']) runs.push(await cli(['check', ...files, '--model', 'kv', '--json', '--workers', workers]));
    // Two threads never pay by the estimate, so force them: the command's own path with threads.
    let stdout = '';
    let stderr = '';
    const code = await runCheckCommand(files, { model: 'kv', json: true, workers: 2, forceThreads: true }, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), color: false });
    runs.push({ code, stdout, stderr });
    const [one, ...more] = runs.map((r) => ({ ...r, docs: (JSON.parse(r.stdout) as Array<Record<string, unknown>>).map(({ ms: _ms, ...rest }) => rest) }));
    expect(one.code).toBe(1);
    expect(one.docs.map((d) => d.ok)).toEqual([true, false]);
    for (const r of more) {
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      expect(r.docs).toEqual(one.docs);
    }
  }, 60_000);

  it('is in --help with its default, and a bad value exits 2', async () => {
    const help = await cli(['check', '--help']);
    expect(help.stdout).toMatch(/--workers <n>[\s\S]*\(default: this\s+machine's\s+available\s+parallelism,\s+\d+\)/);
    for (const value of ['0', 'x', '1.5']) {
      const r = await cli(['check', 'whatever.jsonl', '--model', 'kv', '--workers', value]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toContain(`option '--workers <n>' argument '${value}' is invalid`);
    }
  });
});
