/**
 * `runCheck` (the `check` command): exit codes 0 / 1 / 2, the `--json`
 * shapes (one object for one file, an array for several), the text verdicts
 * and counterexample, "unknown" with its reason (timeout, step budget, memory
 * cap), bad input reported on stderr with nothing on stdout; and `--timeout`
 * through the command line (its parsing, its default in `--help`, and hard or
 * large generated histories that finish or say "unknown" within it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Operation } from '../sim/checker/linearizability/index.ts';
import { generateLockHistory } from '../sim/checker/linearizability/synth.ts';
import { runCheck, type CheckFlags } from '../sim/cli/commands/check.ts';
import { cli } from './support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'locksim-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return path;
}

function run(files: string[], flags: CheckFlags, color = false): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCheck(files, flags, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), color });
  return { code, stdout, stderr };
}

const GOOD = file('good.jsonl', [
  { process: 1, call: 0, return: 10, f: 'acquire', output: { token: 1 } },
  { process: 2, call: 5, return: 15, f: 'acquire', output: false },
  { process: 1, call: 20, return: 30, f: 'release', output: true },
]);
const BAD = file('bad.jsonl', [
  { process: 1, call: 0, return: 10, f: 'acquire', output: { token: 1 } },
  { process: 2, call: 20, return: 30, f: 'acquire', output: { token: 2 } },
]);
const ETCD = file('tiny.log', ['INFO  jepsen.util - 0\t:invoke\t:write\t1', 'INFO  jepsen.util - 0\t:ok\t:write\t1', 'INFO  jepsen.util - 1\t:invoke\t:read\tnil', 'INFO  jepsen.util - 1\t:ok\t:read\t1']);
const KV_BAD = file('kv.txt', ['{:process 0, :type :invoke, :f :get, :key "1", :value nil}', '{:process 0, :type :ok, :f :get, :key "1", :value "x"}']);

describe('runCheck', () => {
  it('exits 0 for a linearizable history and prints one verdict line', () => {
    const r = run([GOOD], { model: 'fenced-mutex' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^✓ .*good\.jsonl: linearizable \(3 ops, 1 partition, model fenced-mutex, [\d.]+ ms\)\n$/);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('exits 1 for a history that is not linearizable and prints the counterexample', () => {
    const r = run([BAD], { model: 'fenced-mutex' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('bad.jsonl: NOT linearizable');
    expect(r.stdout).toContain('longest linearization (1 ops)');
    expect(r.stdout).toContain('1. p1 acquire → granted (token 1) [0, 10]');
    expect(r.stdout).toContain('state there: held by p1; highest token granted 1');
    expect(r.stdout).toContain('✗ p2 acquire → granted (token 2) [20, 30]');
  });

  it('colours only when asked', () => {
    expect(run([BAD], { model: 'fenced-mutex' }, true).stdout).toContain('\u001b[');
  });

  it('prints one JSON object for one file', () => {
    const r = run([BAD], { model: 'fenced-mutex', json: true });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(['counterexample', 'file', 'ms', 'ok', 'ops', 'partitions']);
    expect(doc).toMatchObject({ file: BAD, ok: false, ops: 2, partitions: 1 });
    expect(typeof doc.ms).toBe('number');
    const cx = doc.counterexample as { partition: number; stuck: Array<{ op: unknown; described: string }>; longestLinearization: unknown[]; stateAtStuck: string };
    expect(cx.partition).toBe(0);
    expect(cx.stuck[0]).toEqual({ op: { process: 2, call: 20, return: 30, f: 'acquire', input: null, output: { token: 2 } }, described: 'p2 acquire → granted (token 2)' });
    expect(cx.longestLinearization).toHaveLength(1);
    expect(cx.stateAtStuck).toBe('held by p1; highest token granted 1');
  });

  it('prints one JSON array for several files, guessing formats and default models', () => {
    const r = run([ETCD, KV_BAD], { json: true });
    expect(r.code).toBe(1);
    const docs = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(docs.map((d) => [d.file, d.ok, d.ops, d.partitions])).toEqual([
      [ETCD, true, 2, 1],
      [KV_BAD, false, 1, 1],
    ]);
    expect(Object.keys(docs[0]).sort()).toEqual(['file', 'ms', 'ok', 'ops', 'partitions']);
  });

  it('accepts a history file that starts with a UTF-8 byte-order mark', () => {
    const bom = join(dir, 'bom.jsonl');
    writeFileSync(bom, `\uFEFF${JSON.stringify({ process: 1, call: 0, return: 10, f: 'acquire', output: { token: 1 } })}\n`);
    expect(run([bom], { model: 'fenced-mutex', json: true })).toMatchObject({ code: 0, stderr: '' });
  });

  it('says unknown, without failing, when the budget runs out, naming the reason', () => {
    const r = run([GOOD], { model: 'fenced-mutex', budgetSteps: 1 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\? .*good\.jsonl: unknown \(step budget\) — the step budget ran out before a verdict \(not a failure\)/);
    const doc = JSON.parse(run([GOOD], { model: 'fenced-mutex', budgetSteps: 1, json: true }).stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ ok: 'unknown', reason: 'step budget' });
    expect(Object.keys(doc).sort()).toEqual(['file', 'ms', 'ok', 'ops', 'partitions', 'reason']);
  });

  it('says unknown (timeout) when the time limit runs out, and unknown (memory cap) at the memo cap', () => {
    // A limit of 1 µs has passed by the checker's first poll: reading the file counts against it.
    const timeout = run([GOOD], { model: 'fenced-mutex', timeLimitMs: 0.001 });
    expect(timeout.code).toBe(0);
    expect(timeout.stdout).toMatch(/^\? .*good\.jsonl: unknown \(timeout\) — no verdict within --timeout 1us \(not a failure\)/);
    expect(JSON.parse(run([GOOD], { model: 'fenced-mutex', timeLimitMs: 0.001, json: true }).stdout)).toMatchObject({ ok: 'unknown', reason: 'timeout' });
    const crashes = file('crashes.jsonl', generateLockHistory({ ops: 400, processes: 4, seed: 2, tokens: true, crashRate: 0.05, leaseUs: 3000 }));
    const memory = run([crashes], { model: 'lease-lock', maxCacheEntries: 1, json: true });
    expect(memory.code).toBe(0);
    expect(JSON.parse(memory.stdout)).toMatchObject({ ok: 'unknown', reason: 'memory cap' });
    expect(run([crashes], { model: 'lease-lock', maxCacheEntries: 1 }).stdout).toMatch(/: unknown \(memory cap\) — the memo reached its memory cap before a verdict/);
    expect(run([crashes], { model: 'lease-lock', json: true }).stdout).toMatch(/"ok": true/);
  });

  it('exits 2 for bad input, naming the problem on stderr and printing nothing on stdout', () => {
    const cases: Array<[string[], CheckFlags, RegExp]> = [
      [[GOOD], {}, /--model: .*good\.jsonl is a jsonl history, which needs --model/],
      [[GOOD], { model: 'semaphore' }, /--model: unknown model "semaphore"/],
      [[GOOD], { model: 'mutex', format: 'csv' }, /--format: unknown format "csv"/],
      [[join(dir, 'missing.jsonl')], { model: 'mutex' }, /missing\.jsonl: cannot read the history file \(ENOENT\)/],
      [[file('broken.jsonl', ['{"process": 1, "call": 0, "return": 1, "f": "acquire", "output": true}', '{oops'])], { model: 'mutex' }, /broken\.jsonl: line 2: not valid JSON/],
      [[file('shape.jsonl', ['', '{"process": 1, "call": 0, "return": 1, "f": "acquire", "output": 3}'])], { model: 'mutex' }, /shape\.jsonl: line 2: acquire output must be/],
      [[file('tok.jsonl', ['{"process": 1, "call": 0, "return": 1, "f": "acquire", "output": true}'])], { model: 'fenced-mutex' }, /tok\.jsonl: line 1: fenced-mutex grants must output/],
      [[file('lock.jsonl', ['{"process": 1, "call": 0, "return": 1, "f": "lock", "output": true}'])], { model: 'lease-lock' }, /lock\.jsonl: line 1: model lease-lock expects f "acquire", "release" or "expire", got "lock"/],
      [[], { model: 'mutex' }, /give at least one history file/],
      [[file('empty.jsonl', [])], { model: 'mutex' }, /empty\.jsonl: no operations; expected a history with at least one operation/],
      [[file('deep.jsonl', [`${'['.repeat(5000)}${']'.repeat(5000)}`])], { model: 'mutex' }, /deep\.jsonl: line 1: expected an operation object like .*, got \[\[\[\[…\]\]\]\]$/m],
    ];
    for (const [files, flags, message] of cases) {
      const r = run(files, { ...flags, json: true });
      expect(r.code, String(message)).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.startsWith('locksim check: ')).toBe(true);
    }
    // Bad input in any file: no file is checked.
    const r = run([GOOD, file('bad-second.jsonl', ['nope'])], { model: 'fenced-mutex' });
    expect(r).toMatchObject({ code: 2, stdout: '' });
  });
});

/** Runs the whole command line in-process. */

/**
 * A kv history no search can refute quickly: 200 appends that never returned
 * (any subset of them may have taken effect, in any order), then `a` appended
 * before `b` in real time, and a get that saw `b` before `a`. Not
 * linearizable, but proving it means ruling out every order of the pending
 * appends that can come first.
 */
function hardKvHistory(): Operation[] {
  const ops: Operation[] = [];
  for (let i = 0; i < 200; i++) ops.push({ process: 1000 + i, call: i, return: null, f: 'append', key: 'k', input: `p${i};`, output: null });
  ops.push({ process: 1, call: 300, return: 310, f: 'append', key: 'k', input: 'a;', output: null });
  ops.push({ process: 1, call: 320, return: 330, f: 'append', key: 'k', input: 'b;', output: null });
  ops.push({ process: 2, call: 400, return: 410, f: 'get', key: 'k', input: null, output: 'b;a;' });
  return ops;
}

describe('check --timeout', () => {
  it('is in --help with its default, and a bad value exits 2 naming the flag', async () => {
    const help = await cli(['check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--timeout <duration>[\s\S]*\(default: 30s\)/);
    expect(help.stdout).toMatch(/"timeout"[\s\S]*"step budget"[\s\S]*200,000,000 steps[\s\S]*"memory cap"/);
    for (const value of ['0', 'abc', '30', '-1s', '0ms', '']) {
      const r = await cli(['check', GOOD, '--model', 'fenced-mutex', '--timeout', value, '--json']);
      expect(r.code, value).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`option '--timeout <duration>' argument '${value}' is invalid`);
      expect(r.stderr).toMatch(/expected a duration above zero with a unit, such as 30s/);
    }
    for (const value of ['30s', '500ms', '2m', '1.5s']) expect((await cli(['check', GOOD, '--model', 'fenced-mutex', '--timeout', value])).code, value).toBe(0);
  });

  it('a history with 200 never-returned operations finishes or says unknown within --timeout 2s', async () => {
    const leased = generateLockHistory({ ops: 2000, processes: 8, seed: 11, tokens: true, crashRate: 0.1, leaseUs: 3000 });
    expect(leased.filter((op) => op.return === null)).toHaveLength(200);
    const hard = hardKvHistory();
    const cases: Array<[string, string, boolean]> = [
      [file('crashed-200.jsonl', leased), 'lease-lock', true],
      [file('pending-200.jsonl', hard), 'kv', false],
    ];
    for (const [path, model, linearizable] of cases) {
      const start = performance.now();
      const r = await cli(['check', path, '--model', model, '--timeout', '2s', '--json']);
      const wallMs = performance.now() - start;
      const doc = JSON.parse(r.stdout) as { ok: unknown; reason?: string };
      // Either the right verdict, or "unknown" because the time ran out: never the wrong verdict.
      if (doc.ok === 'unknown') {
        expect(doc.reason, path).toBe('timeout');
        expect(r.code).toBe(0);
      } else {
        expect(doc.ok, path).toBe(linearizable);
        expect(r.code).toBe(linearizable ? 0 : 1);
      }
      expect(wallMs, path).toBeLessThan(15_000);
    }
    // The text names the reason too.
    const text = await cli(['check', cases[1][0], '--model', 'kv', '--timeout', '300ms']);
    expect(text.stdout).toMatch(/^(\? .*pending-200\.jsonl: unknown \(timeout\) — no verdict within --timeout 300ms|✗ .*pending-200\.jsonl: NOT linearizable)/);
  }, 60_000);

  it('a 100,000-op history finishes or says unknown within --timeout 2s', async () => {
    const ops = generateLockHistory({ ops: 100_000, processes: 8, seed: 5, tokens: true });
    const path = file('big-100k.jsonl', ops);
    const start = performance.now();
    const r = await cli(['check', path, '--model', 'fenced-mutex', '--timeout', '2s', '--json']);
    const wallMs = performance.now() - start;
    const doc = JSON.parse(r.stdout) as { ok: unknown; reason?: string; ops: number };
    expect(r.code).toBe(0);
    expect(doc.ops).toBe(100_000);
    if (doc.ok === 'unknown') expect(doc.reason).toBe('timeout');
    else expect(doc.ok).toBe(true);
    expect(wallMs).toBeLessThan(15_000);
  }, 60_000);
});
