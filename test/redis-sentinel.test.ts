/**
 * Redis Sentinel as the `redis` design runs it (algorithms/redis/sentinel.ts):
 * failover only at ODOWN (`quorum` Sentinels agree the primary was silent
 * for `failoverAfter`) with a majority of Sentinels authorising, never on one
 * replica's silence; the replica with the best priority / largest offset /
 * smallest run id promoted; an old primary converted 8 s after it is seen
 * again; configuration spread by hellos. Then the built-in scenarios that
 * show each on the whole system, with the events that prove the mechanism.
 */
import { describe, expect, it } from 'vitest';
import type { NodeEvent } from '../algorithms/api/index.ts';
import { redis } from '../algorithms/redis/index.ts';
import { pickReplica, Sentinel } from '../algorithms/redis/sentinel.ts';
import { RedisServer } from '../algorithms/shared/redis/server.ts';
import { loadScenarioFile, runScenario } from './support/designs.ts';
import { idle, SimWorld } from './support/sim-world.ts';

const MS = 1_000;
const S = 1_000_000;

// ---- helpers ------------------------------------------------------------------------------

/**
 * A started world running the redis design's servers with `knobs` (failover
 * "sentinel"): data servers s1.., then the Sentinels; plus a driver node `c`
 * that sends raw commands.
 */
function deployment(knobs: Record<string, unknown>) {
  const world = new SimWorld();
  const parsed = redis.parseKnobs({ failover: 'sentinel', ...knobs }, 1);
  const servers = Array.from({ length: redis.serverCount(parsed) }, (_, i) => `s${i + 1}`);
  const ctx = { knobs: parsed, servers, clients: ['c'], permits: 1 };
  servers.forEach((id, i) => world.add(id, (api) => redis.createServer(api, ctx, i)));
  world.add('c', idle, 'client');
  world.start();
  const data = servers.slice(0, 1 + parsed.replicas);
  const sentinels = servers.slice(1 + parsed.replicas);
  const server = (id: string): RedisServer => world.node(id).handlersAs(RedisServer);
  const sentinel = (id: string): Sentinel => world.node(id).handlersAs(Sentinel);
  /** Runs the acquire script at `to` from the driver (10 ms). */
  let seq = 0;
  const grant = (to = 's1'): void => {
    world.node('c').send(to, { type: 'redis.acquire', reqId: `g${++seq}`, keys: [`k${seq}`], value: `v${seq}`, ttlUs: 60 * S, counter: 'lock:token' });
    world.runFor(10 * MS);
  };
  const elected = (): Array<[string, number | undefined]> =>
    world.emits.flatMap((e) => (e.event.kind === 'elected' ? [[e.node, e.event.term] as [string, number | undefined]] : []));
  const metric = (name: string): number => world.emits.filter((e) => e.event.kind === 'metric' && e.event.name === name).length;
  return { world, data, sentinels, server, sentinel, grant, elected, metric };
}

// ---- the promotion rule -------------------------------------------------------------------

describe('Sentinel: which replica is promoted', () => {
  const c = (server: string, priority: number, offset: number, runId: string) => ({ server, priority, offset, runId });

  it('the lowest replica-priority first, then the largest offset, then the smallest run id; priority 0 never', () => {
    expect(pickReplica([c('s2', 100, 5, 'b'), c('s3', 100, 9, 'c')])?.server).toBe('s3');
    expect(pickReplica([c('s2', 100, 9, 'b'), c('s3', 10, 5, 'c')])?.server).toBe('s3');
    expect(pickReplica([c('s2', 100, 9, 'b'), c('s3', 100, 9, 'a')])?.server).toBe('s3');
    expect(pickReplica([c('s2', 0, 99, 'a'), c('s3', 100, 1, 'z')])?.server).toBe('s3');
    expect(pickReplica([c('s2', 0, 99, 'a')])).toBeNull();
    expect(pickReplica([])).toBeNull();
  });

  it('promotes the replica with the largest replication offset when the lower-numbered one lags', () => {
    const d = deployment({ replicas: 2, failoverAfter: '2s' });
    d.world.runFor(1 * S);
    d.grant();
    d.world.cut('s1', 's2'); // s2 stops receiving the stream; s3 keeps up
    d.grant();
    d.grant();
    expect([d.server('s2').replicationOffset, d.server('s3').replicationOffset]).toEqual([2, 6]);
    d.world.node('s1').crash('none');
    d.world.runFor(10 * S);
    expect(d.elected()).toEqual([
      ['s1', 0],
      ['s3', 1],
    ]);
    expect(d.server('s2').role).toBe('replica');
    expect(d.server('s2').primary).toBe('s3');
    expect(d.sentinels.map((id) => d.sentinel(id).primary)).toEqual(['s3', 's3', 's3']);
    d.grant('s3');
    expect(d.server('s3').keyspace.counter('lock:token')).toBe(4); // the counter carried on
  });
});

// ---- ODOWN and authorisation ----------------------------------------------------------------

describe('Sentinel: failover needs ODOWN and a majority', () => {
  it('a cut primary → replica link alone promotes nobody: no Sentinel sees the primary down', () => {
    const d = deployment({ replicas: 1 });
    d.world.runFor(1 * S);
    d.world.cutBoth('s1', 's2');
    d.world.runFor(30 * S);
    expect(d.elected()).toEqual([['s1', 0]]);
    expect(d.server('s2').role).toBe('replica');
    expect(d.metric('sentinelOdown')).toBe(0);
    expect(d.sentinels.map((id) => d.sentinel(id).primary)).toEqual(['s1', 's1', 's1']);
  });

  it('one Sentinel that cannot reach the primary is not a quorum', () => {
    const d = deployment({ replicas: 1, quorum: 2 });
    d.world.runFor(1 * S);
    d.world.cutBoth('s1', 's3');
    d.world.runFor(30 * S);
    expect(d.elected()).toEqual([['s1', 0]]);
    expect(d.metric('sentinelOdown')).toBe(0);
  });

  it('ODOWN without a majority of Sentinels to authorise it fails over nothing', () => {
    // quorum 1: s3 alone declares ODOWN, but it is cut off from s4 and s5, so it cannot be elected leader.
    const d = deployment({ replicas: 1, quorum: 1 });
    d.world.runFor(1 * S);
    d.world.cutBoth('s1', 's3');
    d.world.cutBoth('s3', 's4');
    d.world.cutBoth('s3', 's5');
    d.world.runFor(30 * S);
    expect(d.sentinel('s3').isOdown).toBe(true);
    expect(d.metric('sentinelOdown')).toBe(1);
    expect(d.metric('sentinelFailoverAborts')).toBe(1);
    expect(d.elected()).toEqual([['s1', 0]]);
    expect(d.server('s2').role).toBe('replica');
  });

  it('a primary cut off from every Sentinel and replica is failed over; it keeps serving alone until 8 s after the Sentinels see it again', () => {
    const d = deployment({ replicas: 2 });
    d.world.runFor(1 * S);
    d.grant();
    const isolatedAt = d.world.nowUs;
    d.world.partition([['s1', 'c'], ['s2', 's3', 's4', 's5', 's6']]);
    d.world.runFor(10 * S);
    const promoted = d.elected().filter(([node]) => node !== 's1');
    expect(promoted).toHaveLength(1);
    const [winner, term] = promoted[0];
    expect(term).toBe(1);
    const promotedAtUs = d.world.emits.find((e) => e.event.kind === 'elected' && e.node === winner)!.atUs;
    expect(promotedAtUs - isolatedAt).toBeGreaterThan(5 * S); // down-after first
    expect(d.metric('sentinelFailovers')).toBe(1);
    expect(d.sentinels.map((id) => [d.sentinel(id).primary, d.sentinel(id).epoch])).toEqual([
      [winner, 1],
      [winner, 1],
      [winner, 1],
    ]);
    // The old primary, alone with c, still grants: two primaries.
    expect(d.server('s1').role).toBe('primary');
    d.grant('s1');
    expect(d.world.node('c').inbox.at(-1)?.msg).toMatchObject({ type: 'redis.acquired', ok: true, token: 2 });
    d.world.heal();
    const healedAt = d.world.nowUs;
    d.world.runFor(7 * S);
    expect(d.server('s1').role).toBe('primary');
    d.world.runFor(3 * S);
    expect(d.server('s1').role).toBe('replica');
    expect(d.server('s1').primary).toBe(winner);
    const steppedDown = d.world.node('s1').events('stepped-down');
    expect(steppedDown).toHaveLength(1);
    expect(steppedDown[0].atUs - healedAt).toBeGreaterThan(8 * S);
    expect(d.server('s1').keyspace.counter('lock:token')).toBe(1); // its lone grant is gone
  });

  it('a Sentinel whose state was lost in a crash learns the new primary from the others\' hellos', () => {
    const d = deployment({ replicas: 1 });
    d.world.runFor(1 * S);
    d.world.node('s1').crash('none');
    d.world.runFor(10 * S);
    expect(d.sentinel('s3').primary).toBe('s2');
    d.world.node('s3').crash('none');
    d.world.node('s3').restart();
    expect(d.sentinel('s3').primary).toBe('s1');
    d.world.runFor(3 * S);
    expect([d.sentinel('s3').primary, d.sentinel('s3').epoch]).toEqual(['s2', 1]);
  });

  it('answers clients with the primary it knows, and whether it believes it down', () => {
    const d = deployment({ replicas: 1 });
    const ask = (): unknown => {
      d.world.node('c').send('s3', { type: 'sentinel.get-master', reqId: `q${d.world.nowUs}` });
      d.world.runFor(5 * MS);
      const { primary, down } = d.world.node('c').inbox.at(-1)!.msg as unknown as { primary: string; down: boolean };
      return { primary, down };
    };
    d.world.runFor(1 * S);
    expect(ask()).toEqual({ primary: 's1', down: false });
    d.world.cutBoth('s3', 's4'); // s3 hears no hello while s4 and s5 fail over
    d.world.cutBoth('s3', 's5');
    d.world.node('s1').crash('none');
    d.world.runFor(10 * S);
    expect(d.sentinel('s4').primary).toBe('s2');
    expect(ask()).toEqual({ primary: 's1', down: true });
    d.world.heal();
    d.world.runFor(3 * S);
    expect(ask()).toEqual({ primary: 's2', down: false });
  });
});

// ---- the scenarios ------------------------------------------------------------------------

describe('redis Sentinel scenarios', () => {
  function run(file: string) {
    const events: Array<{ atUs: number; node: string; event: NodeEvent }> = [];
    const result = runScenario(loadScenarioFile(file), { designs: ['redis'], onEmit: (atUs, node, event) => events.push({ atUs, node, event }) }).results[0];
    const ok = (check: string): unknown => (result.checks as Record<string, { ok: unknown }>)[check]?.ok;
    const elected = events.flatMap((e) => (e.event.kind === 'elected' ? [[e.node, e.event.term]] : []));
    return { result, ok, events, elected };
  }

  it('redis-replica-link-cut: the replication link alone breaks; nobody is promoted and every check holds', () => {
    const { result, ok, elected } = run('scenarios/redis-replica-link-cut.json');
    expect([ok('mutualExclusion'), ok('fencing'), ok('resource'), ok('linearizable')]).toEqual([true, true, true, true]);
    expect(elected).toEqual([['s1', 0]]);
    expect(result.metrics.sentinelOdown ?? 0).toBe(0);
    expect(result.faults[0].effect.messagesDropped).toBeGreaterThan(0);
    expect(result.expect.met).toBe(true);
  });

  it('redis-primary-isolated: Sentinels fail over a primary cut off with one client; two primaries grant, tokens go back', () => {
    const { result, ok, elected, events } = run('scenarios/redis-primary-isolated.json');
    expect(ok('mutualExclusion')).toBe(false);
    expect(ok('fencing')).toBe(false);
    expect(elected).toHaveLength(2);
    expect(elected[1][1]).toBe(1);
    expect(result.metrics.sentinelFailovers).toBe(1);
    // s1 granted while the promoted replica did.
    const promotedAt = events.find((e) => e.event.kind === 'elected' && e.node !== 's1')!.atUs;
    const grantsBy = (node: string) => events.filter((e) => e.event.kind === 'granted' && e.node === node && e.atUs > promotedAt).length;
    expect(grantsBy('s1')).toBeGreaterThan(0);
    expect(grantsBy(elected[1][0] as string)).toBeGreaterThan(0);
    // After the heal the old primary is made a replica.
    expect(events.filter((e) => e.event.kind === 'stepped-down' && e.node === 's1')).toHaveLength(1);
    expect(result.expect.met).toBe(true);
  });

  it('redis-failover-largest-offset: s3, not the lagging s2, is promoted and tokens carry on', () => {
    const { result, ok, elected } = run('scenarios/redis-failover-largest-offset.json');
    expect([ok('mutualExclusion'), ok('fencing'), ok('resource')]).toEqual([true, true, true]);
    expect(elected).toEqual([
      ['s1', 0],
      ['s3', 1],
    ]);
    expect(result.expect.met).toBe(true);
  });

  it('primary-crash-async (redis): the Sentinels promote s2 after s1 crashed inside the replication delay', () => {
    const { result, ok, elected } = run('scenarios/primary-crash-async.json');
    expect(ok('fencing')).toBe(false);
    expect(elected.slice(0, 2)).toEqual([
      ['s1', 0],
      ['s2', 1],
    ]);
    expect(result.metrics.sentinelFailovers).toBe(1);
    expect(result.expect.met).toBe(true);
  });
});
