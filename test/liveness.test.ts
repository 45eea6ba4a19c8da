/**
 * Liveness (SPEC §7): the checker library's rules on hand-made windows, the
 * fault scheduler's `endedAt` per fault kind, and whole runs — a permanent
 * leader partition (null), one that heals by its duration or by a `heal`
 * (true for the designs that recover), a Redis primary that crashes for
 * good (safe, but never grants again: false, naming the clients), and a
 * holder crash whose lock comes back after its TTL (`recoveryMs` of the
 * TTL's order).
 */
import { describe, expect, it } from 'vitest';
import { checkLiveness, type ClientSections, type LivenessInput } from '../sim/checker/liveness.ts';
import type { DesignResult } from '../sim/harness/result.ts';
import { parseScenario, runScenario } from './support/designs.ts';

const S = 1_000_000;

/** A scenario object as a file would hold it, with a short workload. */
function scenarioRaw(raw: Record<string, unknown>): Record<string, unknown> {
  return {
    seed: 1,
    duration: '40s',
    livenessWithin: '10s',
    network: { latency: { min: '1ms', max: '5ms' } },
    workload: { clients: 3, sections: 20, hold: '200ms', think: '300ms', acquireTimeout: '5s', fencing: 'writes' },
    ...raw,
  };
}

function run(name: string, raw: Record<string, unknown>): DesignResult[] {
  return [...runScenario(parseScenario(scenarioRaw(raw), name)).results];
}

describe('checkLiveness (the library)', () => {
  const client = (name: string, sections: Array<[grantedS: number, completedS: number]>, extra: Partial<ClientSections> = {}): ClientSections => ({
    client: name,
    startUs: 0,
    completed: sections.map(([g, c]) => ({ grantedUs: g * S, completedUs: c * S })),
    sections: 100,
    downForGood: false,
    ...extra,
  });
  const input = (extra: Partial<LivenessInput>): LivenessInput => ({ startUs: 0, endUs: 60 * S, withinUs: 10 * S, faults: [], clients: [], ...extra });
  const fault = (endedS: number | null) => ({ index: 0, kind: 'partition', firedAtUs: 1 * S, endedAtUs: endedS === null ? null : endedS * S });

  it('passes when every client completes a section granted after the last fault ended, within the window', () => {
    const out = checkLiveness(input({ faults: [fault(20)], clients: [client('c1', [[21, 22]]), client('c2', [[25, 29]])] }));
    expect(out.check.ok).toBe(true);
    expect(out.recoveryUs).toBe(2 * S);
    expect(out.fromUs).toBe(20 * S);
  });

  it('fails a client that made no progress in the window, saying how long it waited', () => {
    const out = checkLiveness(input({ faults: [fault(20)], clients: [client('c1', [[21, 22]]), client('c2', [[33, 35]]), client('c3', [])] }));
    expect(out.check.ok).toBe(false);
    expect(out.check.violations!.map((v) => v.nodes[0])).toEqual(['c2', 'c3']);
    expect(out.check.violations![0].detail).toMatch(/c2 completed no section within 10s .*its next came 15s after/);
    expect(out.check.violations![1].detail).toMatch(/none came by the run's end, 40s after/);
    expect(out.check.violations![0].at).toBe(30 * S);
  });

  it('does not count a section that held its lock across the fault\'s end', () => {
    const out = checkLiveness(input({ faults: [fault(20)], clients: [client('c1', [[19, 21]])] }));
    expect(out.check.ok).toBe(false);
    expect(out.recoveryUs).toBeNull();
  });

  it('is null when a fault never ended, naming it', () => {
    const out = checkLiveness(input({ faults: [fault(null)], clients: [client('c1', [[21, 22]])] }));
    expect(out.check.ok).toBeNull();
    expect(out.check.detail).toMatch(/fault\[0\] partition .* never ended/);
    expect(out.recoveryUs).toBeNull();
  });

  it('is null when the window reaches past the run\'s end and a client has not made it yet; true once all made it', () => {
    const late = checkLiveness(input({ endUs: 25 * S, faults: [fault(20)], clients: [client('c1', [[21, 22]]), client('c2', [])] }));
    expect(late.check.ok).toBeNull();
    expect(late.check.detail).toMatch(/reaches past the run's end .* c2 completed no section/);
    const made = checkLiveness(input({ endUs: 25 * S, faults: [fault(20)], clients: [client('c1', [[21, 22]]), client('c2', [[22, 24]])] }));
    expect(made.check.ok).toBe(true);
  });

  it('excuses a client crashed for good and one whose sections were used up; null when nobody owed anything', () => {
    const out = checkLiveness(input({ faults: [fault(20)], clients: [client('c1', [], { downForGood: true }), client('c2', [[1, 2]], { sections: 1 }), client('c3', [[21, 23]])] }));
    expect(out.check.ok).toBe(true);
    expect(out.check.detail).toMatch(/c1 crashed for good.*c2 had finished its 1 sections/);
    const none = checkLiveness(input({ faults: [fault(20)], clients: [client('c1', [], { downForGood: true }), client('c2', [[1, 2]], { sections: 1 })] }));
    expect(none.check.ok).toBeNull();
  });

  it('with no fault, measures from the start, each client from its own (staggered) start; recovery is null', () => {
    const out = checkLiveness(input({ startUs: 5 * S, clients: [client('c1', [[6, 14]], { startUs: 5 * S }), client('c2', [[30, 34]], { startUs: 25 * S })] }));
    expect(out.check.ok).toBe(true);
    expect(out.recoveryUs).toBeNull();
    const slow = checkLiveness(input({ startUs: 5 * S, clients: [client('c1', [[6, 16]], { startUs: 5 * S })] }));
    expect(slow.check.ok).toBe(false);
    expect(slow.check.detail).toMatch(/the start \(5s; no fault took effect\)/);
  });
});

describe('fault reports say when each fault ended', () => {
  it('per kind: pause, crash without restart, partition healed by a heal, network without a duration', () => {
    const [r] = run('ends', {
      designs: ['redis'],
      faults: [
        { at: '1s', kind: 'pause', target: 'c1', duration: '3s' },
        { at: '2s', kind: 'crash', target: 'c2' },
        { at: '3s', kind: 'crash', target: 'c3', restartAfter: '4s' },
        { at: '4s', kind: 'partition', shape: 'isolate', target: 's1', duration: '20s' },
        { at: '6s', kind: 'heal' },
        { at: '8s', kind: 'clock-jump', target: 's1', by: '+1s' },
        { at: '9s', kind: 'network', loss: 0.1 },
      ],
    });
    expect(r.faults.map((f) => f.endedAt)).toEqual([4 * S, 2 * S, 7 * S, 6 * S, 6 * S, 8 * S, null]);
    // The window with no end makes liveness unjudgeable.
    expect(r.checks.liveness?.ok).toBeNull();
    expect(r.checks.liveness?.detail).toMatch(/fault\[6\] network .*never ended/);
  });
});

describe('liveness of whole runs', () => {
  it('a permanent leader partition (no duration, no heal): false for the locks that cannot recover, true for those that elect a new leader (issue 11)', () => {
    const results = run('permanent-leader-partition', { designs: ['raft-lock', 'zookeeper', 'redis', 'cas'], faults: [{ at: '2s', kind: 'partition', shape: 'isolate', target: 'leader' }] });
    const byDesign = new Map(results.map((r) => [r.design, r]));
    for (const design of ['raft-lock', 'zookeeper']) {
      const r = byDesign.get(design)!;
      expect(r.checks.liveness?.ok, `${design} ${r.checks.liveness?.detail}`).toBe(true);
      expect(r.metrics.recoveryMs, design).toBeGreaterThan(0);
    }
    for (const design of ['redis', 'cas']) {
      const r = byDesign.get(design)!;
      expect(r.checks.liveness?.ok, design).toBe(false);
      // Every client is owed a section (the isolated primary is the one lost for good), none came.
      expect(r.checks.liveness?.violations?.flatMap((v) => v.nodes).sort(), design).toEqual(['c1', 'c2', 'c3']);
      expect(r.metrics.recoveryMs, design).toBeNull();
    }
  });

  it('a permanent one-way partition leaves liveness null: nothing says who is lost', () => {
    const results = run('permanent-one-way', { designs: ['raft-lock', 'redis'], faults: [{ at: '2s', kind: 'partition', shape: 'one-way', target: 'leader' }] });
    for (const r of results) {
      expect(r.checks.liveness?.ok, r.design).toBeNull();
      expect(r.checks.liveness?.detail, r.design).toMatch(/fault\[0\] partition .*never ended within the run/);
    }
  });

  it('a permanent majority-minority split: clients on the minority side are lost for good, the others are owed a section', () => {
    const [raft] = run('permanent-split', {
      designs: ['raft-lock'],
      faults: [{ at: '2s', kind: 'partition', groups: [['s1', 's2', 'c1'], ['s3', 's4', 's5', 'c2', 'c3']] }],
    });
    expect(raft.checks.liveness?.ok, raft.checks.liveness?.detail).toBe(true);
  });

  it('a leader partition that heals (by its duration or by a heal): the lock comes back for every design that recovers', () => {
    for (const faults of [
      [{ at: '2s', kind: 'partition', shape: 'isolate', target: 'leader', duration: '5s' }],
      [{ at: '2s', kind: 'partition', shape: 'isolate', target: 'leader' }, { at: '7s', kind: 'heal' }],
    ]) {
      const results = run('leader-partition-heals', { designs: ['redis', 'raft-lock', 'zookeeper', 'cas'], faults });
      for (const r of results) {
        expect(r.checks.liveness?.ok, `${r.design} ${r.checks.liveness?.detail}`).toBe(true);
        expect(r.faults[0].endedAt! - r.faults[0].firedAt!, r.design).toBe(5 * S);
        expect(r.metrics.recoveryMs, r.design).toBeGreaterThan(0);
        expect(r.metrics.recoveryMs, r.design).toBeLessThan(10_000);
      }
    }
  });

  it('a Redis primary crashed for good with nothing durable: safe, but no client ever acquires again — liveness false, naming them', () => {
    const [redis, raft] = run('primary-crash-for-good', { designs: ['redis', 'raft-lock'], faults: [{ at: '2s', kind: 'crash', target: 'leader', durable: 'none' }] });
    expect(redis.safe).toBe(true);
    expect(redis.checks.liveness?.ok).toBe(false);
    expect(redis.checks.liveness?.violations?.map((v) => v.nodes[0])).toEqual(['c1', 'c2', 'c3']);
    expect(redis.checks.liveness?.violations?.[0].detail).toMatch(/none came by the run's end, 38s after/);
    expect(redis.metrics.recoveryMs).toBeNull();
    // A Raft lock loses one of five servers and elects another leader.
    expect(raft.checks.liveness?.ok).toBe(true);
  });

  it('a holder crash: the lock comes back after its TTL, and recoveryMs says so (the crashed client owes nothing)', () => {
    for (const ttl of [5, 10]) {
      const [redis] = run(`holder-crash-ttl-${ttl}`, {
        designs: ['redis'],
        livenessWithin: '20s',
        config: { redis: { ttl: `${ttl}s` } },
        faults: [{ on: { event: 'acquired', node: 'c1', nth: 2 }, delay: '50ms', kind: 'crash', target: 'holder' }],
      });
      expect(redis.faults[0].targets).toEqual(['c1']);
      expect(redis.checks.liveness?.ok).toBe(true);
      expect(redis.checks.liveness?.detail).toMatch(/c1 crashed for good/);
      // The lock was taken 50 ms before the crash: free again ttl − 50 ms later, then one retry, a read, a 200 ms hold and a write.
      expect(redis.metrics.recoveryMs).toBeGreaterThan(ttl * 1000 - 100);
      expect(redis.metrics.recoveryMs).toBeLessThan(ttl * 1000 + 800);
    }
  });

  it('a run with no fault measures from the start: a workload that never completes a section fails', () => {
    // A 12 s hold on a 10 s TTL with fenced writes: every late write is refused, so no section ever completes.
    const [r] = run('never-completes', {
      designs: ['redis'],
      workload: { clients: 2, sections: 2, hold: '12s', think: '500ms', acquireTimeout: '30s', fencing: 'reads-and-writes' },
    });
    expect(r.metrics.sections).toBe(0);
    expect(r.checks.liveness?.ok).toBe(false);
    expect(r.checks.liveness?.detail).toMatch(/of the start/);
    expect(r.checks.liveness?.violations?.map((v) => v.nodes[0])).toEqual(['c1', 'c2']);
    expect(r.checks.resource?.ok).toBe(true);
  });
});
