/**
 * The terminal renderer (reports/render-run.ts), as pure functions of a
 * result: "no expectations" instead of "met" when a design had none, whom
 * each fault hit (targets, what `leader` / `holder` / `servers` / `clients`
 * resolved to, a partition's sides, why a fault did nothing), its local
 * copies of the check order and time format agreeing with the originals,
 * and `reports/` importing only types (linted).
 */
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { formatUs as apiFormatUs } from '../algorithms/api/time.ts';
import { CHECK_ORDER, describeFault, renderRun, type RunHeader } from '../reports/render-run.ts';
import { compactNames, formatUs } from '../reports/text-format.ts';
import type { DesignResult, FaultReport, RunResult } from '../sim/harness/result.ts';
import { CHECK_NAMES } from '../sim/scenario/types.ts';

const plain = new Chalk({ level: 0 });

function design(name: string, faults: FaultReport[] = [], met = true): DesignResult {
  return {
    design: name,
    traceHash: '0123456789abcdef',
    events: 100,
    safe: true,
    checks: { mutualExclusion: { ok: true }, fencing: { ok: true }, resource: { ok: true }, linearizable: { ok: true } },
    metrics: { sections: 3, acquireP50Ms: 1, acquireP99Ms: 2, failedAcquires: 0, messages: 10, unavailableMs: 0 },
    expect: met ? { met: true, mismatches: [] } : { met: false, mismatches: [{ check: 'mutualExclusion', expected: false, actual: true }] },
    faults,
    simulatedUs: 10_000_000,
  };
}

const header = (expect: RunHeader['expect']): RunHeader => ({ argument: 'x.json', seed: 1, designFlag: undefined, description: '', expect });
const result = (...results: DesignResult[]): RunResult => ({ scenario: 'x', seed: 1, results });
/** The table row of `label`, cells trimmed. */
const row = (text: string, label: string): string[] => {
  const line = text.split('\n').find((l) => l.startsWith(`│ ${label} `));
  expect(line, label).toBeDefined();
  return line!.split('│').slice(2, -1).map((cell) => cell.trim());
};

describe('expectations', () => {
  it('says "no expectations" for a design the scenario set none for, "met" for one it did', () => {
    const text = renderRun(result(design('redis'), design('redlock')), header({ redlock: { mutualExclusion: true } }), plain);
    expect(row(text, 'expect')).toEqual(['no expectations', 'met']);
    expect(text).toMatch(/^ {2}redis: no expectations$/m);
    expect(text).toMatch(/^ {2}redlock: met$/m);
    expect(text).toMatch(/^every expectation held$/m);
  });

  it('says so when the scenario sets no expectation at all, never "met"', () => {
    const text = renderRun(result(design('redis')), header({}), plain);
    expect(row(text, 'expect')).toEqual(['no expectations']);
    expect(text).not.toMatch(/\bmet\b/);
    expect(text).toMatch(/the scenario sets no expectations/);
  });

  it('an empty expect entry counts as none; a missed one is MISSED', () => {
    const text = renderRun(result(design('redis'), design('cas', [], false)), header({ redis: {}, cas: { mutualExclusion: false } }), plain);
    expect(row(text, 'expect')).toEqual(['no expectations', 'MISSED (1)']);
    expect(text).toMatch(/cas: MISSED: mutualExclusion expected false, got true/);
  });
});

describe('faults say whom they hit', () => {
  const fault = (f: Partial<FaultReport> & Pick<FaultReport, 'index' | 'kind'>): FaultReport => ({ firedAt: 2_000_000, targets: [], effect: {}, ...f });

  it.each<[string, FaultReport, string]>([
    ['a plain target', fault({ index: 0, kind: 'pause', targets: ['c1'], effect: { eventsDeferred: 3 } }), '#0 pause at 2s on c1: eventsDeferred=3'],
    ['what leader resolved to', fault({ index: 1, kind: 'crash', targets: ['s1'], resolved: { leader: ['s1'] }, effect: { crashed: 1 } }), '#1 crash at 2s on leader = s1: crashed=1'],
    ['what clients resolved to', fault({ index: 2, kind: 'crash', targets: ['c1', 'c2', 'c3'], resolved: { clients: ['c1', 'c2', 'c3'] }, effect: { crashed: 3 } }), '#2 crash at 2s on clients = c1 c2 c3: crashed=3'],
    ['a holder that was nobody, and why it did nothing', fault({ index: 3, kind: 'pause', resolved: { holder: [] }, skipped: 'no client held the lock at that moment' }), '#3 pause at 2s on holder = nobody: did nothing: no client held the lock at that moment'],
    [
      'a partition\'s sides',
      fault({ index: 4, kind: 'partition', targets: ['c1', 'c2', 'c3', 's1', 's2', 's3', 's4', 's5'], sides: [['s1', 'c1'], ['s2', 's3', 's4', 's5', 'c2', 'c3']], effect: { linksCut: 24 } }),
      '#4 partition [s1 c1 | s2 s3 s4 s5 c2 c3] at 2s: linksCut=24',
    ],
    [
      'a partition\'s sides and the leader it isolated',
      fault({ index: 5, kind: 'partition', targets: ['s3'], resolved: { leader: ['s3'] }, sides: [['s3'], ['s1', 's2', 's4', 's5', 'c1']], effect: { linksCut: 10 } }),
      '#5 partition [s3 | s1 s2 s4 s5 c1] at 2s (leader = s3): linksCut=10',
    ],
    ['a fault that never fired, with the reason', fault({ index: 6, kind: 'heal', firedAt: null, skipped: 'its trigger never happened' }), '#6 heal: never fired (its trigger never happened)'],
    ['a target that is not in this design', fault({ index: 7, kind: 'pause', skipped: 'no node s5 in this design' }), '#7 pause at 2s: did nothing: no node s5 in this design'],
    ['no effect counted', fault({ index: 8, kind: 'clock-jump', targets: ['s2'] }), '#8 clock-jump at 2s on s2: (no effect counted)'],
  ])('%s', (_what, report, line) => {
    expect(describeFault(report, plain)).toBe(line);
  });

  it('renders under each design in the whole report', () => {
    const f = fault({ index: 0, kind: 'partition', targets: ['s1'], resolved: { leader: ['s1'] }, sides: [['s1'], ['s2', 's3']], effect: { linksCut: 4 } });
    const text = renderRun(result(design('redlock', [f])), header({}), plain);
    expect(text).toContain('faults\n  redlock\n    #0 partition [s1 | s2 s3] at 2s (leader = s1): linksCut=4\n');
  });

  it('shortens long runs of node names', () => {
    const clients = Array.from({ length: 100 }, (_, i) => `c${i + 1}`);
    expect(compactNames(['s1', 's2', 's3', 's4', 's5', ...clients])).toBe('s1..s5 c1..c100');
    expect(compactNames(['s2', 's3', 's4', 's5', 'c2', 'c4'])).toBe('s2 s3 s4 s5 c2 c4');
  });
});

describe('local copies stay in step', () => {
  it('CHECK_ORDER is the scenario loader\'s CHECK_NAMES', () => {
    expect([...CHECK_ORDER]).toEqual([...CHECK_NAMES]);
  });

  it('formatUs formats as the designs\' API does', () => {
    for (const us of [0, 1, 999, 1000, 1500, 5_694, 999_999, 1_000_000, 10_060_057, -5_000_000, 3_600_000_000]) expect(formatUs(us)).toBe(apiFormatUs(us));
  });

  it('reports/ imports only types from the rest of the repository (lint clean)', async () => {
    const eslint = new ESLint({ cwd: fileURLToPath(new URL('..', import.meta.url)) });
    const results = await eslint.lintFiles(['reports/**/*.ts']);
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`))).toEqual([]);
  }, 30_000);
});
