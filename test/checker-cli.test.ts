/**
 * `runCheck` (the `check` command): exit codes 0 / 1 / 2, the `--json`
 * shapes (one object for one file, an array for several), the text verdicts
 * and counterexample, and bad input reported on stderr with nothing on stdout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck, type CheckFlags } from '../sim/cli/commands/check.ts';

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

  it('says unknown, without failing, when the budget runs out', () => {
    const r = run([GOOD], { model: 'fenced-mutex', budgetSteps: 1 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\? .*good\.jsonl: unknown — the step budget ran out before a verdict \(not a failure\)/);
    expect(JSON.parse(run([GOOD], { model: 'fenced-mutex', budgetSteps: 1, json: true }).stdout)).toMatchObject({ ok: 'unknown' });
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
