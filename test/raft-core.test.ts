/**
 * The Raft core on its own (test/raft-harness.ts network): elections,
 * replication, restart from disk, PreVote / CheckQuorum, ReadIndex and the
 * leader lease, and — with fast-check over random schedules of crashes,
 * partitions, pauses, loss and duplication — Raft's invariants: at most one
 * leader per term, committed entries never lost or changed (every node
 * applies the same entry at an index; every new leader holds every entry
 * committed before it), and log matching.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../algorithms/raft/core.ts';
import { digestOf } from '../algorithms/raft/log.ts';
import type { LogEntry } from '../algorithms/raft/types.ts';
import type { Durability } from '../sim/scenario/types.ts';
import { MiniCluster, type MiniNetworkOptions } from './raft-harness.ts';

const MS = 1_000;
const IDS = ['s1', 's2', 's3', 's4', 's5'];
const TIMING = { electionTimeoutUs: { minUs: 150 * MS, maxUs: 300 * MS }, heartbeatUs: 50 * MS };
const CALM: MiniNetworkOptions = { latencyUs: [1 * MS, 5 * MS], loss: 0, duplicate: 0 };

type Cmd = { readonly n: number };

/** A cluster of Raft nodes with a trivial state machine, plus invariant bookkeeping. */
class RaftTestCluster {
  readonly cluster: MiniCluster;
  readonly rafts = new Map<string, RaftNode<Cmd>>();
  readonly applied = new Map<string, number[]>();
  /** index → the (term, digest) first reported committed there. */
  readonly committed = new Map<number, { term: number; digest: string; node: string }>();
  readonly leaders = new Map<number, string>();
  readonly violations: string[] = [];
  private nextCmd = 1;

  constructor(seed: number, network: MiniNetworkOptions, ids: readonly string[] = IDS) {
    this.cluster = new MiniCluster(ids, seed, network, (api) => {
      const applied: number[] = [];
      this.applied.set(api.id, applied);
      const raft: RaftNode<Cmd> = new RaftNode<Cmd>(api, {
        members: ids,
        timing: TIMING,
        hooks: {
          apply: (index: number, entry: LogEntry<Cmd>) => {
            if (index !== applied.length + 1) this.violations.push(`${api.id} applied ${index} after ${applied.length}`);
            applied.push(entry.cmd === null ? 0 : entry.cmd.n);
          },
          roleChanged: (role) => {
            if (role === 'leader') this.checkLeaderCompleteness(api.id, raft);
          },
        },
      });
      this.rafts.set(api.id, raft);
      raft.start();
      return { onMessage: (from, msg) => void raft.handle(from, msg) };
    });
    this.cluster.onEmit((seen) => {
      const detail = seen.detail ?? {};
      if (seen.event === 'elected') {
        const term = detail.term as number;
        const before = this.leaders.get(term);
        if (before !== undefined && before !== seen.node) this.violations.push(`two leaders in term ${term}: ${before} and ${seen.node}`);
        this.leaders.set(term, seen.node);
      } else if (seen.event === 'committed') {
        const index = detail.index as number;
        const record = { term: detail.term as number, digest: detail.digest as string, node: seen.node };
        const before = this.committed.get(index);
        if (before === undefined) this.committed.set(index, record);
        else if (before.term !== record.term || before.digest !== record.digest) {
          this.violations.push(`entry ${index} committed as ${before.term}/${before.digest} on ${before.node} but ${record.term}/${record.digest} on ${seen.node}`);
        }
      }
    });
  }

  /** Leader completeness: a new leader's log holds every entry committed so far. */
  private checkLeaderCompleteness(id: string, raft: RaftNode<Cmd>): void {
    for (const [index, record] of this.committed) {
      if (index > raft.log.lastIndex) {
        this.violations.push(`${id} became leader of term ${raft.term} without committed entry ${index}`);
        continue;
      }
      const entry = raft.log.entry(index);
      if (entry.term !== record.term || digestOf(entry.cmd) !== record.digest) {
        this.violations.push(`${id} became leader of term ${raft.term} with a different entry ${index}`);
      }
    }
  }

  /** Log matching: if two logs hold an entry with the same index and term, the logs are identical up to it. */
  checkLogMatching(): void {
    const up = IDS.filter((id) => this.rafts.has(id) && this.cluster.status(id) !== 'crashed');
    for (let i = 0; i < up.length; i++) {
      for (let j = i + 1; j < up.length; j++) {
        const a = this.rafts.get(up[i])!.log;
        const b = this.rafts.get(up[j])!.log;
        let shared = 0;
        for (let k = Math.min(a.lastIndex, b.lastIndex); k >= 1; k--) {
          if (a.termAt(k) === b.termAt(k)) {
            shared = k;
            break;
          }
        }
        for (let k = 1; k <= shared; k++) {
          const ea = a.entry(k);
          const eb = b.entry(k);
          if (ea.term !== eb.term || digestOf(ea.cmd) !== digestOf(eb.cmd)) {
            this.violations.push(`logs of ${up[i]} and ${up[j]} agree at ${shared} but differ at ${k}`);
            return;
          }
        }
      }
    }
  }

  /** Every `everyUs`, each up node that believes it leads proposes a fresh command (stale leaders too). */
  proposeEvery(everyUs: number, untilUs: number): void {
    for (let t = everyUs; t < untilUs; t += everyUs) {
      this.cluster.at(t, () => {
        for (const id of IDS) {
          const raft = this.rafts.get(id);
          if (raft !== undefined && this.cluster.status(id) === 'up' && raft.isLeader()) raft.propose({ n: this.nextCmd++ });
        }
      });
    }
  }

  leaderIds(): string[] {
    return IDS.filter((id) => this.cluster.status(id) === 'up' && this.rafts.get(id)?.isLeader() === true);
  }
}

describe('raft core', () => {
  it('elects one leader and replicates commands to every node in order', () => {
    const t = new RaftTestCluster(1, CALM);
    t.proposeEvery(20 * MS, 2000 * MS);
    t.cluster.runUntil(2500 * MS);
    expect(t.violations).toEqual([]);
    expect(t.leaderIds()).toHaveLength(1);
    expect(t.leaders.size).toBe(1);
    const applied = IDS.map((id) => t.applied.get(id)!);
    expect(applied[0].filter((n) => n > 0).length).toBeGreaterThan(50);
    for (const list of applied) expect(list).toEqual(applied[0]);
    // commands apply in proposal order: the non-no-op values increase
    const values = applied[0].filter((n) => n > 0);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    t.checkLogMatching();
    expect(t.violations).toEqual([]);
  });

  it('restarts from disk: term, vote and committed log survive a crash of every node (durable: fsynced)', () => {
    const t = new RaftTestCluster(2, CALM);
    t.proposeEvery(20 * MS, 1000 * MS);
    t.cluster.runUntil(1200 * MS);
    const before = t.rafts.get('s1')!;
    const termBefore = before.term;
    const committedBefore = before.commitIndex;
    expect(committedBefore).toBeGreaterThan(10);
    const logBefore = before.log.slice(1, committedBefore);
    for (const id of IDS) t.cluster.crash(id, 'fsynced');
    for (const id of IDS) t.cluster.restart(id);
    const after = t.rafts.get('s1')!;
    expect(after).not.toBe(before);
    expect(after.term).toBe(termBefore);
    expect(after.log.slice(1, committedBefore)).toEqual(logBefore);
    expect(after.commitIndex).toBeLessThanOrEqual(committedBefore); // a stored hint, relearned from the next leader
    expect(after.lastApplied).toBe(after.commitIndex); // rebuilt at start
    t.cluster.runUntil(3000 * MS);
    expect(t.leaderIds()).toHaveLength(1);
    expect(t.rafts.get('s1')!.term).toBeGreaterThan(termBefore);
    expect(t.rafts.get('s1')!.commitIndex).toBeGreaterThanOrEqual(committedBefore);
    expect(t.violations).toEqual([]);
  });

  it('PreVote: an isolated follower that rejoins does not depose the leader', () => {
    const t = new RaftTestCluster(3, CALM);
    t.cluster.runUntil(1000 * MS);
    const [leader] = t.leaderIds();
    const follower = IDS.find((id) => id !== leader)!;
    const term = t.rafts.get(leader)!.term;
    t.cluster.partition([[follower], IDS.filter((id) => id !== follower)]);
    t.cluster.runUntil(4000 * MS);
    // it campaigned (pre-votes only) but never bumped its term
    expect(t.rafts.get(follower)!.term).toBe(term);
    t.cluster.heal();
    t.cluster.runUntil(6000 * MS);
    expect(t.leaderIds()).toEqual([leader]);
    expect(t.rafts.get(leader)!.term).toBe(term);
    expect(t.leaders.size).toBe(1);
  });

  it('CheckQuorum: an isolated leader steps down, the majority elects another and commits', () => {
    const t = new RaftTestCluster(4, CALM);
    t.proposeEvery(50 * MS, 5000 * MS);
    t.cluster.runUntil(1000 * MS);
    const [old] = t.leaderIds();
    t.cluster.partition([[old], IDS.filter((id) => id !== old)]);
    t.cluster.runUntil(1000 * MS + TIMING.electionTimeoutUs.maxUs + 2 * TIMING.heartbeatUs);
    expect(t.rafts.get(old)!.isLeader()).toBe(false);
    const steppedDown = t.cluster.emits.filter((e) => e.event === 'stepped-down' && e.node === old);
    expect(steppedDown).toHaveLength(1);
    t.cluster.runUntil(2500 * MS);
    const [fresh] = t.leaderIds();
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(old);
    const commitAtIsolation = t.rafts.get(old)!.commitIndex;
    expect(t.rafts.get(fresh)!.commitIndex).toBeGreaterThan(commitAtIsolation);
    t.cluster.heal();
    t.cluster.runUntil(4000 * MS);
    t.checkLogMatching();
    expect(t.violations).toEqual([]);
    expect(t.rafts.get(old)!.commitIndex).toBeGreaterThan(commitAtIsolation);
  });

  it('ReadIndex confirms a healthy leader and refuses an isolated one; the lease lapses after electionTimeout.min', () => {
    const t = new RaftTestCluster(5, CALM);
    t.cluster.runUntil(1000 * MS);
    const [leader] = t.leaderIds();
    const raft = t.rafts.get(leader)!;
    const outcomes: boolean[] = [];
    raft.confirmLeadership((ok) => outcomes.push(ok));
    expect(outcomes).toEqual([]); // needs a quorum round trip
    t.cluster.runUntil(1020 * MS);
    expect(outcomes).toEqual([true]);
    expect(raft.leaseValid()).toBe(true);

    t.cluster.partition([[leader], IDS.filter((id) => id !== leader)]);
    raft.confirmLeadership((ok) => outcomes.push(ok));
    t.cluster.runUntil(1100 * MS);
    expect(outcomes).toEqual([true]); // still waiting: no quorum answers
    expect(raft.leaseValid()).toBe(true); // 100ms < electionTimeout.min
    t.cluster.runUntil(1000 * MS + TIMING.electionTimeoutUs.minUs + 20 * MS);
    expect(raft.leaseValid()).toBe(false);
    t.cluster.runUntil(2000 * MS);
    expect(outcomes).toEqual([true, false]); // failed when CheckQuorum deposed it
  });

  it('a one-member cluster elects itself and commits alone', () => {
    const t = new RaftTestCluster(6, CALM, ['s1']);
    t.cluster.runUntil(500 * MS);
    const raft = t.rafts.get('s1')!;
    expect(raft.isLeader()).toBe(true);
    expect(raft.propose({ n: 42 })).toBe(2);
    expect(raft.commitIndex).toBe(2);
    expect(t.applied.get('s1')).toEqual([0, 42]);
  });
});

type FaultSpec = {
  atMs: number;
  kind: 'crash' | 'crash-leader' | 'partition' | 'isolate-leader' | 'pause';
  target: number;
  durationMs: number;
  durable: Durability;
  groupMask: number;
};

const faultArb: fc.Arbitrary<FaultSpec> = fc.record({
  atMs: fc.integer({ min: 0, max: 3000 }),
  kind: fc.constantFrom('crash', 'crash-leader', 'partition', 'isolate-leader', 'pause'),
  target: fc.integer({ min: 0, max: IDS.length - 1 }),
  durationMs: fc.integer({ min: 20, max: 1500 }),
  durable: fc.constantFrom<Durability>('all', 'fsynced'),
  groupMask: fc.integer({ min: 1, max: 2 ** IDS.length - 2 }),
});

describe('raft invariants under random faults (fast-check)', () => {
  it('one leader per term, committed entries never lost or changed, logs match, and it recovers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.array(faultArb, { maxLength: 8 }),
        (seed, loss, duplicate, faults) => {
          const t = new RaftTestCluster(seed, { latencyUs: [1 * MS, 10 * MS], loss, duplicate });
          const faultEndUs = 4000 * MS;
          t.proposeEvery(25 * MS, 6000 * MS);
          for (const fault of faults) {
            t.cluster.at(fault.atMs * MS, () => {
              const leader = t.leaderIds()[0];
              const target = fault.kind === 'crash-leader' || fault.kind === 'isolate-leader' ? leader : IDS[fault.target];
              if (target === undefined) return;
              const untilUs = Math.min(faultEndUs, t.cluster.nowUs + fault.durationMs * MS);
              if (fault.kind === 'crash' || fault.kind === 'crash-leader') {
                t.cluster.crash(target, fault.durable);
                t.cluster.at(untilUs, () => t.cluster.restart(target));
              } else if (fault.kind === 'pause') {
                t.cluster.pause(target, untilUs - t.cluster.nowUs);
              } else {
                const group = fault.kind === 'isolate-leader' ? [target] : IDS.filter((_, i) => (fault.groupMask >> i) & 1);
                t.cluster.partition([group, IDS.filter((id) => !group.includes(id))]);
                t.cluster.at(untilUs, () => t.cluster.heal());
              }
              t.checkLogMatching();
            });
          }
          t.cluster.at(faultEndUs, () => {
            t.cluster.heal();
            t.cluster.setNetwork(CALM);
            for (const id of IDS) t.cluster.restart(id);
          });
          t.cluster.runUntil(faultEndUs);
          t.checkLogMatching();
          const committedAtHealUs = Math.max(0, ...t.committed.keys());
          t.cluster.runUntil(7000 * MS);
          t.checkLogMatching();
          expect(t.violations).toEqual([]);
          for (const id of IDS) expect(t.rafts.get(id)!.panicked).toBeNull();
          // liveness after healing: one leader, and every node applied everything committed before the heal and more
          expect(t.leaderIds()).toHaveLength(1);
          for (const id of IDS) expect(t.rafts.get(id)!.lastApplied).toBeGreaterThan(committedAtHealUs);
        },
      ),
      { numRuns: 40, seed: 4242 },
    );
  });
});
