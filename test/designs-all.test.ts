/**
 * `"designs": "all"` and skipping with a reason (SPEC §6): "all" loads
 * every registered design in registry order; a design a fault cannot apply
 * to (`leader` on leaderless Redlock, `holder` on lock-free cas, a fixed
 * node the design does not run) is skipped with the reason — a
 * `DesignResult` with `skipped`, no checks, `safe` null, expectations met —
 * and `run` exits 0 for it, printing why; the report says until when each
 * fault lasted. The golden file's way round it
 * (`runInapplicable`) still runs such a design.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFault, renderRun } from '../reports/render-run.ts';
import { cli } from './support/cli.ts';
import type { RunResult } from '../sim/harness/result.ts';
import { InputError } from '../sim/scenario/errors.ts';
import { DESIGNS, parseScenario, runScenario } from './support/designs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'locksim-designs-all-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BASE = {
  seed: 1,
  duration: '20s',
  livenessWithin: '10s',
  workload: { clients: 3, sections: 5, hold: '200ms', think: '300ms', acquireTimeout: '5s', fencing: 'writes' },
};
const LEADER_PAUSE = { at: '2s', kind: 'pause', target: 'leader', duration: '1s' };


function writeScenario(name: string, raw: Record<string, unknown>): string {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, ...raw }));
  return file;
}

describe('"designs": "all"', () => {
  it('stands for every registered design, in registry order', () => {
    const scenario = parseScenario({ ...BASE, designs: 'all' }, 'all.json');
    expect(scenario.designs).toEqual(DESIGNS.names);
    expect(scenario.designs).toEqual(['redis', 'redlock', 'raft-lock', 'zookeeper', 'cas']);
    const result = runScenario(scenario);
    expect(result.results.map((r) => r.design)).toEqual(DESIGNS.names);
    for (const r of result.results) {
      expect(r.skipped, r.design).toBeUndefined();
      expect(r.events, r.design).toBeGreaterThan(0);
      expect(r.checks.liveness?.ok, `${r.design}: ${r.checks.liveness?.detail}`).toBe(true);
    }
  });

  it('lets expect and config name any registered design', () => {
    const scenario = parseScenario({ ...BASE, designs: 'all', config: { zookeeper: { sessionTimeout: '6s' } }, expect: { cas: { mutualExclusion: null } } }, 'all.json');
    expect(scenario.config.zookeeper).toEqual({ sessionTimeout: '6s' });
    expect(scenario.expect.cas).toEqual({ mutualExclusion: null });
  });

  it('refuses any other string, naming the field and what was wanted', () => {
    expect(() => parseScenario({ ...BASE, designs: 'every' }, 'bad.json')).toThrow(InputError);
    expect(() => parseScenario({ ...BASE, designs: 'every' }, 'bad.json')).toThrow(/designs.*"all" for every design.*"every"/);
  });
});

describe('a design a fault cannot apply to is skipped with a reason', () => {
  it('a leader target on leaderless Redlock; the designs with a leader (a single primary included) run', () => {
    const result = runScenario(parseScenario({ ...BASE, designs: 'all', faults: [LEADER_PAUSE], expect: { redlock: { mutualExclusion: false } } }, 'leader.json'));
    const redlock = result.results.find((r) => r.design === 'redlock')!;
    expect(redlock.skipped).toMatch(/fault\[0\] \(pause\) targets the leader, and redlock has none: its lock is held on a quorum of 3 of 5/);
    expect(redlock).toMatchObject({ traceHash: '', events: 0, safe: null, checks: {}, faults: [], expect: { met: true, mismatches: [] } });
    for (const r of result.results.filter((x) => x.design !== 'redlock')) {
      expect(r.skipped, r.design).toBeUndefined();
      expect(r.faults[0].resolved?.leader, r.design).toHaveLength(1);
    }
  });

  it('a holder target on lock-free cas, and a fixed node the design does not run', () => {
    const holder = runScenario(parseScenario({ ...BASE, designs: ['redis', 'cas'], faults: [{ at: '2s', kind: 'pause', target: 'holder', duration: '1s' }] }, 'holder.json'));
    expect(holder.results.map((r) => r.skipped ?? 'ran')).toEqual(['ran', 'fault[0] (pause) targets the holder, and cas is not a lock: no client ever holds one']);
    const s3 = runScenario(parseScenario({ ...BASE, designs: ['redis', 'raft-lock'], faults: [{ at: '2s', kind: 'crash', target: 's3', restartAfter: '1s' }] }, 's3.json'));
    expect(s3.results[0].skipped).toMatch(/fault\[0\] \(crash\) names s3, which redis does not run here \(1 server, 3 clients\)/);
    expect(s3.results[1].skipped).toBeUndefined();
    const trigger = runScenario(parseScenario({ ...BASE, designs: ['redis', 'raft-lock'], faults: [{ on: { event: 'granted', node: 's4' }, kind: 'pause', target: 'c1', duration: '1s' }] }, 'on-s4.json'));
    expect(trigger.results[0].skipped).toMatch(/waits for "granted" at s4, which redis does not run/);
    expect(trigger.results[1].skipped).toBeUndefined();
  });

  it('runInapplicable runs it anyway (the golden hashes pin every scenario on every design)', () => {
    const scenario = parseScenario({ ...BASE, designs: ['redlock'], faults: [LEADER_PAUSE] }, 'leader.json');
    const forced = runScenario(scenario, { runInapplicable: true }).results[0];
    expect(forced.skipped).toBeUndefined();
    expect(forced.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(forced.faults[0].resolved?.leader).toEqual(['s1']);
  });

  it('`run` exits 0 for a skipped design even against a failing expectation, and prints why', async () => {
    const file = writeScenario('leader-pause', { ...BASE, designs: ['redlock', 'raft-lock'], faults: [LEADER_PAUSE], expect: { redlock: { mutualExclusion: false, liveness: false } } });
    const text = await cli(['run', file]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}redlock skipped: fault\[0\] \(pause\) targets the leader/m);
    expect(text.stdout).toMatch(/^ {2}redlock: skipped \(its expectations do not count\)$/m);
    const json = await cli(['run', file, '--json', '--design', 'redlock']);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as RunResult;
    expect(result.results).toHaveLength(1);
    expect(result.results[0]).toMatchObject({ design: 'redlock', safe: null, checks: {}, expect: { met: true } });
    expect(result.results[0].skipped).toMatch(/has none/);
  });
});

describe('the terminal report', () => {
  it('shows a skipped design as skipped, with its reason, and liveness and recovery for the rest', () => {
    const result = runScenario(parseScenario({ ...BASE, designs: ['redlock', 'redis'], faults: [LEADER_PAUSE] }, 'leader.json'));
    const text = renderRun(result, { argument: 'leader.json', seed: 1, designFlag: undefined, description: '', expect: {} }, new Chalk({ level: 0 }));
    const row = (label: string): string[] => text.split('\n').find((l) => l.startsWith(`│ ${label} `))!.split('│').slice(2, -1).map((c) => c.trim());
    expect(row('liveness')).toEqual(['skipped', 'ok']);
    expect(row('safe')).toEqual(['skipped', 'yes']);
    expect(row('sections')[0]).toBe('-');
    expect(row('recovery')[0]).toBe('-');
    expect(row('recovery')[1]).toMatch(/^\d+(\.\d)?ms$|^\d+\.\d\ds$/);
    expect(text).toMatch(/redlock skipped: fault\[0\] \(pause\) targets the leader/);
    expect(text).not.toMatch(/^ {2}redlock$/m);
  });

  it('says until when each fault lasted, or that it never ended', () => {
    const plain = new Chalk({ level: 0 });
    const base = { index: 0, kind: 'partition', firedAt: 2_000_000, targets: ['s1', 'c1'], effect: { linksCut: 2 } };
    expect(describeFault({ ...base, endedAt: 7_000_000 }, plain)).toBe('#0 partition at 2s on s1 c1: linksCut=2 (until 7s)');
    expect(describeFault({ ...base, endedAt: null }, plain)).toBe('#0 partition at 2s on s1 c1: linksCut=2 (never ended)');
    expect(describeFault({ ...base, kind: 'clock-jump', endedAt: 2_000_000 }, plain)).toBe('#0 clock-jump at 2s on s1 c1: linksCut=2');
  });
});
