/**
 * The pieces of sim/suite on their own: code-point ordering and discovery
 * (folders not recursed, duplicate names refused, the built-in list),
 * round-robin shards, the summary's aggregation (skipped designs, lower
 * medians), the matrix cells, the out folder's staging, merge refusals, and
 * a worker's bad input surfacing as an InputError across threads.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import { cellOf } from '../reports/render-suite.ts';
import { workerUrl } from '../sim/cli/worker-url.ts';
import type { DesignResult, RunResult } from '../sim/harness/result.ts';
import { InputError } from '../sim/scenario/errors.ts';
import { listBuiltinScenarios } from '../sim/scenario/load.ts';
import { byCodePoint, discoverScenarios } from '../sim/suite/discover.ts';
import { mergeFolders } from '../sim/suite/merge.ts';
import { checkOutName, openOutFolder } from '../sim/suite/out-folder.ts';
import { runJobs } from '../sim/suite/pool.ts';
import { chooseShard, parseShard, selectShard } from '../sim/suite/shard.ts';
import { lowerMedian, summariseDesign } from '../sim/suite/summary.ts';
import { SUITE_NAMES, writeSuiteScenarios } from './suite-fixtures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'locksim-suite-units-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function result(over: Partial<DesignResult> & { skipped?: string } = {}): DesignResult {
  return {
    design: 'redis',
    traceHash: 'x',
    events: 1,
    safe: true,
    checks: { mutualExclusion: { ok: true }, fencing: { ok: true }, resource: { ok: true }, linearizable: { ok: true } },
    metrics: { sections: 10, acquireP50Ms: 1, acquireP99Ms: 5, failedAcquires: 0, messages: 100, unavailableMs: 0 },
    expect: { met: true, mismatches: [] },
    faults: [],
    simulatedUs: 1,
    ...over,
  } as DesignResult;
}

describe('ordering and discovery', () => {
  it('sorts by code point, not by locale', () => {
    expect(['b', 'a', 'B', 'é', 'A-upper', 'a-lower'].sort(byCodePoint)).toEqual(['A-upper', 'B', 'a', 'a-lower', 'b', 'é']);
  });

  it('a folder stands for the scenario files directly in it (subfolders and other files ignored), sorted by name', () => {
    const dir = join(tmp, 'found');
    writeSuiteScenarios(dir);
    const found = discoverScenarios(DESIGNS, { args: [dir] });
    expect(found.map((s) => s.name)).toEqual(SUITE_NAMES);
    expect(found.find((s) => s.name === 'calm-locks')!.designs).toEqual(['redis', 'redlock', 'cas']);
    // A folder and a file in it: the file once.
    expect(discoverScenarios(DESIGNS, { args: [dir, join(dir, 'b-pause.json')] }).map((s) => s.name)).toEqual(SUITE_NAMES);
  });

  it('refuses two files with one scenario name, an empty folder, and a --design no scenario runs', () => {
    const dir = join(tmp, 'dupes');
    writeSuiteScenarios(dir);
    const other = join(tmp, 'other.json');
    writeFileSync(other, JSON.stringify({ name: 'calm-raft', designs: ['redis'] }));
    expect(() => discoverScenarios(DESIGNS, { args: [dir, other] })).toThrow(/other\.json: name: scenario name "calm-raft" is also the name of .*calm-raft\.json/);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect(() => discoverScenarios(DESIGNS, { args: [empty] })).toThrow(InputError);
    expect(() => discoverScenarios(DESIGNS, { args: [join(dir, 'calm-raft.json')], designs: ['redis'] })).toThrow(/--design: no scenario runs on redis/);
  });

  it('with no argument, the built-in suite: every built-in scenario, in code-point order', () => {
    const names = listBuiltinScenarios().map((s) => s.name);
    expect(discoverScenarios(DESIGNS, { args: [] }).map((s) => s.name)).toEqual([...names].sort(byCodePoint));
  });
});

describe('shards', () => {
  it('round-robin: the n shards cover every scenario exactly once', () => {
    const list = Array.from({ length: 11 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    for (const n of [1, 2, 3, 4, 11, 15]) {
      const parts = Array.from({ length: n }, (_, i) => selectShard(list, { index: i + 1, count: n }));
      expect(parts.flat().sort()).toEqual(list);
      parts.forEach((part, i) => part.forEach((name) => expect(list.indexOf(name) % n).toBe(i)));
    }
    expect(selectShard(list, undefined)).toEqual(list);
  });

  it('parses i/n and JOB_COMPLETION_INDEX', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(chooseShard(undefined, '4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(chooseShard(undefined, '4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
    expect(chooseShard(undefined, undefined, { JOB_COMPLETION_INDEX: '3' })).toBeUndefined();
    for (const bad of ['', '1', '1/', '/2', 'a/b', '-1/2', '1.5/2', '3/2']) expect(() => parseShard(bad), bad).toThrow(InputError);
    expect(() => chooseShard(undefined, '4', { JOB_COMPLETION_INDEX: '-1' })).toThrow(/JOB_COMPLETION_INDEX/);
  });
});

describe('summary', () => {
  it('lower median', () => {
    expect(lowerMedian([])).toBeNull();
    expect(lowerMedian([5])).toBe(5);
    expect(lowerMedian([4, 1, 3, 2])).toBe(2);
    expect(lowerMedian([3, 1, 2])).toBe(2);
  });

  it('counts runs, leaves skipped designs out, and aggregates metrics as documented', () => {
    const results = [
      result({ safe: true, metrics: { sections: 10, acquireP50Ms: 1, acquireP99Ms: 10, failedAcquires: 0, messages: 100, unavailableMs: 0, recoveryMs: 400 } }),
      result({ safe: false, expect: { met: false, mismatches: [{ check: 'fencing', expected: true, actual: false }, { check: 'resource', expected: true, actual: false }] }, metrics: { sections: 5, acquireP50Ms: 3, acquireP99Ms: 30, failedAcquires: 0, messages: 60, unavailableMs: 0, recoveryMs: 9000 } }),
      result({ safe: true, metrics: { sections: 0, acquireP50Ms: null, acquireP99Ms: null, failedAcquires: 0, messages: 1, unavailableMs: 0, recoveryMs: null } }),
      result({ skipped: 'no leader', safe: null, checks: {}, metrics: { sections: 0, acquireP50Ms: null, acquireP99Ms: null, failedAcquires: 0, messages: 0, unavailableMs: 0 } }),
    ];
    expect(summariseDesign(results)).toEqual({
      runs: 3,
      safe: 2,
      unsafe: 1,
      expectMismatches: 1,
      acquireP50Ms: 1,
      acquireP99Ms: 10,
      messagesPerSection: 10.7,
      recoveryMs: { p50: 400, max: 9000 },
    });
    expect(summariseDesign([])).toEqual({ runs: 0, safe: 0, unsafe: 0, expectMismatches: 0, acquireP50Ms: null, acquireP99Ms: null, messagesPerSection: null, recoveryMs: { p50: null, max: null } });
  });
});

describe('matrix cells', () => {
  it('says safe, the broken checks, unknown, skip, absent, and marks an expectation mismatch', () => {
    expect(cellOf(result()).text).toBe('safe');
    expect(cellOf(undefined)).toMatchObject({ text: '-', kind: 'absent' });
    expect(cellOf(result({ skipped: 'no leader', safe: null, checks: {} }))).toMatchObject({ text: 'skip', kind: 'skip' });
    const broken = result({ safe: false, checks: { mutualExclusion: { ok: false }, fencing: { ok: null }, resource: { ok: true }, linearizable: { ok: 'unknown' }, liveness: { ok: false } } });
    expect(cellOf(broken)).toMatchObject({ text: 'mutex✗ live✗ linear?', kind: 'broken', mismatch: false });
    expect(cellOf(result({ checks: { linearizable: { ok: 'unknown' } } })).text).toBe('linear?');
    const missed = result({ expect: { met: false, mismatches: [{ check: 'mutualExclusion', expected: false, actual: true }] } });
    expect(cellOf(missed)).toMatchObject({ text: 'safe!', mismatch: true });
  });
});

describe('out folder and merge', () => {
  it('stages files and commits them, or leaves nothing on abort', () => {
    const dir = join(tmp, 'run-folder', 'deep');
    const aborted = openOutFolder(dir, '--out');
    aborted.write('x/y.txt', 'half');
    aborted.abort();
    expect(existsSync(dir)).toBe(false);
    const out = openOutFolder(dir, '--out');
    out.write('suite.json', '{}\n');
    out.write('a.json', '{}\n');
    out.write('a/redis.trace.txt', 'line\n');
    expect(out.commit()).toEqual(['a/redis.trace.txt', 'a.json', 'suite.json']);
    expect(readdirSync(dir).sort()).toEqual(['a', 'a.json', 'suite.json']);
  });

  it('refuses scenario names that cannot be file names', () => {
    for (const bad of ['../x', 'a/b', '.hidden', '', 'a b', 'x\\y']) expect(() => checkOutName(bad, 'f.json', '--out', false), bad).toThrow(/f\.json: name: .* cannot name files in --out/);
    expect(() => checkOutName('suite', 'f.json', '--out', true)).toThrow(/would overwrite suite\.json/);
    expect(() => checkOutName('suite', 'f.json', '--out', false)).not.toThrow();
    expect(() => checkOutName('gc-pause_2.v1', 'f.json', '--out', true)).not.toThrow();
  });

  it('refuses sharded beside unsharded folders, and a scenario in two folders', () => {
    const doc = (shard: string | null, scenarios: string[]): string =>
      JSON.stringify({ suite: { scenarios: scenarios.length, designs: ['redis'], shard }, results: scenarios.map((scenario): RunResult => ({ scenario, seed: 1, results: [] })), summary: {} });
    const folder = (name: string, text: string): string => {
      const dir = join(tmp, 'merge', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'suite.json'), text);
      return dir;
    };
    const a = folder('a', doc(null, ['x']));
    const b = folder('b', doc('1/2', ['y']));
    const c = folder('c', doc(null, ['x', 'z']));
    const broken = folder('broken', '{"suite": {}}');
    expect(() => mergeFolders([a, b])).toThrow(/is null \(unsharded\) while .* is shard 1\/2/);
    expect(() => mergeFolders([a, c])).toThrow(/scenario "x" is also in/);
    expect(() => mergeFolders([broken])).toThrow(/broken[/\\]suite\.json: suite\.designs: not a list of design names/);
    expect(mergeFolders([folder('d', doc(null, ['z'])), a]).document.results.map((r) => r.scenario)).toEqual(['x', 'z']);
  });
});

describe('worker threads', () => {
  it('bad input inside a worker comes back as an InputError (exit 2), not a crash', async () => {
    const jobs = [0, 1, 2].map((index) => ({ index, scenario: `s${index}`, source: join(tmp, `missing-${index}.json`), design: 'redis' }));
    const error = await runJobs(jobs, { workers: 2, workerUrl: workerUrl(), registry: DESIGNS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/missing-0\.json: no such file, and no built-in scenario of that name/);
  });
});
