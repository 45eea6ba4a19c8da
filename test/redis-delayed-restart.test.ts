/**
 * Redlock's delayed restart (antirez; redis.io "Distributed Locks with
 * Redis"): an operations rule for instances without persistence, so it holds
 * whatever the crash left on the disk. The design (the operator) knows which
 * boots are restarts; the first boot is never delayed.
 */
import { describe, expect, it } from 'vitest';
import type { Grant, NodeEvent } from '../algorithms/api/index.ts';
import { redlock } from '../algorithms/redlock/index.ts';
import { RedisServer } from '../algorithms/shared/redis/server.ts';
import { loadScenarioFile, runScenario } from './support/designs.ts';
import { SimWorld, type Durability } from './support/sim-world.ts';

const MS = 1_000;
const S = 1_000_000;

/** A started redlock deployment (5 instances, clients c1, c2) with `knobs`. */
function setup(knobs: Record<string, unknown>) {
  const world = new SimWorld();
  const parsed = redlock.parseKnobs(knobs, 1);
  const servers = Array.from({ length: redlock.serverCount(parsed) }, (_, i) => `s${i + 1}`);
  const ctx = { knobs: parsed, servers, clients: ['c1', 'c2'], permits: 1 };
  servers.forEach((id, i) => world.add(id, (api) => redlock.createServer(api, ctx, i)));
  const clients = Object.fromEntries(['c1', 'c2'].map((id) => [id, null as ReturnType<typeof redlock.createClient> | null]));
  for (const id of ['c1', 'c2']) world.add(id, (api) => (clients[id] = redlock.createClient(api, ctx, () => {})), 'client');
  world.start();
  return { world, clients: clients as Record<string, ReturnType<typeof redlock.createClient>>, server: (id: string) => world.node(id).handlersAs(RedisServer) };
}

describe('redlock delayed restart', () => {
  it('does not delay the first boot', () => {
    const { world, server } = setup({ restartDelay: '11s' });
    world.runFor(1 * MS);
    expect(['s1', 's2', 's3', 's4', 's5'].map((s) => server(s).isServing)).toEqual([true, true, true, true, true]);
  });

  for (const durable of ['all', 'fsynced', 'none'] as Durability[]) {
    it(`keeps a restarted instance silent for restartDelay whether or not its disk survived (durable "${durable}")`, () => {
      const { world, clients, server } = setup({ restartDelay: '11s', persistence: 'none' });
      let grant: Grant | null | undefined;
      clients.c1.acquire((g) => (grant = g));
      world.runFor(100 * MS);
      expect(grant).toEqual({});
      world.node('s3').crash(durable);
      world.node('s3').restart();
      world.runFor(10.9 * S);
      expect(server('s3').isServing).toBe(false);
      world.runFor(200 * MS);
      expect(server('s3').isServing).toBe(true);
      expect(server('s3').keyspace.peek('lock')).toBeUndefined(); // no persistence: it came back empty, after the TTL
    });
  }

  it('without restartDelay the instance is back at once, and empty', () => {
    const { world, clients, server } = setup({ persistence: 'none' });
    clients.c1.acquire(() => {});
    world.runFor(100 * MS);
    world.node('s3').crash('none');
    world.node('s3').restart();
    expect(server('s3').isServing).toBe(true);
    expect(server('s3').keyspace.peek('lock')).toBeUndefined();
  });
});

describe('redlock restart scenarios', () => {
  function run(file: string) {
    const events: Array<{ atUs: number; node: string; event: NodeEvent }> = [];
    const result = runScenario(loadScenarioFile(file), { designs: ['redlock'], onEmit: (atUs, node, event) => events.push({ atUs, node, event }) }).results[0];
    const ok = (check: string): unknown => (result.checks as Record<string, { ok: unknown }>)[check]?.ok;
    const grantsBy = (node: string): Array<{ atUs: number; client: string }> =>
      events.flatMap((e) => (e.event.kind === 'granted' && e.node === node ? [{ atUs: e.atUs, client: e.event.client }] : []));
    return { result, ok, grantsBy };
  }

  it('redlock-restart-without-persistence: s3 comes back empty 1 s later and grants c2 while c1 holds', () => {
    const { result, ok, grantsBy } = run('scenarios/redlock-restart-without-persistence.json');
    expect(ok('mutualExclusion')).toBe(false);
    expect(ok('resource')).toBe(false);
    const crash = result.faults[1];
    expect(crash.effect.restarted).toBe(1);
    expect(grantsBy('s3').slice(0, 2).map((g) => g.client)).toEqual(['c1', 'c2']);
    expect(grantsBy('s3')[1].atUs).toBeLessThan(2 * S);
    expect(result.expect.met).toBe(true);
  });

  it('redlock-delayed-restart: the same crash, disk lost, but s3 stays silent past the TTL; mutual exclusion holds', () => {
    const { result, ok, grantsBy } = run('scenarios/redlock-delayed-restart.json');
    expect(ok('mutualExclusion')).toBe(true);
    expect(ok('resource')).toBe(true);
    const afterCrash = grantsBy('s3').slice(1);
    expect(afterCrash.length).toBeGreaterThan(0);
    expect(afterCrash[0].atUs).toBeGreaterThan(12 * S); // crash at ~0.1 s, back 1 s later, then 11 s down
    expect(result.expect.met).toBe(true);
  });
});
