/**
 * The zookeeper client under faults the scenario files do not cover:
 * ZooKeeper 3.9's client-side expiry, recovering a lost create reply by
 * its guid under message loss and duplication, and safety through leader
 * crashes and partitions (for the lock and the semaphore).
 */
import { describe, expect, it } from 'vitest';
import type { DesignResult } from '../sim/harness/result.ts';
import { runDesign } from './support/designs.ts';
import { loadScenarioFile } from './support/designs.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { faults, MS, S, scenario } from './support/scenario.ts';

function notesOf(scenario: Scenario, seed: number): { result: DesignResult; notes: Array<{ atUs: number; node: string; text: string }> } {
  const notes: Array<{ atUs: number; node: string; text: string }> = [];
  const result = runDesign(scenario, 'zookeeper', seed, {
    trace: (line) => {
      const m = /^\s*([\d.]+) (\S+) # (zk.*)$/.exec(line);
      if (m !== null) notes.push({ atUs: Math.round(Number(m[1]) * S), node: m[2], text: m[3] });
    },
  });
  return { result, notes };
}

function withKnobs(base: Scenario, knobs: Record<string, unknown>): Scenario {
  return { ...base, config: { ...base.config, zookeeper: { ...base.config.zookeeper, ...knobs } } };
}

describe('zookeeper client', () => {
  it('clientSelfExpiry: the cut holder expires its own session at 4/3 of the timeout, before the cut heals', () => {
    const base = loadScenarioFile('scenarios/zookeeper-holder-cut.json');
    const { result, notes } = notesOf(withKnobs(base, { clientSelfExpiry: true }), base.seed);
    const cutAtUs = result.faults[0].firedAt!;
    const self = notes.find((n) => n.node === 'c1' && /expired by the client's own clock/.test(n.text))!;
    expect(self).toBeDefined();
    expect(self.atUs - cutAtUs).toBeGreaterThan((4 * 10 * S) / 3 - (10 * S) / 3 - 10_000); // last heard at most one ping interval before the cut
    expect(self.atUs - cutAtUs).toBeLessThanOrEqual((4 * 10 * S) / 3 + 10_000);
    expect(self.atUs).toBeLessThan(cutAtUs + 29 * S);
    expect(result.metrics.clientSelfExpiries).toBe(1);
    // It learned by its own clock, so no server had to tell it after the heal.
    expect(notes.some((n) => n.node === 'c1' && /told by/.test(n.text))).toBe(false);
    // The holder ended its belief on the loss, before its 14s hold ended: its stale write never happened.
    const overlap = result.checks.mutualExclusion!.violations![0];
    expect(overlap.detail).toMatch(/c1 held .*lost: session expired by the client's own clock/);
    expect(result.checks.resource!.ok).toBe(true);

    const plain = notesOf(base, base.seed);
    expect(plain.result.metrics.clientSelfExpiries ?? 0).toBe(0);
  });

  it('under message loss and duplication a lost create reply is recovered by its guid, and the lock stays safe', () => {
    let recovered = 0;
    for (const seed of [1, 2, 3, 4]) {
      const s = scenario({
        designs: ['zookeeper'],
        durationUs: 60 * S,
        network: { latencyUs: { minUs: 1 * MS, maxUs: 5 * MS }, loss: 0.03, duplicate: 0.03 },
        workload: { clients: 3, sections: 10, fencing: 'writes' },
      });
      const r = runDesign(s, 'zookeeper', seed);
      expect(r.checks.mutualExclusion!.ok, `seed ${seed}`).toBe(true);
      expect(r.checks.linearizable!.ok, `seed ${seed}`).toBe(true);
      expect(r.checks.fencing!.ok, `seed ${seed}`).toBe(true);
      expect(r.metrics.messagesDroppedByLoss).toBeGreaterThan(0);
      expect(r.metrics.disconnects).toBeGreaterThan(0);
      expect(r.metrics.sections).toBeGreaterThan(15);
      recovered += r.metrics.createsRecoveredByGuid ?? 0;
    }
    expect(recovered).toBeGreaterThan(0);
  });

  it('stays safe and live through leader crashes and a leader partition', () => {
    for (const seed of [1, 2, 3]) {
      const s = scenario({
        designs: ['zookeeper'],
        durationUs: 60 * S,
        workload: { clients: 3, sections: 10, fencing: 'writes' },
        faults: faults(
          { kind: 'crash', trigger: { kind: 'at', atUs: 3 * S }, target: 'leader', restartAfterUs: 2 * S, durable: 'fsynced' },
          { kind: 'partition', trigger: { kind: 'at', atUs: 12 * S }, shape: 'isolate', target: 'leader', groups: undefined, cut: undefined, oneWay: false, durationUs: 5 * S },
        ),
      });
      const r = runDesign(s, 'zookeeper', seed);
      expect(r.safe, `seed ${seed}: ${JSON.stringify(r.checks)}`).toBe(true);
      expect(r.metrics.elections).toBeGreaterThanOrEqual(3);
      expect(r.metrics.sections).toBe(30);
      expect(r.metrics.sessionExpiries ?? 0).toBe(0); // a new leader extends every session
    }
  });

  it('the semaphore stays within its permits under loss and duplication', () => {
    for (const seed of [1, 2]) {
      const s = scenario({
        designs: ['zookeeper'],
        durationUs: 60 * S,
        network: { latencyUs: { minUs: 1 * MS, maxUs: 5 * MS }, loss: 0.02, duplicate: 0.02 },
        workload: { clients: 4, sections: 8, permits: 2, fencing: 'none' },
      });
      const r = runDesign(s, 'zookeeper', seed);
      expect(r.checks.mutualExclusion!.ok, `seed ${seed}`).toBe(true);
      expect(r.checks.linearizable!.ok, `seed ${seed}`).toBe(true);
      expect(r.metrics.sections).toBeGreaterThan(16);
    }
  });
});
