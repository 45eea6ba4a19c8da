/**
 * The `redlock` design: knobs, the client's quorum and validity rules
 * (driftFactor, checkValidity, clientClock), deciding as soon as a quorum
 * voted (node-redlock), a validity that is known but not enforced, unlocking
 * after a failed attempt, the delayed restart, and the scenario files (no
 * faults; Kleppmann's clock jump with wall-clock and with monotonic expiry;
 * an instance cut off for the whole run).
 */
import { describe, expect, it } from 'vitest';
import type { Grant, LockClient, NodeEventKind } from '../algorithms/api/index.ts';
import { KnobError } from '../algorithms/api/index.ts';
import { loadScenarioFile } from './support/designs.ts';
import { runScenario } from './support/designs.ts';
import { redlock, type RedlockKnobs } from '../algorithms/redlock/index.ts';
import { driftUs, quorumOf } from '../algorithms/redlock/client.ts';
import { RedisServer } from '../algorithms/shared/redis/server.ts';
import { SimWorld, type SimWorldOptions } from './support/sim-world.ts';

const MS = 1_000;
const S = 1_000_000;

// ---- helpers ------------------------------------------------------------------------------

/** A started world running redlock with `knobs`: instances s1..sN and clients c1, c2 (1 ms latency unless `options` say). */
function setup(knobs: Record<string, unknown> = {}, permits = 1, options: SimWorldOptions = {}) {
  const world = new SimWorld(options);
  const parsed = redlock.parseKnobs(knobs, permits);
  const servers = Array.from({ length: redlock.serverCount(parsed) }, (_, i) => `s${i + 1}`);
  const ctx = { knobs: parsed, servers, clients: ['c1', 'c2'], permits };
  servers.forEach((id, i) => world.add(id, (api) => redlock.createServer(api, ctx, i)));
  const lost: Record<string, string[]> = { c1: [], c2: [] };
  const clients: Record<string, LockClient> = {};
  for (const id of ['c1', 'c2']) {
    world.add(id, (api) => (clients[id] = redlock.createClient(api, ctx, (reason) => lost[id].push(reason))), 'client');
  }
  world.start();
  const holders = (key = 'lock'): Array<string | undefined> => servers.map((id) => world.node(id).handlersAs(RedisServer).keyspace.peek(key)?.owner);
  return { world, clients, lost, servers, holders };
}

/** Starts an acquire and returns a box that fills with its outcome. */
function acquire(client: LockClient): { grant: Grant | null | undefined } {
  const box: { grant: Grant | null | undefined } = { grant: undefined };
  client.acquire((g) => (box.grant = g));
  return box;
}


// ---- knobs --------------------------------------------------------------------------------

describe('redlock knobs', () => {
  it('applies the SPEC defaults', () => {
    expect(redlock.parseKnobs({}, 1)).toEqual<RedlockKnobs>({
      servers: 5,
      ttlUs: 10 * S,
      persistence: 'none',
      expiryClock: 'wall',
      driftFactor: 0.01,
      requestTimeoutUs: 50 * MS,
      retryDelayUs: 200 * MS,
      retryJitterUs: 100 * MS,
      checkValidity: true,
      clientClock: 'wall',
      restartDelayUs: 0,
    });
    expect(redlock.issuesTokens).toBe(false);
    expect(redlock.historyModel).toBe('lease-lock');
  });

  it('refuses unknown knobs and bad values', () => {
    expect(() => redlock.parseKnobs({ replicas: 1 }, 1)).toThrow(KnobError);
    expect(() => redlock.parseKnobs({ clientClock: 'tsc' }, 1)).toThrow(/monotonic/);
    expect(() => redlock.parseKnobs({ checkValidity: 'yes' }, 1)).toThrow(/true or false/);
    expect(() => redlock.parseKnobs({ servers: 0 }, 1)).toThrow(/at least 1/);
    expect(redlock.parseKnobs({ permits: 2, servers: 3 }, 2).servers).toBe(3);
  });

  it('computes quorum and drift as redis.io does', () => {
    expect([1, 2, 3, 4, 5, 7].map(quorumOf)).toEqual([1, 2, 2, 3, 3, 4]);
    expect(driftUs(10 * S, 0.01)).toBe(100 * MS + 2 * MS);
  });
});

// ---- the algorithm ------------------------------------------------------------------------

describe('redlock client', () => {
  it('holds with a quorum; its validity (ttl − elapsed − drift by its own clock) is known, not enforced', () => {
    const { world, clients, lost, holders } = setup({ ttl: '1s' });
    const box = acquire(clients.c1);
    world.runFor(5 * MS);
    expect(box.grant).toEqual({});
    expect(holders()).toEqual(['c1', 'c1', 'c1', 'c1', 'c1']);
    // validity = 1s − ~2ms elapsed − (10ms + 2ms)
    world.runFor(980 * MS);
    expect(clients.c1.stillValid()).toBe(true);
    world.runFor(10 * MS);
    expect(clients.c1.stillValid()).toBe(false);
    // No watchdog: nothing tells the holder it lost the lock; it still releases (in `finally`), and learns then.
    world.runFor(5 * S);
    expect(lost.c1).toEqual([]);
    let released: boolean | null | undefined;
    clients.c1.release((ok) => (released = ok));
    world.runFor(10 * MS);
    expect(released).toBe(false);
    expect(world.node('s1').inbox.filter((m) => m.from === 'c1' && m.msg.type === 'redis.unlock')).toHaveLength(1);
  });

  it('gets the lock through a minority of unreachable instances', () => {
    const { world, clients, holders } = setup();
    world.cutBoth('c1', 's4');
    world.cutBoth('c1', 's5');
    const box = acquire(clients.c1);
    world.runFor(60 * MS); // the two timeouts take requestTimeout
    expect(box.grant).toEqual({});
    expect(holders()).toEqual(['c1', 'c1', 'c1', undefined, undefined]);
  });

  it('decides as soon as a quorum voted yes: an unreachable instance does not add requestTimeout to the acquire', () => {
    const { world, clients } = setup({ requestTimeout: '50ms' });
    world.cutBoth('c1', 's5');
    const box = acquire(clients.c1);
    world.runFor(3 * MS); // 1 ms each way: three yes votes are in after 2 ms
    expect(box.grant).toEqual({});
    // The same with a slow instance instead of a cut one.
    const slow = setup({ requestTimeout: '50ms' });
    slow.world.cutBoth('c1', 's4');
    slow.world.cutBoth('c1', 's5');
    const late = acquire(slow.clients.c1);
    slow.world.runFor(3 * MS);
    expect(late.grant).toEqual({});
  });

  it('decides as soon as a quorum is impossible: unlocks and schedules the retry without waiting for the silent instances', () => {
    const { world, clients } = setup({ requestTimeout: '1s', retryDelay: '200ms', retryJitter: '0ms' });
    acquire(clients.c2);
    world.runFor(5 * MS); // c2 holds every instance
    world.cutBoth('c1', 's4');
    world.cutBoth('c1', 's5');
    const box = acquire(clients.c1);
    world.runFor(250 * MS); // 3 no votes at 2 ms; the retry 200 ms later, long before the 1 s timeouts
    expect(box.grant).toBeUndefined();
    const sets = world.node('s1').inbox.filter((m) => m.from === 'c1' && m.msg.type === 'redis.acquire');
    expect(sets.length).toBe(2);
    expect(sets[1].atUs - sets[0].atUs).toBeLessThan(210 * MS);
  });

  it('a yes that comes after the decision, while the client holds, is kept and released with the rest', () => {
    const { world, clients, holders } = setup({ requestTimeout: '100ms' });
    world.node('s4').pause(30 * MS);
    world.node('s5').pause(30 * MS);
    const box = acquire(clients.c1);
    world.runFor(3 * MS);
    expect(box.grant).toEqual({}); // three yes votes in 2 ms: held before s4, s5 answer
    expect(holders()).toEqual(['c1', 'c1', 'c1', undefined, undefined]);
    world.runFor(40 * MS); // s4, s5 wake up, grant, and their yes arrives after the decision
    expect(holders()).toEqual(['c1', 'c1', 'c1', 'c1', 'c1']);
    let released: boolean | null | undefined;
    clients.c1.release((ok) => (released = ok));
    world.runFor(3 * MS);
    expect(released).toBe(true);
    expect(holders()).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('without a quorum, unlocks what it got and retries until it can', () => {
    const { world, clients, holders } = setup();
    for (const s of ['s3', 's4', 's5']) world.cutBoth('c1', s);
    const box = acquire(clients.c1);
    world.runFor(100 * MS);
    expect(box.grant).toBeUndefined();
    expect(holders()).toEqual([undefined, undefined, undefined, undefined, undefined]);
    world.heal();
    world.runFor(400 * MS);
    expect(box.grant).toEqual({});
  });

  it('refuses a grant whose votes took longer than the validity; checkValidity false accepts it', () => {
    for (const checkValidity of [true, false]) {
      // 120 ms round trip > 100 ms ttl
      const { world, clients } = setup({ ttl: '100ms', requestTimeout: '1s', checkValidity }, 1, { latencyUs: 60 * MS });
      const box = acquire(clients.c1);
      world.runFor(130 * MS);
      expect(box.grant).toEqual(checkValidity ? undefined : {});
    }
  });

  it('two clients never both get a quorum; the second gets it after the release', () => {
    const { world, clients } = setup();
    const a = acquire(clients.c1);
    world.runFor(10 * MS);
    const b = acquire(clients.c2);
    world.runFor(2 * S);
    expect(a.grant).toEqual({});
    expect(b.grant).toBeUndefined();
    let released: boolean | null = null;
    clients.c1.release((ok) => (released = ok));
    world.runFor(500 * MS);
    expect(released).toBe(true);
    expect(b.grant).toEqual({});
  });

  it('release: true with a quorum of deletions, false when a quorum had no key, unknown otherwise', () => {
    const outcomes: Array<boolean | null | undefined> = [];
    for (const fault of ['none', 'expired', 'unreachable'] as const) {
      const { world, clients } = setup();
      acquire(clients.c1);
      world.runFor(10 * MS);
      for (const s of ['s1', 's2', 's3']) {
        if (fault === 'expired') world.node(s).jumpWall(20 * S);
        if (fault === 'unreachable') world.cutBoth('c1', s);
      }
      let released: boolean | null | undefined;
      clients.c1.release((ok) => (released = ok));
      world.runFor(100 * MS);
      outcomes.push(released);
    }
    expect(outcomes).toEqual([true, false, null]);
  });

  it('on abandon, the attempt in flight unlocks every instance and reports nothing', () => {
    const { world, clients, holders } = setup({}, 1, { latencyUs: 20 * MS });
    const box = acquire(clients.c1);
    world.runFor(25 * MS); // SETs applied, replies on their way
    clients.c1.abandon();
    world.runFor(200 * MS);
    expect(box.grant).toBeUndefined();
    expect(holders()).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('clientClock "wall" is fooled by a backward jump on the client; "monotonic" is not', () => {
    for (const clientClock of ['wall', 'monotonic'] as const) {
      const { world, clients } = setup({ ttl: '1s', clientClock });
      acquire(clients.c1);
      world.runFor(5 * MS);
      world.node('c1').jumpWall(-5 * S);
      world.runFor(1 * S);
      expect(clients.c1.stillValid()).toBe(clientClock === 'wall');
    }
  });
});

describe('redlock instances', () => {
  it('a restarted instance without persistence forgets the key; a delayed restart stays silent until it expired', () => {
    for (const restartDelay of ['0s', '11s']) {
      const { world, clients, lost } = setup({ restartDelay });
      acquire(clients.c1);
      world.runFor(10 * MS);
      world.node('s1').crash('all');
      world.node('s1').restart();
      // c2 cannot reach s4, s5: it needs s1 (forgetful, or silent) plus s2, s3 (which hold c1's key)
      world.cutBoth('c2', 's4');
      world.cutBoth('c2', 's5');
      const box = acquire(clients.c2);
      world.runFor(1 * S);
      expect(box.grant).toBeUndefined();
      const server = world.node('s1').handlersAs(RedisServer);
      expect(server.isServing).toBe(restartDelay === '0s');
      world.runFor(12 * S);
      expect(lost.c1).toEqual([]); // c1 is never told: it only knows its validity ran out
      expect(clients.c1.stillValid()).toBe(false);
      expect(box.grant).toEqual({});
      expect(server.isServing).toBe(true);
    }
  });

  it('"always" persistence keeps the key across a crash, so the quorum cannot be stolen', () => {
    const { world, clients } = setup({ persistence: 'always' });
    acquire(clients.c1);
    world.runFor(10 * MS);
    for (const s of ['s1', 's2']) {
      world.node(s).crash('fsynced');
      world.node(s).restart();
    }
    const box = acquire(clients.c2);
    world.runFor(2 * S);
    expect(box.grant).toBeUndefined();
  });

  it('without persistence, restarting a majority of instances hands the lock to a second client', () => {
    const { world, clients } = setup({ persistence: 'none' });
    acquire(clients.c1);
    world.runFor(10 * MS);
    for (const s of ['s1', 's2', 's3']) {
      world.node(s).crash('all');
      world.node(s).restart();
    }
    const box = acquire(clients.c2);
    world.runFor(2 * S);
    expect(box.grant).toEqual({});
    expect(clients.c1.stillValid()).toBe(true);
  });

  it('announce no leadership (there is none) but report grants and expiries per instance', () => {
    const { world, clients } = setup({ ttl: '1s' });
    acquire(clients.c1);
    world.runFor(2 * S);
    const events = (e: NodeEventKind): number => ['s1', 's2', 's3', 's4', 's5'].reduce((n, s) => n + world.node(s).events(e).length, 0);
    expect(events('elected')).toBe(0);
    expect(events('granted')).toBe(5);
    expect(events('expired')).toBe(5);
  });
});

// ---- scenarios ----------------------------------------------------------------------------

describe('redlock scenarios', () => {
  function run(file: string) {
    const result = runScenario(loadScenarioFile(file), { designs: ['redlock'] }).results[0];
    const ok = (check: string): unknown => (result.checks as Record<string, { ok: unknown }>)[check]?.ok;
    return { result, ok };
  }

  it('no faults: every check holds', () => {
    const { result, ok } = run('scenarios/no-faults.json');
    expect(ok('mutualExclusion')).toBe(true);
    expect(ok('resource')).toBe(true);
    expect(ok('linearizable')).toBe(true);
    expect(ok('fencing')).toBeNull();
    expect(result.metrics.sections).toBe(30);
    expect(result.expect.met).toBe(true);
  });

  it("Kleppmann's clock jump: s3's early expiry lets c2 lock s3, s4, s5 while c1 holds", () => {
    const { result, ok } = run('scenarios/redlock-clock-jump.json');
    expect(ok('mutualExclusion')).toBe(false);
    expect(result.expect.met).toBe(true);
    const violation = (result.checks.mutualExclusion?.violations ?? [])[0];
    expect([...(violation?.nodes ?? [])].sort()).toEqual(['c1', 'c2']);
  });

  it('the same jump with monotonic expiry: mutual exclusion holds', () => {
    const { result, ok } = run('scenarios/redlock-clock-jump-monotonic.json');
    expect(ok('mutualExclusion')).toBe(true);
    expect(result.expect.met).toBe(true);
  });

  it('an instance cut off for the whole run: each acquire is decided by the first quorum, well inside requestTimeout', () => {
    const { result, ok } = run('scenarios/redlock-quorum-early.json');
    expect(ok('mutualExclusion')).toBe(true);
    expect(ok('linearizable')).toBe(true);
    expect(result.metrics.sections).toBe(20);
    expect(result.metrics.acquireP99Ms).toBeLessThan(15); // waiting for s5's timeout would make every acquire ≥ 50 ms
    expect(result.expect.met).toBe(true);
  });
});
