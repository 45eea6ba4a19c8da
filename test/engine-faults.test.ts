/**
 * Every fault kind takes effect, shown on the toy lock (a test double) so
 * the simulator is tested apart from the real designs.
 */
import { describe, expect, it } from 'vitest';
import { runDesignWith } from '../sim/harness/run-design.ts';
import type { DesignResult } from '../sim/harness/result.ts';
import { toyLock } from './support/toy-lock.ts';
import { faults, MS, S, scenario } from './support/scenario.ts';

type Overrides = Parameters<typeof scenario>[0];

function run(overrides: Overrides, trace?: string[]): DesignResult {
  return runDesignWith(scenario(overrides), toyLock as never, overrides?.seed ?? 1, trace === undefined ? {} : { trace: (l) => trace.push(l) });
}

/** Parses trace lines "   12.000000 node ..." into (timeUs, node, rest). */
function parse(lines: string[]): Array<{ us: number; node: string; rest: string }> {
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => {
      const m = /^\s*(\d+\.\d+) (\S+) (.*)$/.exec(l)!;
      return { us: Math.round(Number(m[1]) * 1e6), node: m[2], rest: m[3] };
    });
}

describe('pause', () => {
  it('a paused node handles nothing while paused, then its backlog in due order', () => {
    const trace: string[] = [];
    const result = run(
      { faults: faults({ kind: 'pause', trigger: { kind: 'at', atUs: 2 * S }, target: 's1', durationUs: 5 * S }) },
      trace,
    );
    const events = parse(trace);
    const s1During = events.filter((e) => e.node === 's1' && e.us > 2 * S && e.us < 7 * S);
    expect(s1During).toEqual([]);
    const atResume = events.filter((e) => e.node === 's1' && e.us === 7 * S && e.rest.startsWith('<-'));
    expect(atResume.length).toBeGreaterThan(0);
    expect(result.faults[0].effect.eventsDeferred).toBe(atResume.length);
    expect(result.faults[0].firedAt).toBe(2 * S);
  });

  it("a holder paused past its lease breaks mutual exclusion; fenced writes keep the resource", () => {
    const pause = faults({ kind: 'pause', trigger: { kind: 'on', event: 'acquired', node: 'c1', nth: 1, delayUs: 100 * MS }, target: 'c1', durationUs: 15 * S });
    const fenced = run({ durationUs: 60 * S, faults: pause, workload: { fencing: 'writes' } });
    expect(fenced.checks.mutualExclusion!.ok).toBe(false);
    expect(fenced.checks.resource!.ok).toBe(true);
    expect(fenced.metrics.staleTokensRejected).toBeGreaterThan(0);
    const unfenced = run({ durationUs: 60 * S, faults: pause, workload: { fencing: 'none', hold: undefined } as never });
    expect(unfenced.checks.mutualExclusion!.ok).toBe(false);
    expect(unfenced.checks.resource!.ok).toBe(false);
    expect(unfenced.checks.fencing!.ok).toBe(false);
  });
});

describe('checkBeforeWrite', () => {
  it("a holder that checks its lease by its own clock before writing skips the stale write; the pause still breaks mutual exclusion", () => {
    const pause = faults({ kind: 'pause', trigger: { kind: 'on', event: 'acquired', node: 'c1', nth: 1, delayUs: 100 * MS }, target: 'c1', durationUs: 15 * S });
    const unchecked = run({ durationUs: 60 * S, faults: pause, workload: { fencing: 'none', checkBeforeWrite: false } });
    expect(unchecked.checks.resource!.ok).toBe(false);
    const checked = run({ durationUs: 60 * S, faults: pause, workload: { fencing: 'none', checkBeforeWrite: true } });
    expect(checked.checks.resource!.ok).toBe(true);
    expect(checked.checks.mutualExclusion!.ok).toBe(false);
  });
});

describe('partition', () => {
  it('isolating the server drops exactly the messages across the cut, then heals', () => {
    const trace: string[] = [];
    const result = run({ faults: faults({ kind: 'partition', trigger: { kind: 'at', atUs: 3 * S }, shape: 'isolate', target: 's1', groups: undefined, cut: undefined, oneWay: false, durationUs: 4 * S }) }, trace);
    const delivered = parse(trace).filter((e) => e.rest.startsWith('<-') && !e.rest.includes('DROPPED') && e.us > 3 * S + 10 * MS && e.us < 7 * S);
    expect(delivered.filter((e) => e.node === 's1' || e.rest.startsWith('<- s1 '))).toEqual([]);
    expect(result.faults[0].effect.messagesDropped).toBeGreaterThan(0);
    expect(result.metrics.messagesDroppedByPartition).toBe(result.faults[0].effect.messagesDropped);
    expect(result.faults[0].effect.linksCut).toBe(2 * 3); // s1 <-> c1, c2, c3 (the store stays outside)
    // after healing, s1 is reached again
    expect(parse(trace).some((e) => e.node === 's1' && e.us > 7 * S && e.rest.startsWith('<- c'))).toBe(true);
  });

  it('heal ends a partition early; one-way cuts only one direction', () => {
    const result = run({
      faults: faults(
        { kind: 'partition', trigger: { kind: 'at', atUs: 1 * S }, shape: 'one-way', target: 's1', groups: undefined, cut: undefined, oneWay: false, durationUs: undefined },
        { kind: 'heal', trigger: { kind: 'at', atUs: 2 * S } },
      ),
    });
    expect(result.faults[0].effect.linksCut).toBe(3);
    expect(result.faults[1].effect.linksHealed).toBe(3);
    expect(result.metrics.sections).toBeGreaterThan(5);
  });

  it('groups with "others" and dynamic names resolve when the fault fires', () => {
    const result = run({
      faults: faults({ kind: 'partition', trigger: { kind: 'at', atUs: 2 * S }, shape: undefined, target: undefined, groups: [['c1', 'leader'], ['others']], cut: undefined, oneWay: false, durationUs: 2 * S }),
    });
    expect(result.faults[0].targets).toEqual(['c1', 'c2', 'c3', 's1']);
    expect(result.faults[0].effect.linksCut).toBe(8); // {c1,s1} x {c2,c3} both ways
  });
});

describe('crash', () => {
  it('a crash loses what was not fsynced: the token counter regresses without fsync', () => {
    const crash = faults({ kind: 'crash', trigger: { kind: 'at', atUs: 10 * S }, target: 's1', restartAfterUs: 1 * S, durable: 'fsynced' });
    const unsynced = run({ config: { toy: { fsync: false } }, faults: crash, workload: { fencing: 'writes' } });
    expect(unsynced.faults[0].effect.writesLost).toBeGreaterThan(0);
    expect(unsynced.faults[0].effect.restarted).toBe(1);
    expect(unsynced.checks.fencing!.ok).toBe(false);
    const synced = run({ config: { toy: { fsync: true } }, faults: crash, workload: { fencing: 'writes' } });
    expect(synced.faults[0].effect.writesLost).toBe(0);
    expect(synced.checks.fencing!.ok).toBe(true);
  });

  it('a client crashed mid-acquire restarts and the run stays safe', () => {
    const result = runDesignWith(
      scenario({ faults: faults({ kind: 'crash', trigger: { kind: 'on', event: 'acquired', node: 'c2', nth: 1, delayUs: 10 * MS }, target: 'c1', restartAfterUs: 1 * S, durable: 'fsynced' }) }),
      toyLock as never,
      1,
      {},
    );
    expect(result.faults[0].effect.restarted).toBe(1);
    expect(result.metrics.sections).toBeGreaterThan(10);
    expect(result.safe).toBe(true);
  });

  it('a crashed client stops believing it holds the lock', () => {
    const result = run({ faults: faults({ kind: 'crash', trigger: { kind: 'on', event: 'acquired', node: 'c2', nth: 1, delayUs: 10 * MS }, target: 'holder', restartAfterUs: 2 * S, durable: 'fsynced' }) });
    expect(result.faults[0].targets).toEqual(['c2']);
    expect(result.checks.mutualExclusion!.ok).toBe(true);
  });
});

describe('clocks', () => {
  it('a forward wall-clock jump on the server expires the lease early: two holders', () => {
    const result = run({
      faults: faults({ kind: 'clock-jump', trigger: { kind: 'on', event: 'acquired', node: undefined, nth: 2, delayUs: 100 * MS }, target: 's1', byUs: 20 * S }),
      workload: { holdUs: { minUs: 3 * S, maxUs: 3 * S } },
    });
    expect(result.faults[0].effect.wallJumpedMs).toBe(20_000);
    expect(result.metrics.leaseExpiries).toBeGreaterThan(0);
    expect(result.checks.mutualExclusion!.ok).toBe(false);
    // the service measured the lease as run out, so its history is still linearizable
    expect(result.checks.linearizable!.ok).toBe(true);
  });

  it('a fast-drifting server clock expires leases early; no drift, no expiry', () => {
    const drift = run({
      faults: faults({ kind: 'clock-drift', trigger: { kind: 'at', atUs: 0 }, target: 's1', rate: 4, durationUs: undefined }),
      workload: { holdUs: { minUs: 3 * S, maxUs: 3 * S } },
    });
    expect(drift.faults[0].effect.drifting).toBe(1);
    expect(drift.metrics.leaseExpiries).toBeGreaterThan(0);
    const steady = run({ workload: { holdUs: { minUs: 3 * S, maxUs: 3 * S } } });
    expect(steady.metrics.leaseExpiries).toBe(0);
  });
});

describe('network faults', () => {
  it('loss and duplication windows drop and duplicate messages only while open', () => {
    const result = run({
      faults: faults({ kind: 'network', trigger: { kind: 'at', atUs: 1 * S }, loss: 0.3, duplicate: 0.3, delayUs: 20 * MS, durationUs: 5 * S }),
    });
    const effect = result.faults[0].effect;
    expect(effect.messagesDropped).toBeGreaterThan(0);
    expect(effect.messagesDuplicated).toBeGreaterThan(0);
    expect(effect.messagesDelayed).toBeGreaterThan(0);
    expect(result.metrics.messagesDroppedByLoss).toBe(effect.messagesDropped);
  });
});

describe('targets', () => {
  it('a fault on a node the design does not have is reported as skipped, not silently dropped', () => {
    const result = run({ faults: faults({ kind: 'pause', trigger: { kind: 'at', atUs: 1 * S }, target: 's4', durationUs: 1 * S }) });
    expect(result.faults[0].skipped).toBe('no node s4 in this design');
  });

  it('an `on` trigger that never happens is reported', () => {
    const result = run({ faults: faults({ kind: 'pause', trigger: { kind: 'on', event: 'acquired', node: 'c1', nth: 999, delayUs: 0 }, target: 'c1', durationUs: 1 * S }) });
    expect(result.faults[0].firedAt).toBeNull();
    expect(result.faults[0].skipped).toBe('its trigger never happened');
  });
});
