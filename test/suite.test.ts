/**
 * `locksim suite` (SPEC §2, §6), in-process through `main(argv, io)` and
 * once through the real bin/locksim.js (the bundle as the worker module):
 * byte-identical JSON whatever `--workers` is, shards that cover every
 * scenario once and merge back into the unsharded document,
 * JOB_COMPLETION_INDEX, bad shard syntax, the `--out` run folder (its
 * histories re-check with `locksim check` as the run said), `run --out`,
 * exit 1 on an expectation mismatch, the matrix and `--format md`.
 * Uses four small scenarios of its own (suite-fixtures.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli, type Captured } from './support/cli.ts';
import type { RunResult } from '../sim/harness/result.ts';
import { runResultJson, withoutTimelines } from '../sim/suite/document.ts';
import type { SuiteDocument } from '../sim/suite/types.ts';
import { PAUSE_SCENARIO, SUITE_NAMES, writeSuiteScenarios } from './suite-fixtures.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const ESC = '\u001b[';
const tmp = mkdtempSync(join(tmpdir(), 'locksim-suite-'));
const DIR = join(tmp, 'scenarios');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


function cli(args: string[], env: Record<string, string> = {}, isTTY = false): Promise<Captured> {
  return runCli(args, { env, isTTY });
}

/** The unsharded document, with one worker (this thread). */
let reference: Captured;

beforeAll(async () => {
  writeSuiteScenarios(DIR);
  reference = await cli(['suite', DIR, '--workers', '1', '--json']);
});

describe('suite --json', () => {
  it('prints the §6 document and nothing else: scenarios by code point, designs in registry order, no wall time', () => {
    expect(reference.code).toBe(0);
    const doc = JSON.parse(reference.stdout) as SuiteDocument;
    expect(doc.suite).toEqual({ scenarios: 4, designs: ['redis', 'redlock', 'raft-lock', 'zookeeper', 'cas'], shard: null });
    expect(doc.results.map((r) => r.scenario)).toEqual(SUITE_NAMES);
    expect(doc.results.find((r) => r.scenario === 'calm-locks')!.results.map((r) => r.design)).toEqual(['redis', 'redlock', 'cas']);
    expect(Object.keys(doc.summary)).toEqual(doc.suite.designs);
    expect(doc.summary.redis).toMatchObject({ runs: 3, safe: 2, unsafe: 1, expectMismatches: 0 });
    expect(Object.keys(doc.summary.redis)).toEqual(['runs', 'safe', 'unsafe', 'expectMismatches', 'acquireP50Ms', 'acquireP99Ms', 'messagesPerSection', 'recoveryMs']);
    expect(reference.stdout).not.toMatch(/wall|"ms"/i);
    expect(reference.stdout).not.toContain(ESC);
    expect(reference.stderr).toMatch(/^suite: 4 scenarios × 5 designs in \d+\.\d s on 1 worker\n$/);
  });

  it('--workers 2 gives byte-identical JSON to --workers 1', async () => {
    const two = await cli(['suite', DIR, '--workers', '2', '--json']);
    expect(two.code).toBe(0);
    expect(two.stderr).toMatch(/on 2 workers/);
    expect(two.stdout).toBe(reference.stdout);
  });

  it('each result is what `run <file> --json` prints', async () => {
    const run = await cli(['run', join(DIR, 'b-pause.json'), '--json']);
    const doc = JSON.parse(reference.stdout) as SuiteDocument;
    expect(JSON.parse(run.stdout)).toEqual(doc.results.find((r) => r.scenario === 'b-pause'));
  });

  it('--design keeps the designs in common, and drops scenarios left with none', async () => {
    const { code, stdout } = await cli(['suite', DIR, '--workers', '1', '--json', '--design', 'zookeeper,redis']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as SuiteDocument;
    expect(doc.suite.designs).toEqual(['redis', 'zookeeper']);
    expect(doc.results.map((r) => [r.scenario, r.results.map((d) => d.design)])).toEqual([
      ['A-upper', ['redis', 'zookeeper']],
      ['b-pause', ['redis']],
      ['calm-locks', ['redis']],
      ['calm-raft', ['zookeeper']],
    ]);
  });
});

describe('sharding and merging', () => {
  it('shards 1/3, 2/3, 3/3 cover every scenario exactly once, and --merge of their --out folders equals the unsharded document', async () => {
    const seen: string[] = [];
    const folders: string[] = [];
    for (const i of [1, 2, 3]) {
      const out = join(tmp, 'shards', `s${i}`);
      folders.push(out);
      const shard = await cli(['suite', DIR, '--workers', '1', '--shard', `${i}/3`, '--out', out, '--json']);
      expect(shard.code).toBe(0);
      const doc = JSON.parse(shard.stdout) as SuiteDocument;
      expect(doc.suite.shard).toBe(`${i}/3`);
      expect(doc.suite.designs).toEqual(['redis', 'redlock', 'raft-lock', 'zookeeper', 'cas']);
      expect(readFileSync(join(out, 'suite.json'), 'utf8')).toBe(shard.stdout);
      seen.push(...doc.results.map((r) => r.scenario));
    }
    expect([...seen].sort()).toEqual([...SUITE_NAMES].sort());
    // Round-robin: position k of the sorted list goes to shard (k mod 3) + 1.
    expect(seen).toEqual(['A-upper', 'calm-raft', 'b-pause', 'calm-locks']);

    const merged = await cli(['suite', '--merge', ...folders, '--json']);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe(reference.stdout);
    // In any order of the folders, and written as one run folder.
    const outAll = join(tmp, 'merged');
    const again = await cli(['suite', '--merge', folders[2], folders[0], folders[1], '--json', '--out', outAll]);
    expect(again.stdout).toBe(reference.stdout);
    expect(readFileSync(join(outAll, 'suite.json'), 'utf8')).toBe(reference.stdout);
    expect(existsSync(join(outAll, 'calm-raft', 'zookeeper.history.jsonl'))).toBe(true);

    const missing = await cli(['suite', '--merge', folders[0], folders[2]]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('shard 2/3 missing');
    const twice = await cli(['suite', '--merge', folders[0], folders[0], folders[1], folders[2]]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/shard 1\/3 is also/);
    const notAFolder = await cli(['suite', '--merge', join(tmp, 'nowhere')]);
    expect(notAFolder.code).toBe(2);
    expect(notAFolder.stderr).toMatch(/is not a folder/);
  });

  it('JOB_COMPLETION_INDEX with --shard-count n stands for --shard (index+1)/n', async () => {
    const viaEnv = await cli(['suite', DIR, '--workers', '1', '--shard-count', '3', '--json'], { JOB_COMPLETION_INDEX: '1' });
    const viaFlag = await cli(['suite', DIR, '--workers', '1', '--shard', '2/3', '--json']);
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toBe(viaFlag.stdout);
    expect((JSON.parse(viaEnv.stdout) as SuiteDocument).suite.shard).toBe('2/3');
    // Without --shard-count the variable is ignored.
    expect((await cli(['suite', DIR, '--workers', '1', '--json'], { JOB_COMPLETION_INDEX: '1' })).stdout).toBe(reference.stdout);
  });

  it.each([
    [['--shard', '0/3'], /--shard: "0\/3": i must be 1 to 3/],
    [['--shard', '4/3'], /i must be 1 to 3/],
    [['--shard', '2-3'], /--shard: "2-3" is not a shard; expected i\/n/],
    [['--shard', '1/0'], /n must be 1/],
    [['--shard-count', '3'], /--shard-count: needs JOB_COMPLETION_INDEX/],
    [['--shard-count', '3', '--shard', '1/3'], /not both/],
    [['--shard-count', 'x'], /--shard-count: "x" is not a shard count/],
  ])('bad shard input %j exits 2 with a clear message and no stack', async (flags, message) => {
    const { code, stdout, stderr } = await cli(['suite', DIR, ...flags]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad JOB_COMPLETION_INDEX exits 2 naming it', async () => {
    const { code, stderr } = await cli(['suite', DIR, '--shard-count', '3'], { JOB_COMPLETION_INDEX: '3' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/JOB_COMPLETION_INDEX: "3" is not a completion index for --shard-count 3; expected a whole number 0 to 2/);
  });
});

describe('the --out run folder', () => {
  it('holds each scenario\'s result, and per design a history that `locksim check` re-judges as the run did, and a trace', async () => {
    const out = join(tmp, 'out');
    const run = await cli(['suite', DIR, '--workers', '2', '--out', out, '--json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(reference.stdout);
    expect(readFileSync(join(out, 'suite.json'), 'utf8')).toBe(reference.stdout);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]); // no staging left behind
    const doc = JSON.parse(reference.stdout) as SuiteDocument;
    let checked = 0;
    for (const result of doc.results) {
      // The scenario's JSON is the document's entry plus each design's timeline (for `locksim report DIR`).
      const written = JSON.parse(readFileSync(join(out, `${result.scenario}.json`), 'utf8')) as RunResult;
      expect(written.results.every((r) => r.timeline !== undefined)).toBe(true);
      expect(withoutTimelines(written)).toEqual(result);
      for (const r of result.results) {
        const trace = readFileSync(join(out, result.scenario, `${r.design}.trace.txt`), 'utf8');
        expect(trace.startsWith(`# design ${r.design}, scenario ${result.scenario}`)).toBe(true);
        const lin = (r.checks as Record<string, { ok: unknown; model?: string }>).linearizable;
        const history = join(out, result.scenario, `${r.design}.history.jsonl`);
        const check = await cli(['check', history, '--model', lin.model!, '--json']);
        expect(JSON.parse(check.stdout).ok, `${result.scenario} ${r.design}`).toBe(lin.ok);
        checked++;
      }
    }
    expect(checked).toBe(8);
  });

  it('run --out writes the same files for one scenario', async () => {
    const out = join(tmp, 'run-out');
    const run = await cli(['run', join(DIR, 'calm-locks.json'), '--out', out, '--json']);
    expect(run.code).toBe(0);
    // The file is what --json prints plus each design's timeline.
    expect(runResultJson(withoutTimelines(JSON.parse(readFileSync(join(out, 'calm-locks.json'), 'utf8')) as RunResult))).toBe(run.stdout);
    expect(readdirSync(join(out, 'calm-locks')).sort()).toEqual(['cas.history.jsonl', 'cas.trace.txt', 'redis.history.jsonl', 'redis.trace.txt', 'redlock.history.jsonl', 'redlock.trace.txt']);
    const doc = JSON.parse(reference.stdout) as SuiteDocument;
    expect(JSON.parse(run.stdout)).toEqual(doc.results.find((r) => r.scenario === 'calm-locks'));
  });

  it('writes nothing when the input is bad', async () => {
    const bad = join(tmp, 'bad-scenarios');
    writeSuiteScenarios(bad);
    writeFileSync(join(bad, 'zz-broken.json'), JSON.stringify({ name: 'zz-broken', designs: ['redis'], duration: 'soon' }));
    const out = join(tmp, 'never');
    const { code, stderr } = await cli(['suite', bad, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/zz-broken\.json: duration/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('verdicts and exit codes', () => {
  it('exits 1 when an expectation fails, and the matrix marks the cell', async () => {
    const dir = join(tmp, 'wrong');
    writeSuiteScenarios(dir);
    writeFileSync(join(dir, 'b-pause.json'), JSON.stringify({ ...PAUSE_SCENARIO, expect: { redis: { mutualExclusion: true } } }));
    const text = await cli(['suite', dir, '--workers', '1']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/b-pause\s+│ mutex✗ resource✗!/);
    expect(text.stdout).toContain('b-pause / redis: mutualExclusion expected true, got false');
    const json = await cli(['suite', dir, '--workers', '1', '--json']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as SuiteDocument).summary.redis.expectMismatches).toBe(1);
  });

  it('the terminal matrix: a check failure by name, safe, absent designs; coloured only on a TTY', async () => {
    const plain = await cli(['suite', DIR, '--workers', '1']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain(ESC);
    const lines = plain.stdout.split('\n');
    expect(lines[0]).toBe('suite: 4 scenarios × 5 designs');
    const row = (name: string): string[] => lines.find((l) => l.startsWith(`│ ${name} `))!.split('│').slice(2, -1).map((c) => c.trim());
    expect(row('b-pause')).toEqual(['mutex✗ resource✗', '-', '-', '-', '-']);
    expect(row('calm-locks')).toEqual(['safe', 'safe', '-', '-', 'safe']);
    expect(plain.stdout).toMatch(/│ design\s+│ runs\s+│ safe\s+│ unsafe\s+│ expect≠\s+│ acquire p50/);
    expect(plain.stdout).toContain('every expectation held');
    const tty = await cli(['suite', DIR, '--workers', '1'], {}, true);
    expect(tty.stdout).toContain(ESC);
    expect((await cli(['suite', DIR, '--workers', '1'], { NO_COLOR: '1' }, true)).stdout).not.toContain(ESC);
  });

  it('--format md prints the same tables as Markdown', async () => {
    const { code, stdout } = await cli(['suite', DIR, '--workers', '1', '--format', 'md']);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('### locksim suite: 4 scenarios × 5 designs');
    expect(lines).toContain('| scenario | redis | redlock | raft-lock | zookeeper | cas |');
    expect(lines).toContain('| --- | --- | --- | --- | --- | --- |');
    expect(lines).toContain('| `b-pause` | mutex✗ resource✗ | - | - | - | - |');
    expect(lines.find((l) => l.startsWith('| design |'))).toBe('| design | runs | safe | unsafe | expect≠ | acquire p50 | acquire p99 | msgs/section | recovery p50 | recovery max | unavailable p50 |');
    expect(lines.find((l) => l.startsWith('| redis |'))).toMatch(/^\| redis \| 3 \| 2 \| 1 \| 0 \| /);
    expect(stdout).not.toContain(ESC);
    expect(stdout).toContain('Every expectation held.');
  });

  it('refuses --json with --format, an unknown format, and a bad --workers', async () => {
    expect((await cli(['suite', DIR, '--json', '--format', 'md'])).code).toBe(2);
    const unknown = await cli(['suite', DIR, '--format', 'html']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--format: unknown format "html"; expected text or md/);
    expect((await cli(['suite', DIR, '--workers', '0'])).code).toBe(2);
    expect((await cli(['suite', DIR, '--workers', 'many'])).code).toBe(2);
  });

  it('--timings writes wall times to a file, not into the document', async () => {
    const file = join(tmp, 'timings.json');
    const run = await cli(['suite', DIR, '--workers', '1', '--json', '--timings', file]);
    expect(run.stdout).toBe(reference.stdout);
    const timings = JSON.parse(readFileSync(file, 'utf8')) as { wallMs: number; workers: number; jobs: Array<{ scenario: string; design: string; ms: number }> };
    expect(timings.workers).toBe(1);
    expect(timings.wallMs).toBeGreaterThanOrEqual(0);
    expect(timings.jobs.map((j) => `${j.scenario}/${j.design}`)).toContain('b-pause/redis');
    expect(timings.jobs).toHaveLength(8);
  });
});

describe('through bin/locksim.js', () => {
  it('the bundled CLI on two worker threads prints the same document', () => {
    const child = spawnSync(process.execPath, [join(REPO, 'bin', 'locksim.js'), 'suite', DIR, '--workers', '2', '--json'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, LOCKSIM_NO_BUNDLE: '' } });
    expect(child.stderr).toMatch(/^suite: 4 scenarios × 5 designs in \d+\.\d s on 2 workers\n$/);
    expect(child.status).toBe(0);
    expect(child.stdout).toBe(reference.stdout);
  }, 60_000);
});
