/**
 * The run's timeline (`RunOptions.timeline`, sim/harness/timeline.ts): what
 * the built-in scenarios' timelines show (the paused holder's belief
 * overlapping the next holder's from the violation's instant, the pause
 * band on its lane, the stale write rejected with its token, a clock jump's
 * size on the clock track, Raft leaders changing under a partition, acquire
 * attempts matching the holds), that it is absent by default and changes
 * nothing else (every built-in scenario on every design still matches the
 * golden hashes, verdicts and metrics with it on), and where the CLI puts
 * it: `suite --out` / `run --out` files, never `--json`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesignResult, RunResult, Timeline } from '../sim/harness/result.ts';
import { listBuiltinScenarios } from '../sim/scenario/load.ts';
import { runResultJson, withoutTimelines } from '../sim/suite/document.ts';
import { runSuite } from '../sim/suite/run-suite.ts';
import type { SuiteDocument } from '../sim/suite/types.ts';
import { cli } from './support/cli.ts';
import { DESIGNS, loadScenarioFile, parseScenario, runScenario } from './support/designs.ts';
import { GOLDEN_FILE, type GoldenRow } from './support/golden-hashes.ts';

const S = 1_000_000;
const tmp = mkdtempSync(join(tmpdir(), 'locksim-timeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One design of a built-in scenario, with its timeline. */
function timed(name: string, design: string): DesignResult & { timeline: Timeline } {
  const scenario = loadScenarioFile(name, { extraDesigns: [design] });
  const result = runScenario(scenario, { designs: [design], timeline: true }).results[0];
  expect(result.timeline).toBeDefined();
  return result as DesignResult & { timeline: Timeline };
}

const NET = { latency: { min: '1ms', max: '5ms' }, loss: 0, duplicate: 0 };

describe('a GC-paused holder on Redis with fencing (gc-pause)', () => {
  let result: DesignResult & { timeline: Timeline };
  let t: Timeline;
  let violation: { at: number; nodes: readonly string[] };
  beforeAll(() => {
    result = timed('gc-pause', 'redis');
    t = result.timeline;
    violation = result.checks.mutualExclusion!.violations![0];
  });

  it('the paused holder\'s belief overlaps the next holder\'s, from the violation\'s instant', () => {
    const [first, second] = violation.nodes;
    const paused = t.holds.find((h) => h.client === first)!;
    const next = t.holds.find((h) => h.client === second && h.startUs >= paused.startUs)!;
    expect(paused.token).toBe(1);
    expect(next.token).toBe(2);
    expect(paused.endUs).not.toBeNull();
    const overlapFrom = Math.max(paused.startUs, next.startUs);
    const overlapTo = Math.min(paused.endUs!, next.endUs ?? t.endUs);
    expect(overlapTo).toBeGreaterThan(overlapFrom);
    expect(overlapFrom).toBe(violation.at);
    expect(paused.endReason).toBe('gave up: store rejected token 1');
  });

  it('the pause is a band on the paused client\'s lane, from the fault report\'s firedAt to endedAt', () => {
    const report = result.faults[0];
    expect(t.faults).toEqual([{ index: 0, kind: 'pause', targets: ['c1'], startUs: report.firedAt, endUs: report.endedAt }]);
    expect(report.endedAt! - report.firedAt!).toBe(15 * S);
    expect(t.lanes).toContainEqual({ node: 'c1', role: 'client' });
    // The lease ran out on the server while c1 slept, and the next grant went to c2 with token 2.
    const expiry = t.expiries.find((e) => e.owner === 'c1')!;
    expect(expiry).toMatchObject({ server: 's1', token: 1 });
    expect(expiry.released).toBeUndefined();
    expect(expiry.atUs).toBeGreaterThan(report.firedAt!);
    expect(expiry.atUs).toBeLessThan(report.endedAt!);
    expect(t.grants.find((g) => g.token === 2)).toMatchObject({ server: 's1', client: 'c2' });
  });

  it('the stale write shows as rejected by the store, with its token, after the pause', () => {
    const rejected = t.store.filter((a) => !a.accepted);
    expect(rejected.length).toBeGreaterThan(0);
    const stale = rejected[0];
    expect(stale).toMatchObject({ client: 'c1', kind: 'write', token: 1, accepted: false });
    expect(stale.reason).toMatch(/^token 1 < highest \d+$/);
    expect(stale.atUs).toBeGreaterThanOrEqual(result.faults[0].endedAt!);
    expect(rejected.length).toBe(result.metrics.staleTokensRejected);
  });

  it('lanes, readiness, the end, and a primary that leads throughout', () => {
    expect(t.lanes.map((l) => l.node)).toEqual(['s1', 'c1', 'c2', 'c3', 'store']);
    expect(t.readyUs).toBe(0);
    expect(t.endUs).toBe(result.simulatedUs);
    expect(t.leaders).toEqual([{ server: 's1', fromUs: 0, toUs: null, term: 0 }]);
    expect(t.clocks).toEqual([]);
  });

  it('every acquire ends no earlier than it began, and the granted ones are the holds', () => {
    expect(t.acquires.length).toBeGreaterThan(0);
    for (const a of t.acquires) expect(a.endUs).toBeGreaterThanOrEqual(a.startUs);
    expect(t.acquires.filter((a) => a.ok).length).toBe(t.holds.length);
    // Each hold begins the instant a granted acquire of its client returned.
    for (const h of t.holds) expect(t.acquires.some((a) => a.ok && a.client === h.client && a.endUs === h.startUs)).toBe(true);
  });
});

describe('clocks', () => {
  it('redlock-clock-jump: s3\'s track steps by the jump\'s +20 s at the fault\'s time and stays there', () => {
    const result = timed('redlock-clock-jump', 'redlock');
    const t = result.timeline;
    const jump = result.faults.find((f) => f.kind === 'clock-jump')!;
    expect(t.clocks).toEqual([{ node: 's3', points: [[jump.firedAt, 0], [jump.firedAt, 20 * S], [t.endUs, 20 * S]] }]);
    expect(t.faults.find((f) => f.kind === 'clock-jump')).toEqual({ index: 1, kind: 'clock-jump', targets: ['s3'], startUs: jump.firedAt, endUs: jump.firedAt });
    // The cut partition has no sides; its band lasts to the end (null).
    expect(t.faults.find((f) => f.kind === 'partition')).toMatchObject({ startUs: 0, endUs: null });
    expect(t.leaders).toEqual([]); // Redlock's lock lives on a quorum of independent servers
    expect(result.checks.mutualExclusion!.ok).toBe(false);
  });

  it('a timed drift and a backward jump: the offset grows at the drift\'s rate, holds, then steps back (points are the node\'s own readings)', () => {
    const scenario = parseScenario(
      {
        name: 'drift-then-jump', seed: 4, duration: '12s', designs: ['redis'], network: NET,
        workload: { clients: 2, sections: 50, hold: '300ms', think: '100ms', acquireTimeout: '5s' },
        faults: [
          { at: '1s', kind: 'clock-drift', target: 's1', rate: 0.5, duration: '2s' },
          { at: '5s', kind: 'clock-jump', target: 'servers', by: '-1500ms' },
          { at: '6s', kind: 'clock-drift', target: 'c2', rate: -0.25 },
        ],
      },
      'drift-then-jump.json',
    );
    const plain = runScenario(scenario);
    const result = runScenario(scenario, { timeline: true });
    expect(result.results[0].traceHash).toBe(plain.results[0].traceHash);
    const t = result.results[0].timeline!;
    expect(t.clocks).toEqual([
      { node: 's1', points: [[1 * S, 0], [3 * S, 1 * S], [5 * S, 1 * S], [5 * S, -0.5 * S], [12 * S, -0.5 * S]] },
      { node: 'c2', points: [[6 * S, 0], [12 * S, -1.5 * S]] },
    ]);
    expect(t.faults.map((f) => [f.kind, f.startUs, f.endUs])).toEqual([
      ['clock-drift', 1 * S, 3 * S],
      ['clock-jump', 5 * S, 5 * S],
      ['clock-drift', 6 * S, 6 * S],
    ]);
  });
});

describe('crashes', () => {
  it('holder-crash: the crashed holder\'s belief ends at the crash, which is a band on its lane', () => {
    const result = timed('holder-crash', 'redis');
    const t = result.timeline;
    const crash = result.faults[0];
    expect(t.faults).toEqual([{ index: 0, kind: 'crash', targets: ['c1'], startUs: crash.firedAt, endUs: crash.firedAt }]);
    const ended = t.holds.find((h) => h.endReason === 'crashed')!;
    expect(ended).toMatchObject({ client: 'c1', endUs: crash.firedAt });
    expect(t.holds.filter((h) => h.client === 'c1' && h.startUs > crash.firedAt!)).toEqual([]);
    expect(t.acquires.filter((a) => a.ok).length).toBe(t.holds.length);
  });

  it('a client that crashes while waiting ends its acquire attempt there, and its band lasts until the restart', () => {
    const scenario = parseScenario(
      {
        name: 'waiter-crash', seed: 1, duration: '30s', designs: ['redis'], config: { redis: { ttl: '10s' } }, network: NET,
        workload: { clients: 2, sections: 3, hold: '2s', think: '500ms', stagger: '100ms', acquireTimeout: '20s' },
        faults: [
          { on: { event: 'acquired', node: 'c1', nth: 1 }, delay: '100ms', kind: 'pause', target: 'c1', duration: '15s' },
          { at: '3s', kind: 'crash', target: 'c2', restartAfter: '2s' },
        ],
      },
      'waiter-crash.json',
    );
    const result = runScenario(scenario, { timeline: true }).results[0];
    const t = result.timeline!;
    const crashed = t.acquires.filter((a) => a.end === 'crashed');
    expect(crashed).toEqual([{ client: 'c2', startUs: 100_000, endUs: 3 * S, ok: false, end: 'crashed' }]);
    expect(t.faults.find((f) => f.kind === 'crash')).toEqual({ index: 1, kind: 'crash', targets: ['c2'], startUs: 3 * S, endUs: 5 * S });
    expect(t.acquires.filter((a) => a.ok).length).toBe(t.holds.length);
  });
});

describe('partitions and leaders', () => {
  it('raft-leader-isolated: the isolated leader\'s term ends during the cut, a new leader\'s begins, and the cut is a band with its sides', () => {
    const result = timed('raft-leader-isolated', 'raft-lock');
    const t = result.timeline;
    expect(t.readyUs).toBeGreaterThan(0); // a warm start: the workload began at the first commit
    const first = result.faults[0];
    const isolated = first.resolved!.leader[0];
    expect(t.faults[0]).toEqual({ index: 0, kind: 'partition', targets: first.targets, startUs: first.firedAt, endUs: first.endedAt, sides: first.sides });
    expect(t.faults[0].sides![0]).toEqual([isolated]);
    const before = t.leaders.find((l) => l.server === isolated && l.fromUs <= first.firedAt! && (l.toUs === null || l.toUs > first.firedAt!))!;
    expect(before).toBeDefined();
    expect(before.toUs).not.toBeNull();
    expect(before.toUs!).toBeLessThan(first.endedAt!);
    const successor = t.leaders.find((l) => l.server !== isolated && l.fromUs > first.firedAt! && l.fromUs < first.endedAt!)!;
    expect(successor).toBeDefined();
    expect(successor.term!).toBeGreaterThan(before.term!);
    const terms = t.leaders.map((l) => l.term!);
    expect(terms).toEqual([...terms].sort((a, b) => a - b));
    expect(t.leaders.length).toBeGreaterThanOrEqual(3);
    expect(t.leaders[t.leaders.length - 1].toUs).toBeNull();
  });

  it('zookeeper-holder-cut-lost: the cut-off holder\'s belief ends when it learns of the loss, inside the partition\'s band', () => {
    const result = timed('zookeeper-holder-cut-lost', 'zookeeper');
    const t = result.timeline;
    const cut = t.faults[0];
    expect(cut.kind).toBe('partition');
    expect(cut.endUs! - cut.startUs).toBe(29 * S);
    const lost = t.holds.find((h) => h.endReason?.startsWith('lost:'))!;
    expect(lost.client).toBe('c1');
    expect(lost.endUs!).toBeGreaterThan(cut.startUs);
    expect(lost.endUs!).toBeLessThan(cut.endUs!);
    expect(t.leaders.length).toBeGreaterThan(0);
    expect(t.expiries.some((e) => e.owner === 'c1' && e.released === undefined && e.atUs > cut.startUs && e.atUs < lost.endUs!)).toBe(true);
  });
});

describe('recording it changes nothing else', () => {
  it('is absent by default', () => {
    const result = runScenario(loadScenarioFile('gc-pause'), { designs: ['redis', 'cas'] });
    for (const r of result.results) expect('timeline' in r).toBe(false);
  });

  it('the result without its timeline is byte-identical to a run without one (several scenarios and designs)', () => {
    for (const name of ['gc-pause', 'holder-crash', 'clock-jump-backward', 'raft-leader-isolated']) {
      const scenario = loadScenarioFile(name);
      const plain = runScenario(scenario);
      const timedRun = runScenario(scenario, { timeline: true });
      for (const r of timedRun.results) expect(r.skipped !== undefined || r.timeline !== undefined, `${name}/${r.design}`).toBe(true);
      expect(runResultJson(withoutTimelines(timedRun))).toBe(runResultJson(plain));
    }
  });

  it('every built-in scenario on every design still gives its golden traceHash, events, verdicts and metrics, and a well-formed timeline', () => {
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Record<string, GoldenRow>;
    const all = ['redis', 'redlock', 'raft-lock', 'zookeeper', 'cas'];
    let runs = 0;
    for (const builtin of listBuiltinScenarios()) {
      const scenario = loadScenarioFile(builtin.file, { extraDesigns: all });
      const result = runScenario(scenario, { designs: all, runInapplicable: true, timeline: true });
      for (const r of result.results) {
        const key = `${builtin.name}/${r.design}`;
        const verdicts: Record<string, unknown> = {};
        for (const [check, value] of Object.entries(r.checks)) verdicts[check] = value?.ok ?? null;
        const row = golden[key];
        expect({ key, traceHash: r.traceHash, events: r.events, verdicts, metrics: { ...r.metrics } }).toEqual({ key, traceHash: row.traceHash, events: row.events, verdicts: row.verdicts, metrics: row.metrics });
        wellFormed(key, r.timeline!, DESIGNS.get(r.design)!.isLock);
        runs++;
      }
    }
    expect(runs).toBe(Object.keys(golden).length);
  });
});

/** What every timeline must satisfy. */
function wellFormed(key: string, t: Timeline, isLock: boolean): void {
  const sorted = (times: number[], what: string): void => expect(times, `${key} ${what}`).toEqual([...times].sort((a, b) => a - b));
  sorted(t.holds.map((h) => h.startUs), 'holds');
  sorted(t.acquires.map((a) => a.startUs), 'acquires');
  sorted(t.grants.map((g) => g.atUs), 'grants');
  sorted(t.expiries.map((e) => e.atUs), 'expiries');
  sorted(t.faults.map((f) => f.startUs), 'faults');
  sorted(t.store.map((s) => s.atUs), 'store');
  sorted(t.leaders.map((l) => l.fromUs), 'leaders');
  const lanes = new Set(t.lanes.map((l) => l.node));
  for (const h of t.holds) expect(h.endUs === null || h.endUs >= h.startUs, `${key} hold`).toBe(true);
  for (const a of t.acquires) expect(a.endUs, `${key} acquire`).toBeGreaterThanOrEqual(a.startUs);
  if (isLock) expect(t.acquires.filter((a) => a.ok).length, `${key} granted acquires = holds`).toBe(t.holds.length);
  else expect(t.holds, key).toEqual([]);
  for (const f of t.faults) {
    for (const target of f.targets) expect(lanes.has(target) || target === 'network', `${key} fault target ${target}`).toBe(true);
    expect(f.endUs === null || f.endUs >= f.startUs, `${key} fault band`).toBe(true);
  }
  for (const c of t.clocks) {
    expect(lanes.has(c.node), key).toBe(true);
    sorted(c.points.map(([at]) => at), `clock ${c.node}`);
    expect(c.points[c.points.length - 1][0], key).toBe(t.endUs);
  }
  for (const l of t.leaders) expect(l.toUs === null || l.toUs >= l.fromUs, `${key} term`).toBe(true);
  for (const x of [...t.holds.map((h) => h.startUs), ...t.store.map((s) => s.atUs), ...t.grants.map((g) => g.atUs)]) expect(x).toBeLessThanOrEqual(t.endUs);
}

describe('where the CLI puts it', () => {
  const args = ['gc-pause', '--design', 'redis,raft-lock'];

  it('suite --out writes timelines into DIR/<scenario>.json; --json and suite.json stay as without, whatever --workers', async () => {
    const reference = await cli(['suite', ...args, '--workers', '1', '--json']);
    expect(reference.code).toBe(0);
    expect(reference.stdout).not.toContain('"timeline"');
    const out = join(tmp, 'suite-out');
    const run = await cli(['suite', ...args, '--workers', '2', '--out', out, '--json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(reference.stdout);
    expect(readFileSync(join(out, 'suite.json'), 'utf8')).toBe(reference.stdout);
    const written = JSON.parse(readFileSync(join(out, 'gc-pause.json'), 'utf8')) as RunResult;
    expect(written.results.map((r) => r.design)).toEqual(['redis', 'raft-lock']);
    for (const r of written.results) expect(r.timeline!.holds.length).toBeGreaterThan(0);
    const doc = JSON.parse(reference.stdout) as SuiteDocument;
    expect(withoutTimelines(written)).toEqual(doc.results[0]);

    // --merge reads such a folder, prints the same document, and a merged folder keeps the timelines.
    const merged = join(tmp, 'merged');
    const again = await cli(['suite', '--merge', out, '--out', merged, '--json']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(reference.stdout);
    expect(readFileSync(join(merged, 'gc-pause.json'), 'utf8')).toBe(readFileSync(join(out, 'gc-pause.json'), 'utf8'));
  });

  it('run --out writes timelines into DIR/<scenario>.json; run --json prints none', async () => {
    const plain = await cli(['run', ...args, '--json']);
    const out = join(tmp, 'run-out');
    const run = await cli(['run', ...args, '--out', out, '--json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stdout).not.toContain('"timeline"');
    const written = JSON.parse(readFileSync(join(out, 'gc-pause.json'), 'utf8')) as RunResult;
    for (const r of written.results) expect(r.timeline).toBeDefined();
    expect(runResultJson(withoutTimelines(written))).toBe(plain.stdout);
  });

  it('runSuite({ timeline: true }) without a folder: the runs carry timelines, the document none', async () => {
    const suite = await runSuite({ args: ['gc-pause'], designs: ['redis'], workers: 1, timeline: true }, { registry: DESIGNS });
    expect(suite.runs[0].results[0].timeline).toBeDefined();
    expect(JSON.stringify(suite.document)).not.toContain('"timeline"');
    expect(suite.document.results[0]).toEqual(withoutTimelines(suite.runs[0]));
    const plain = await runSuite({ args: ['gc-pause'], designs: ['redis'], workers: 1 }, { registry: DESIGNS });
    expect(plain.runs[0].results[0].timeline).toBeUndefined();
    expect(JSON.stringify(plain.document)).toBe(JSON.stringify(suite.document));
  });
});
