/**
 * The linearizability checker against Porcupine's own test histories: every
 * file in test/fixtures/porcupine/EXPECTED.tsv (copied from Porcupine) gets exactly the expected
 * verdict (102 Jepsen etcd logs with cas-register, 6 kv logs with kv), and the
 * non-partitioned map-state kv model agrees on the kv files Porcupine runs it
 * on (1 and 10 clients).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkOperations, getModel, kvMapModel, parseHistory, type Model } from '../sim/checker/linearizability/index.ts';

/** The Porcupine histories vendored with the repository (with their licence note): a fresh clone tests on its own. */
const DIR = fileURLToPath(new URL('./fixtures/porcupine/', import.meta.url));

interface Row {
  file: string;
  expected: boolean;
  ops: number;
}

const ROWS: Row[] = readFileSync(path.join(DIR, 'EXPECTED.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .filter((cols) => cols[1] === 'yes' || cols[1] === 'no')
  .map((cols) => ({ file: cols[0], expected: cols[1] === 'yes', ops: Number(cols[4]) }));

function verdict(row: Row, model: Model): boolean | 'unknown' {
  const format = row.file.includes('/jepsen/') ? 'porcupine-etcd' : 'porcupine-kv';
  const ops = parseHistory(readFileSync(path.join(DIR, row.file), 'utf8'), format, row.file);
  expect(ops.length).toBe(row.ops);
  const result = checkOperations(ops, model);
  if (result.ok === false) expect(result.counterexample?.stuck.length).toBeGreaterThan(0);
  return result.ok;
}

describe('Porcupine histories (EXPECTED.tsv)', () => {
  it('lists 102 etcd histories and 6 kv histories with a verdict', () => {
    expect(ROWS.filter((r) => r.file.includes('/jepsen/'))).toHaveLength(102);
    expect(ROWS.filter((r) => r.file.includes('/kv/'))).toHaveLength(6);
  });

  it('gives every etcd history its expected verdict with cas-register', () => {
    const model = getModel('cas-register');
    const wrong = ROWS.filter((r) => r.file.includes('/jepsen/'))
      .map((r) => ({ file: r.file, expected: r.expected, got: verdict(r, model) }))
      .filter((r) => r.got !== r.expected);
    expect(wrong).toEqual([]);
  });

  it('gives every kv history its expected verdict with kv (partitioned by key)', () => {
    const model = getModel('kv');
    const got = ROWS.filter((r) => r.file.includes('/kv/')).map((r) => [r.file, verdict(r, model)]);
    expect(got).toEqual(ROWS.filter((r) => r.file.includes('/kv/')).map((r) => [r.file, r.expected]));
  });

  it('gives the same kv verdicts with one map-valued state and no partitioning (c01, c10)', () => {
    const rows = ROWS.filter((r) => /\/c(01|10)-/.test(r.file));
    expect(rows).toHaveLength(4);
    const got = rows.map((r) => [r.file, verdict(r, kvMapModel as Model)]);
    expect(got).toEqual(rows.map((r) => [r.file, r.expected]));
  });

  it('counts 10 partitions for the 10-key histories and stops at an illegal one', () => {
    const text = readFileSync(path.join(DIR, 'test_data/kv/c10-bad.txt'), 'utf8');
    const result = checkOperations(parseHistory(text, 'porcupine-kv', 'c10-bad.txt'), getModel('kv'));
    expect(result.ok).toBe(false);
    expect(result.partitions).toBe(10);
    const cx = result.counterexample;
    expect(cx).toBeDefined();
    const keys = new Set([...(cx?.stuck ?? []), ...(cx?.longestLinearization ?? [])].map((d) => d.op.key));
    expect(keys.size).toBe(1); // everything in a counterexample comes from the one illegal partition
  });
});
