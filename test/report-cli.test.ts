/**
 * `run --report`, `suite --report` and `report` (SPEC §2, §8) through the
 * CLI: the files they write, what they merge (suite shards' run folders, a
 * `run --json` result, fuzz findings replayed), Markdown, and bad input
 * (exit 2, the file and the JSON path named, nothing written).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'locksim-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hooks(html: string, attribute: string): string[] {
  const { document } = parseHTML(html);
  return [...document.querySelectorAll(`[${attribute}]`)].map((el) => el.getAttribute(attribute)!);
}

describe('run --report', () => {
  it('writes the HTML report with every design\'s timeline, while --json stays without timelines', async () => {
    const file = join(dir, 'gc.html');
    const { code, stdout, stderr } = await cli(['run', 'gc-pause', '--report', file, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.results.every((r: { timeline?: unknown }) => r.timeline === undefined)).toBe(true);
    expect(stderr).toMatch(/report written to .*gc\.html/);
    const html = readFileSync(file, 'utf8');
    expect(hooks(html, 'data-run').filter((k) => k.startsWith('gc-pause/')).sort()).toEqual(result.results.map((r: { design: string }) => `gc-pause/${r.design}`).sort());
    // The redis run's first mutualExclusion violation is marked at its true time.
    const redis = result.results.find((r: { design: string }) => r.design === 'redis');
    const at = String(redis.checks.mutualExclusion.violations[0].at);
    const { document } = parseHTML(html);
    const run = [...document.querySelectorAll('[data-run]')].find((el) => el.getAttribute('data-run') === 'gc-pause/redis')!;
    const marks = [...run.querySelectorAll('[data-violation="mutualExclusion"]')].map((el) => el.getAttribute('data-at'));
    expect(marks).toContain(at);
    expect(run.querySelectorAll('[data-hold]').length).toBeGreaterThan(10);
    expect(run.querySelectorAll('[data-fault="pause"]').length).toBe(1);
  });

  it('refuses a report path in a missing folder before running (exit 2, nothing written)', async () => {
    const { code, stderr } = await cli(['run', 'gc-pause', '--report', join(dir, 'missing', 'x.html')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--report: cannot write .*does not exist/);
  });
});

describe('suite --report and report over shards', () => {
  const scenarios = ['gc-pause', 'clock-jump-forward', 'raft-leader-isolated'];

  it('suite --report draws every run; report merges two shards\' folders into the same runs', async () => {
    const whole = join(dir, 'suite.html');
    const suite = await cli(['suite', ...scenarios, '--workers', '1', '--report', whole]);
    expect(suite.code).toBe(0);
    expect(suite.stderr).toMatch(/suite: report written to/);
    const runsWhole = hooks(readFileSync(whole, 'utf8'), 'data-run');

    const a = join(dir, 'shard-1');
    const b = join(dir, 'shard-2');
    expect((await cli(['suite', ...scenarios, '--workers', '1', '--shard', '1/2', '--out', a])).code).toBe(0);
    expect((await cli(['suite', ...scenarios, '--workers', '1', '--shard', '2/2', '--out', b])).code).toBe(0);
    const merged = join(dir, 'merged.html');
    const report = await cli(['report', a, b, '--out', merged]);
    expect(report.code).toBe(0);
    expect(report.stderr).toMatch(/HTML report of 3 runs written to/);
    const html = readFileSync(merged, 'utf8');
    expect(hooks(html, 'data-run').sort()).toEqual([...runsWhole].sort());
    // Timelines came from the folders: lanes and holds are drawn.
    expect(hooks(html, 'data-lane').length).toBeGreaterThan(20);
    expect(hooks(html, 'data-hold').length).toBeGreaterThan(50);
    // Both shards merged: the report says no shard.
    expect(html).not.toMatch(/shard 1\/2/);

    const md = await cli(['report', a, b, '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/\| scenario \| redis \| redlock \| raft-lock \| zookeeper \| cas \|/);
    for (const s of scenarios) expect(md.stdout).toContain(`\`${s}\``);
  });

  it('a shard given twice with other results is refused naming both files', async () => {
    const a = join(dir, 'shard-2'); // scenario 1 of the sorted three goes to shard 2
    const copy = join(dir, 'other.json');
    const run = JSON.parse(readFileSync(join(a, 'gc-pause.json'), 'utf8'));
    run.results[0].traceHash = 'f'.repeat(16);
    writeFileSync(copy, JSON.stringify(run));
    const { code, stderr } = await cli(['report', a, copy, '--out', join(dir, 'never.html')]);
    expect(code).toBe(2);
    expect(stderr).toContain('other.json: scenario: "gc-pause" is also in');
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
  });
});

describe('report of a run result and of fuzz findings', () => {
  it('draws a run --json result (no timeline recorded) and replays fuzz findings to draw them', async () => {
    const result = join(dir, 'result.json');
    writeFileSync(result, (await cli(['run', 'gc-pause', '--design', 'redis', '--json'])).stdout);
    const fuzz = await cli(['fuzz', '--design', 'redlock', '--runs', '300', '--seed', '1', '--workers', '1', '--shrink', '1', '--json']);
    expect(fuzz.code).toBe(1);
    const findings = JSON.parse(fuzz.stdout).findings;
    expect(findings.length).toBeGreaterThan(0);
    const fuzzFile = join(dir, 'fuzz.json');
    writeFileSync(fuzzFile, fuzz.stdout);
    const out = join(dir, 'both.html');
    const { code } = await cli(['report', result, fuzzFile, '--out', out]);
    expect(code).toBe(0);
    const html = readFileSync(out, 'utf8');
    const runs = hooks(html, 'data-run');
    expect(runs).toContain('gc-pause/redis');
    const replayed = runs.filter((k) => k.startsWith('fuzz 1: mutualExclusion on redlock'));
    expect(replayed).toHaveLength(1);
    // The replayed finding breaks mutual exclusion again, marked on its timeline.
    const { document } = parseHTML(html);
    const el = [...document.querySelectorAll('[data-run]')].find((e) => e.getAttribute('data-run') === replayed[0])!;
    expect(el.querySelectorAll('[data-violation="mutualExclusion"]').length).toBeGreaterThan(0);
    expect(el.querySelectorAll('[data-lane]').length).toBeGreaterThan(0);
    // The finding's replay token is in the report.
    expect(html).toContain(findings[0].replay);
  }, 60_000);
});

describe('report: bad input', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a missing file', () => ['report', join(dir, 'nope.json'), '--out', join(dir, 'x.html')], /nope\.json: no such file or folder/],
    ['an empty file', () => ['report', write('empty.json', ''), '--out', join(dir, 'x.html')], /empty\.json: is empty/],
    ['JSON of another shape', () => ['report', write('other.json', '{"hello": 1}'), '--out', join(dir, 'x.html')], /other\.json: \(top level\): expected a run result/],
    ['a result without designs\' checks', () => ['report', write('bad.json', '{"scenario": "s", "seed": 1, "results": [{"design": "redis"}]}'), '--out', join(dir, 'x.html')], /bad\.json: results\[0\]\.checks: expected the checks object/],
    ['a syntax error', () => ['report', write('syntax.json', '{"scenario": \n oops'), '--out', join(dir, 'x.html')], /syntax\.json: line 2: JSON syntax error/],
    ['a folder without results', () => ['report', folder('emptydir'), '--out', join(dir, 'x.html')], /emptydir: no results in this folder/],
    ['HTML without --out', () => ['report', join(dir, 'result.json')], /--out: expected the HTML file to write/],
    ['an unknown format', () => ['report', join(dir, 'result.json'), '--format', 'pdf'], /--format: unknown format "pdf"; expected html or md/],
  ];
  it.each(cases)('%s: exit 2, named, nothing written', async (_name, args, message) => {
    const { code, stderr } = await cli(args());
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function folder(name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
}
