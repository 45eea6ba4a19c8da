/**
 * The release sits in `finally` (issue 9 item 1): a Redis or Redlock holder
 * sends its release however late — after overrunning its TTL, after the
 * store rejected its token — so a plain DEL deletes the next holder's lock
 * (redis.io's reason for compare-and-delete); a crashed client sends
 * nothing. Shown on the two scenarios that differ only in `release`, and on
 * the clients themselves.
 */
import { describe, expect, it } from 'vitest';
import type { LockClient } from '../algorithms/api/index.ts';
import { redis } from '../algorithms/redis/index.ts';
import { RedisServer } from '../algorithms/shared/redis/server.ts';
import type { DesignResult } from '../sim/harness/result.ts';
import { parseScenario, runScenario, runTraced as run, traceSeconds } from './support/designs.ts';
import { SimWorld } from './support/sim-world.ts';

const MS = 1_000;
const S = 1_000_000;

const atS = traceSeconds;

/** Unlock requests `client` sent that reached s1, as trace lines. */
const unlocksFrom = (trace: readonly string[], client: string): string[] => trace.filter((l) => l.includes(`s1 <- ${client} redis.unlock`));

const pairs = (result: DesignResult): string[] => (result.checks.mutualExclusion?.violations ?? []).map((v) => [...v.nodes].sort().join('+'));

describe('redis-release-del: the paused holder wakes up and its plain DEL deletes the next holder’s lock', () => {
  const { result, trace } = run('scenarios/redis-release-del.json');

  it('meets its expectations', () => {
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.checks.mutualExclusion?.ok).toBe(false);
    expect(result.checks.linearizable?.ok).toBe(false);
    expect(result.checks.resource?.ok).toBe(true);
  });

  it('c1 sends its DEL after its TTL ran out (the store had rejected its write), and it deletes c2’s key', () => {
    const del = unlocksFrom(trace, 'c1')[0];
    expect(del).toMatch(/mode=del/);
    expect(atS(del)).toBeGreaterThan(10);
    expect(trace.some((l) => /c1 # stops holding: gave up: store rejected token 1/.test(l))).toBe(true);
    const reply = trace.find((l) => atS(l) >= atS(del) && l.includes('c1 <- s1 redis.unlocked'));
    expect(reply).toMatch(/deleted=true/);
    // The key it deleted was c2's: c2 still believed it held when c3 got in.
    expect(trace.some((l) => /c2 # holds the lock \(token 2\)/.test(l))).toBe(true);
  });

  it('a third client gets in while the victim still holds: c2 and c3 overlap, neither of them paused', () => {
    expect(pairs(result)).toContain('c1+c2'); // the paused holder and the next one
    expect(pairs(result)).toContain('c2+c3'); // the victim and the third client
    const victim = (result.checks.mutualExclusion?.violations ?? []).find((v) => [...v.nodes].sort().join('+') === 'c2+c3')!;
    expect(victim.at).toBeGreaterThan(atS(unlocksFrom(trace, 'c1')[0]) * S);
  });

  it('the service history does not linearize: a release by a client that no longer held deleted a held lock', () => {
    // After c1's DEL, either that release (c1 held nothing) or the grant to c3 (c2 still held) cannot be placed.
    expect(String(result.checks.linearizable?.detail)).toMatch(/release → released|acquire → granted/);
  });
});

describe('redis-release-compare-and-delete: the same late release deletes nothing', () => {
  const { result, trace } = run('scenarios/redis-release-compare-and-delete.json');

  it('meets its expectations', () => {
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.checks.linearizable?.ok).toBe(true);
  });

  it('c1’s late release is sent, after its TTL, and answers that nothing was deleted', () => {
    const release = unlocksFrom(trace, 'c1')[0];
    expect(release).toMatch(/mode=compare-and-delete/);
    expect(atS(release)).toBeGreaterThan(10);
    const reply = trace.find((l) => atS(l) >= atS(release) && l.includes('c1 <- s1 redis.unlocked'));
    expect(reply).toMatch(/deleted=false/);
  });

  it('only the paused holder overlaps the next one: no third client gets in', () => {
    expect(pairs(result)).toEqual(['c1+c2']);
  });
});

describe('a crashed client sends nothing', () => {
  it('c1 crashes while holding and is never restarted: no unlock from c1 ever reaches the server', () => {
    const scenario = parseScenario(
      {
        name: 'crashed-holder',
        description: 'test',
        seed: 1,
        duration: '30s',
        designs: ['redis'],
        config: { redis: { ttl: '10s', release: 'del' } },
        workload: { clients: 2, sections: 2, hold: '3s', think: '500ms', stagger: '100ms', acquireTimeout: '30s', fencing: 'writes' },
        faults: [{ on: { event: 'acquired', node: 'c1', nth: 1 }, delay: '100ms', kind: 'crash', target: 'c1' }],
      },
      'test',
    );
    const trace: string[] = [];
    const result = runScenario(scenario, { trace: (line) => trace.push(line) }).results[0];
    expect(unlocksFrom(trace, 'c1')).toEqual([]);
    expect(unlocksFrom(trace, 'c2').length).toBeGreaterThan(0);
    expect(result.checks.mutualExclusion?.ok).toBe(true); // the crash ended c1's belief
  });
});

describe('the redis client: its validity runs out, nothing happens until it releases', () => {
  function setup() {
    const world = new SimWorld();
    const knobs = redis.parseKnobs({ ttl: '1s', release: 'del' }, 1);
    const ctx = { knobs, servers: ['s1'], clients: ['c1', 'c2'], permits: 1 };
    world.add('s1', (api) => redis.createServer(api, ctx, 0));
    const lost: string[] = [];
    const clients: Record<string, LockClient> = {};
    for (const id of ['c1', 'c2']) world.add(id, (api) => (clients[id] = redis.createClient(api, ctx, (reason) => lost.push(`${id}: ${reason}`))), 'client');
    world.start();
    return { world, clients, lost, server: () => world.node('s1').handlersAs(RedisServer) };
  }

  it('no watchdog: past its TTL the holder is not told it lost the lock, but stillValid() says no', () => {
    const { world, clients, lost } = setup();
    clients.c1.acquire(() => {});
    world.runFor(10 * MS);
    expect(clients.c1.stillValid()).toBe(true);
    world.runFor(3 * S);
    expect(clients.c1.stillValid()).toBe(false);
    expect(lost).toEqual([]);
  });

  it('the late plain DEL is sent and deletes the next holder’s key', () => {
    const { world, clients, server } = setup();
    clients.c1.acquire(() => {});
    world.runFor(10 * MS);
    world.runFor(2 * S); // c1's key expired
    let granted = false;
    clients.c2.acquire(() => (granted = true));
    world.runFor(10 * MS);
    expect(granted).toBe(true);
    expect(server().keyspace.peek('lock')?.owner).toBe('c2');
    let released: boolean | null | undefined;
    clients.c1.release((ok) => (released = ok));
    world.runFor(10 * MS);
    expect(released).toBe(true); // "deleted a key" — c2's
    expect(server().keyspace.peek('lock')).toBeUndefined();
    expect(clients.c2.stillValid()).toBe(true); // c2 still believes it holds
  });
});
