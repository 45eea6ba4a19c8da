/**
 * The Raft core on its own, on the real simulator (test/support/sim-world.ts): elections,
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
import type { NodeApi, NodeHandlers, RangeUs } from '../algorithms/api/index.ts';
import { SimWorld, type Durability } from './support/sim-world.ts';

const MS = 1_000;
const IDS = ['s1', 's2', 's3', 's4', 's5'];
const TIMING = { electionTimeoutUs: { minUs: 150 * MS, maxUs: 300 * MS }, heartbeatUs: 50 * MS };
/** The network a cluster starts with (extra loss and duplication come as a `degrade` window). */
interface NetworkOptions {
  readonly latencyUs: RangeUs;
  readonly loss: number;
  readonly duplicate: number;
}
const CALM: NetworkOptions = { latencyUs: { minUs: 1 * MS, maxUs: 5 * MS }, loss: 0, duplicate: 0 };

type Cmd = { readonly n: number };

/** A cluster of Raft nodes with a trivial state machine, plus invariant bookkeeping. */
class RaftTestCluster {
  readonly world: SimWorld;
  readonly rafts = new Map<string, RaftNode<Cmd>>();
  readonly applied = new Map<string, number[]>();
  /** index → the (term, digest) first reported committed there. */
  readonly committed = new Map<number, { term: number; digest: string; node: string }>();
  readonly leaders = new Map<number, string>();
  readonly violations: string[] = [];
  private nextCmd = 1;

  constructor(seed: number, network: NetworkOptions, ids: readonly string[] = IDS) {
    this.world = new SimWorld({ seed, ...network });
    for (const id of ids) this.world.add(id, (api) => this.boot(api, ids));
    this.world.onEmit(({ node, event }) => {
      if (event.kind === 'elected') {
        const term = event.term;
        if (term === undefined) {
          this.violations.push(`${node} was elected without a term`);
          return;
        }
        const before = this.leaders.get(term);
        if (before !== undefined && before !== node) this.violations.push(`two leaders in term ${term}: ${before} and ${node}`);
        this.leaders.set(term, node);
      } else if (event.kind === 'committed') {
        const record = { term: event.term, digest: event.digest, node };
        const before = this.committed.get(event.index);
        if (before === undefined) this.committed.set(event.index, record);
        else if (before.term !== record.term || before.digest !== record.digest) {
          this.violations.push(`entry ${event.index} committed as ${before.term}/${before.digest} on ${before.node} but ${record.term}/${record.digest} on ${node}`);
        }
      }
    });
    this.world.start();
  }

  /** Boots one Raft node (at start and after every restart) on what its disk kept. */
  private boot(api: NodeApi, ids: readonly string[]): NodeHandlers {
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
    const up = IDS.filter((id) => this.rafts.has(id) && this.world.node(id).status !== 'crashed');
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
      this.world.at(t, () => {
        for (const id of IDS) {
          const raft = this.rafts.get(id);
          if (raft !== undefined && this.world.node(id).status === 'up' && raft.isLeader()) raft.propose({ n: this.nextCmd++ });
        }
      });
    }
  }

  leaderIds(): string[] {
    return IDS.filter((id) => this.rafts.get(id)?.isLeader() === true && this.world.node(id).status === 'up');
  }
}

describe('raft core', () => {
  it('elects one leader and replicates commands to every node in order', () => {
    const t = new RaftTestCluster(1, CALM);
    t.proposeEvery(20 * MS, 2000 * MS);
    t.world.runUntil(2500 * MS);
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
    t.world.runUntil(1200 * MS);
    const before = t.rafts.get('s1')!;
    const termBefore = before.term;
    const committedBefore = before.commitIndex;
    expect(committedBefore).toBeGreaterThan(10);
    const logBefore = before.log.slice(1, committedBefore);
    for (const id of IDS) t.world.node(id).crash('fsynced');
    for (const id of IDS) t.world.node(id).restart();
    const after = t.rafts.get('s1')!;
    expect(after).not.toBe(before);
    expect(after.term).toBe(termBefore);
    expect(after.log.slice(1, committedBefore)).toEqual(logBefore);
    expect(after.commitIndex).toBeLessThanOrEqual(committedBefore); // a stored hint, relearned from the next leader
    expect(after.lastApplied).toBe(after.commitIndex); // rebuilt at start
    t.world.runUntil(3000 * MS);
    expect(t.leaderIds()).toHaveLength(1);
    expect(t.rafts.get('s1')!.term).toBeGreaterThan(termBefore);
    expect(t.rafts.get('s1')!.commitIndex).toBeGreaterThanOrEqual(committedBefore);
    expect(t.violations).toEqual([]);
  });

  it('PreVote: an isolated follower that rejoins does not depose the leader', () => {
    const t = new RaftTestCluster(3, CALM);
    t.world.runUntil(1000 * MS);
    const [leader] = t.leaderIds();
    const follower = IDS.find((id) => id !== leader)!;
    const term = t.rafts.get(leader)!.term;
    t.world.partition([[follower], IDS.filter((id) => id !== follower)]);
    t.world.runUntil(4000 * MS);
    // it campaigned (pre-votes only) but never bumped its term
    expect(t.rafts.get(follower)!.term).toBe(term);
    t.world.heal();
    t.world.runUntil(6000 * MS);
    expect(t.leaderIds()).toEqual([leader]);
    expect(t.rafts.get(leader)!.term).toBe(term);
    expect(t.leaders.size).toBe(1);
  });

  it('CheckQuorum: an isolated leader steps down, the majority elects another and commits', () => {
    const t = new RaftTestCluster(4, CALM);
    t.proposeEvery(50 * MS, 5000 * MS);
    t.world.runUntil(1000 * MS);
    const [old] = t.leaderIds();
    t.world.partition([[old], IDS.filter((id) => id !== old)]);
    t.world.runUntil(1000 * MS + TIMING.electionTimeoutUs.maxUs + 2 * TIMING.heartbeatUs);
    expect(t.rafts.get(old)!.isLeader()).toBe(false);
    const steppedDown = t.world.emits.filter((e) => e.event.kind === 'stepped-down' && e.node === old);
    expect(steppedDown).toHaveLength(1);
    t.world.runUntil(2500 * MS);
    const [fresh] = t.leaderIds();
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(old);
    const commitAtIsolation = t.rafts.get(old)!.commitIndex;
    expect(t.rafts.get(fresh)!.commitIndex).toBeGreaterThan(commitAtIsolation);
    t.world.heal();
    t.world.runUntil(4000 * MS);
    t.checkLogMatching();
    expect(t.violations).toEqual([]);
    expect(t.rafts.get(old)!.commitIndex).toBeGreaterThan(commitAtIsolation);
  });

  it('ReadIndex confirms a healthy leader and refuses an isolated one; the lease lapses after electionTimeout.min', () => {
    const t = new RaftTestCluster(5, CALM);
    t.world.runUntil(1000 * MS);
    const [leader] = t.leaderIds();
    const raft = t.rafts.get(leader)!;
    const outcomes: boolean[] = [];
    raft.confirmLeadership((ok) => outcomes.push(ok));
    expect(outcomes).toEqual([]); // needs a quorum round trip
    t.world.runUntil(1020 * MS);
    expect(outcomes).toEqual([true]);
    expect(raft.leaseValid()).toBe(true);

    t.world.partition([[leader], IDS.filter((id) => id !== leader)]);
    raft.confirmLeadership((ok) => outcomes.push(ok));
    t.world.runUntil(1100 * MS);
    expect(outcomes).toEqual([true]); // still waiting: no quorum answers
    expect(raft.leaseValid()).toBe(true); // 100ms < electionTimeout.min
    t.world.runUntil(1000 * MS + TIMING.electionTimeoutUs.minUs + 20 * MS);
    expect(raft.leaseValid()).toBe(false);
    t.world.runUntil(2000 * MS);
    expect(outcomes).toEqual([true, false]); // failed when CheckQuorum deposed it
  });

  it('a one-member cluster elects itself and commits alone', () => {
    const t = new RaftTestCluster(6, CALM, ['s1']);
    t.world.runUntil(500 * MS);
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
          const t = new RaftTestCluster(seed, { latencyUs: { minUs: 1 * MS, maxUs: 10 * MS }, loss: 0, duplicate: 0 });
          const faultEndUs = 4000 * MS;
          // loss and duplication until the faults end, then a calm network
          const calm = t.world.degrade({ loss, duplicate });
          t.proposeEvery(25 * MS, 6000 * MS);
          for (const fault of faults) {
            t.world.at(fault.atMs * MS, () => {
              const leader = t.leaderIds()[0];
              const target = fault.kind === 'crash-leader' || fault.kind === 'isolate-leader' ? leader : IDS[fault.target];
              if (target === undefined) return;
              const untilUs = Math.min(faultEndUs, t.world.nowUs + fault.durationMs * MS);
              if (fault.kind === 'crash' || fault.kind === 'crash-leader') {
                t.world.node(target).crash(fault.durable);
                t.world.at(untilUs, () => t.world.node(target).restart());
              } else if (fault.kind === 'pause') {
                t.world.node(target).pause(untilUs - t.world.nowUs);
              } else {
                const group = fault.kind === 'isolate-leader' ? [target] : IDS.filter((_, i) => (fault.groupMask >> i) & 1);
                t.world.partition([group, IDS.filter((id) => !group.includes(id))]);
                t.world.at(untilUs, () => t.world.heal());
              }
              t.checkLogMatching();
            });
          }
          t.world.at(faultEndUs, () => {
            t.world.heal();
            calm();
            for (const id of IDS) t.world.node(id).restart();
          });
          t.world.runUntil(faultEndUs);
          t.checkLogMatching();
          const committedAtHealUs = Math.max(0, ...t.committed.keys());
          t.world.runUntil(7000 * MS);
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
