/**
 * The zookeeper client under faults the scenario files do not cover:
 * ZooKeeper 3.9.3's client-side expiry, the TCP channel under loss and
 * duplication, every client disconnected at once when its server changes
 * leader, recovering a create whose reply went with the connection by its
 * guid, and safety through leader crashes and partitions (for the lock and
 * the semaphore).
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
    const base = loadScenarioFile('scenarios/holder-cut.json');
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

  it('under message loss and duplication TCP keeps every connection and session, and the lock stays safe', () => {
    for (const seed of [1, 2, 3, 4]) {
      const s = scenario({
        designs: ['zookeeper'],
        durationUs: 60 * S,
        network: { latencyUs: { minUs: 1 * MS, maxUs: 5 * MS }, loss: 0.03, duplicate: 0.03 },
        workload: { clients: 3, sections: 10, fencing: 'writes' },
      });
      const r = runDesign(s, 'zookeeper', seed);
      expect(r.safe, `seed ${seed}: ${JSON.stringify(r.checks)}`).toBe(true);
      expect(r.metrics.messagesDroppedByLoss).toBeGreaterThan(0);
      expect(r.metrics.messagesDuplicated).toBeGreaterThan(0);
      expect(r.metrics.tcpRetransmits, `seed ${seed}`).toBeGreaterThan(0);
      expect(r.metrics.disconnects ?? 0, `seed ${seed}`).toBe(0);
      // At most a session whose connect timed out (timeout/servers) before its lost reply was retransmitted: left to expire, as in ZooKeeper.
      expect(r.metrics.sessionExpiries ?? 0, `seed ${seed}`).toBeLessThanOrEqual(1);
      expect(r.metrics.curatorLost ?? 0, `seed ${seed}`).toBe(0);
      expect(r.metrics.sections).toBeGreaterThan(15);
    }
  });

  it('when a server changes leader it closes every client connection at once, and a create whose reply was lost with it is found by its guid', () => {
    let recovered = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const s = scenario({
        designs: ['zookeeper'],
        durationUs: 30 * S,
        network: { latencyUs: { minUs: 1 * MS, maxUs: 5 * MS }, loss: 0, duplicate: 0 },
        workload: { clients: 4, sections: 30, holdUs: { minUs: 20 * MS, maxUs: 20 * MS }, thinkUs: { minUs: 0, maxUs: 0 }, fencing: 'writes' },
        faults: faults(
          ...[2, 6, 10, 14].map((t) => ({ kind: 'crash' as const, trigger: { kind: 'at' as const, atUs: t * S }, target: 'leader', restartAfterUs: 1 * S, durable: 'fsynced' as const })),
        ),
      });
      const { result: r, notes } = notesOf(s, seed);
      expect(r.safe, `seed ${seed}: ${JSON.stringify(r.checks)}`).toBe(true);
      expect(r.metrics.elections, `seed ${seed}`).toBe(4);
      // Each new leader: every surviving server went through an election and dropped all its clients together.
      const closings = notes.filter((n) => n.node.startsWith('s') && /^zk: closing \d+ client connection.*went through an election/.test(n.text));
      expect(closings.length, `seed ${seed}`).toBeGreaterThan(0);
      for (const closing of closings) {
        const count = Number(/closing (\d+) client connection/.exec(closing.text)![1]);
        const dropped = notes.filter((n) => n.node.startsWith('c') && n.atUs >= closing.atUs && n.atUs < closing.atUs + 10 * MS && n.text.includes(`disconnected from ${closing.node}: server ${closing.node} closed the connection: ${closing.node} went through an election`));
        expect(dropped.length, `seed ${seed}: ${closing.text}`).toBe(count);
      }
      expect(r.metrics.disconnects!, `seed ${seed}`).toBeGreaterThanOrEqual(4);
      recovered += r.metrics.createsRecoveredByGuid ?? 0;
    }
    expect(recovered).toBeGreaterThan(0);
  });

  it('syncLimit decides: a follower that gives its leader up within the session timeout lets "stop" save mutual exclusion', () => {
    const base = loadScenarioFile('scenarios/zookeeper-follower-cut-stop.json');
    const verdict = (syncLimit: number): { result: DesignResult; droppedAfterUs: number } => {
      const { result, notes } = notesOf(withKnobs(base, { syncLimit }), base.seed);
      const cutAtUs = result.faults[0].firedAt!;
      const dropped = notes.find((n) => n.node === 'c1' && n.atUs > cutAtUs && /disconnected from s4/.test(n.text))!;
      return { result, droppedAfterUs: dropped.atUs - cutAtUs };
    };
    const short = verdict(2); // 4 s, below the 6 s session
    expect(short.droppedAfterUs).toBeGreaterThan(4 * S - 100 * MS);
    expect(short.droppedAfterUs).toBeLessThan(4 * S + 10 * MS);
    expect(short.result.checks.mutualExclusion!.ok).toBe(true);
    expect(short.result.checks.resource!.ok).toBe(true);
    const sample = verdict(5); // 10 s: the scenario as written
    expect(sample.droppedAfterUs).toBeGreaterThan(10 * S - 100 * MS);
    expect(sample.result.checks.mutualExclusion!.ok).toBe(false);
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
      // Two elections after the service was ready (the bootstrap one is not counted): after the crash and the partition.
      expect(r.metrics.elections).toBeGreaterThanOrEqual(2);
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
