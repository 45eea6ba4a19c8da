/**
 * The `redis` design: the server model (SET NX PX with expiry on the chosen
 * clock, compare-and-delete vs DEL, INCR tokens, persistence across crashes,
 * async replication and Sentinel failover), the client (validity, abandon),
 * and the scenario files that show its known failure modes.
 */
import { describe, expect, it } from 'vitest';
import type { LockClient } from '../algorithms/api/index.ts';
import { KnobError } from '../algorithms/api/index.ts';
import { loadScenarioFile } from './support/designs.ts';
import { runScenario } from './support/designs.ts';
import { redis, type RedisKnobs } from '../algorithms/redis/index.ts';
import { RedisServer, type ServerOptions } from '../algorithms/shared/redis/server.ts';
import { asReply, type AcquireCmd, type AcquireReply, type Command, type Reply, type UnlockReply } from '../algorithms/shared/redis/protocol.ts';
import { idle, SimWorld, type Durability, type SimWorldOptions, type WorldNode } from './support/sim-world.ts';

const MS = 1_000;
const S = 1_000_000;

// ---- helpers ------------------------------------------------------------------------------

const LONE: ServerOptions = {
  persistence: 'none',
  expiryClock: 'wall',
  group: ['s1'],
  initialPrimary: 's1',
  replicationDelayUs: 100,
  restarted: false,
  restartDelayUs: 0,
  announceRole: true,
};

/** The driver nodes that send raw commands in these tests. */
const DRIVERS = ['c', 'c1', 'c2', 'c3'];

/** Adds the driver nodes: they ignore what they receive (tests read their inbox). */
function addDrivers(world: SimWorld): void {
  for (const id of DRIVERS) world.add(id, idle, 'client');
}

/** A world with one Redis server `s1` and driver nodes `c`, `c1`..`c3` that send raw commands; 1 ms latency. */
function loneServer(options: Partial<ServerOptions> = {}): { world: SimWorld; s1: WorldNode<RedisServer>; c: WorldNode } {
  const world = new SimWorld();
  const s1 = world.add('s1', (api) => new RedisServer(api, { ...LONE, ...options }));
  addDrivers(world);
  world.start();
  return { world, s1, c: world.node('c') };
}

let reqSeq = 0;

/** A command as a test writes it: `command` adds the request id. */
type Unsent<C> = C extends unknown ? Omit<C, 'reqId'> : never;

/** Sends one command from `from` and returns the reply it got within 10 ms (or undefined). */
function command(world: SimWorld, from: string, to: string, body: Unsent<Command>): Reply | undefined {
  const reqId = `r${++reqSeq}`;
  const sender = world.node(from);
  sender.send(to, { ...body, reqId });
  world.runFor(10 * MS);
  return repliesTo(sender).reverse().find((reply) => reply.reqId === reqId);
}

/** The Redis replies a driver node received, in order. */
function repliesTo(node: WorldNode): Reply[] {
  return node.inbox.flatMap(({ msg }) => asReply(msg) ?? []);
}

/** Whether `reply` is of `type` (narrows it). */
function isReply<T extends Reply['type']>(reply: Reply, type: T): reply is Extract<Reply, { type: T }> {
  return reply.type === type;
}

/** The reply, checked to be of `type`. */
function replyOf<T extends Reply['type']>(reply: Reply | undefined, type: T, what: string): Extract<Reply, { type: T }> {
  if (reply === undefined) throw new Error(`no reply to ${what}`);
  if (!isReply(reply, type)) throw new Error(`${what} answered ${reply.type}, expected ${type}`);
  return reply;
}

function acquire(world: SimWorld, from: string, value: string, opts: { ttlUs?: number; counter?: string | null; keys?: string[]; to?: string } = {}): AcquireReply {
  const reply = command(world, from, opts.to ?? 's1', {
    type: 'redis.acquire',
    keys: opts.keys ?? ['lock'],
    value,
    ttlUs: opts.ttlUs ?? 10 * S,
    counter: opts.counter === undefined ? 'lock:token' : opts.counter,
  });
  return replyOf(reply, 'redis.acquired', `${from}'s acquire`);
}

function unlock(world: SimWorld, from: string, value: string, mode: 'compare-and-delete' | 'del'): UnlockReply {
  const reply = command(world, from, 's1', { type: 'redis.unlock', key: 'lock', value, mode });
  return replyOf(reply, 'redis.unlocked', `${from}'s unlock`);
}

// ---- knobs --------------------------------------------------------------------------------

describe('redis knobs', () => {
  it('applies the SPEC defaults', () => {
    const knobs = redis.parseKnobs({}, 1);
    expect(knobs).toEqual<RedisKnobs>({
      servers: 1,
      ttlUs: 10 * S,
      release: 'compare-and-delete',
      tokens: 'incr',
      replicas: 0,
      replicationDelayUs: 100,
      failover: 'none',
      sentinels: 3,
      quorum: 2,
      failoverAfterUs: 5 * S,
      persistence: 'none',
      expiryClock: 'wall',
      retryDelayUs: 200 * MS,
      retryJitterUs: 100 * MS,
    });
    expect(redis.serverCount(knobs)).toBe(1);
    expect(redis.serverCount(redis.parseKnobs({ replicas: 2 }, 1))).toBe(3);
    // Sentinels run on their own server nodes after the replicas.
    expect(redis.serverCount(redis.parseKnobs({ replicas: 1, failover: 'sentinel' }, 1))).toBe(5);
    expect(redis.serverCount(redis.parseKnobs({ replicas: 2, failover: 'sentinel', sentinels: 5, quorum: 3 }, 1))).toBe(8);
  });

  it('refuses unknown knobs, bad values and a server count that contradicts replicas', () => {
    expect(() => redis.parseKnobs({ ttl: '5s', sessionTtl: '1s' }, 1)).toThrow(KnobError);
    expect(() => redis.parseKnobs({ release: 'unlink' }, 1)).toThrow(/compare-and-delete/);
    expect(() => redis.parseKnobs({ ttl: '0s' }, 1)).toThrow(/above zero/);
    expect(() => redis.parseKnobs({ servers: 3, replicas: 1 }, 1)).toThrow(/servers must be 1 or 2; got 3/);
    expect(redis.parseKnobs({ servers: 2, replicas: 1, permits: 2 }, 2).replicas).toBe(1);
    expect(redis.parseKnobs({ servers: 5, replicas: 1, failover: 'sentinel' }, 1).sentinels).toBe(3);
    expect(() => redis.parseKnobs({ failover: 'sentinel', sentinels: 3, quorum: 4 }, 1)).toThrow(/quorum \(4\) cannot exceed sentinels \(3\)/);
    expect(() => redis.parseKnobs({ sentinels: 0 }, 1)).toThrow(/at least 1/);
    expect(redis.parseKnobs({ replicationDelay: '0s' }, 1).replicationDelayUs).toBe(0);
    expect(() => redis.parseKnobs({ replicationDelay: '-1ms' }, 1)).toThrow(/non-negative/);
  });
});

// ---- the server model ---------------------------------------------------------------------

describe('redis server: SET NX PX', () => {
  it('refuses a held key, grants it again once the TTL ran out, and reports the expiry', () => {
    const { world, s1 } = loneServer();
    expect(acquire(world, 'c1', 'a').ok).toBe(true);
    expect(acquire(world, 'c2', 'b').ok).toBe(false);
    world.runFor(10 * S);
    expect(acquire(world, 'c2', 'b').ok).toBe(true);
    expect(s1.events('expired').map((e) => e.event.owner)).toEqual(['c1']);
    expect(s1.events('granted').map((e) => e.event.client)).toEqual(['c1', 'c2']);
  });

  it('expires keys actively (the cron sweep) without any access', () => {
    const { world, s1 } = loneServer();
    acquire(world, 'c1', 'a', { ttlUs: 1 * S });
    world.runFor(1.2 * S);
    expect(s1.events('expired')).toHaveLength(1);
    expect(s1.handlers.keyspace.peek('lock')).toBeUndefined();
  });

  /** Grants c1 a 10 s lock, waits 1 s, then jumps s1's wall clock 20 s forward. */
  function jumpWhileHeld(expiryClock: ServerOptions['expiryClock']): { world: SimWorld; s1: WorldNode<RedisServer> } {
    const { world, s1 } = loneServer({ expiryClock });
    acquire(world, 'c1', 'a');
    world.runFor(1 * S);
    s1.jumpWall(20 * S);
    return { world, s1 };
  }

  it('with expiryClock "wall", a forward wall-clock jump expires the key early', () => {
    const { world, s1 } = jumpWhileHeld('wall');
    expect(acquire(world, 'c2', 'b').ok).toBe(true);
    expect(s1.events('expired').map((e) => e.event.owner)).toEqual(['c1']);
  });

  it('with expiryClock "monotonic", the same jump changes nothing', () => {
    const { world } = jumpWhileHeld('monotonic');
    expect(acquire(world, 'c2', 'b').ok).toBe(false);
    world.runFor(9 * S);
    expect(acquire(world, 'c2', 'b').ok).toBe(true);
  });

  it('answers a duplicated request with its first reply instead of running it twice', () => {
    const { world, s1, c } = loneServer();
    const msg: AcquireCmd = { type: 'redis.acquire', reqId: 'dup', keys: ['lock'], value: 'a', ttlUs: 10 * S, counter: 'lock:token' };
    c.send('s1', msg);
    c.send('s1', msg);
    world.runFor(10 * MS);
    const replies = repliesTo(c).map((r) => replyOf(r, 'redis.acquired', 'the duplicated acquire'));
    expect(replies.map((r) => [r.ok, r.token])).toEqual([[true, 1], [true, 1]]);
    expect(s1.events('granted')).toHaveLength(1);
  });
});

describe('redis server: release', () => {
  it('compare-and-delete deletes only the caller\'s own value', () => {
    const { world } = loneServer();
    acquire(world, 'c1', 'a');
    expect(unlock(world, 'c2', 'b', 'compare-and-delete').deleted).toBe(false);
    expect(acquire(world, 'c2', 'b').ok).toBe(false);
    expect(unlock(world, 'c1', 'a', 'compare-and-delete').deleted).toBe(true);
    expect(acquire(world, 'c2', 'b').ok).toBe(true);
  });

  it('a plain DEL deletes another client\'s lock', () => {
    const { world } = loneServer();
    acquire(world, 'c1', 'a');
    expect(unlock(world, 'c2', 'stale', 'del').deleted).toBe(true);
    expect(acquire(world, 'c3', 'c').ok).toBe(true);
  });
});

describe('redis server: INCR tokens and semaphores', () => {
  it('the acquire script returns strictly increasing INCR tokens, or none', () => {
    const { world } = loneServer();
    const tokens: Array<number | null> = [];
    for (const v of ['a', 'b', 'c']) {
      const grant = acquire(world, 'c1', v);
      tokens.push(grant.token);
      unlock(world, 'c1', v, 'compare-and-delete');
    }
    expect(tokens).toEqual([1, 2, 3]);
    expect(acquire(world, 'c1', 'd', { counter: null }).token).toBeNull();
  });

  it('with N keys, grants the first free one and refuses when all are taken', () => {
    const { world } = loneServer();
    const keys = ['lock:0', 'lock:1'];
    expect(acquire(world, 'c1', 'a', { keys }).key).toBe('lock:0');
    expect(acquire(world, 'c2', 'b', { keys }).key).toBe('lock:1');
    expect(acquire(world, 'c3', 'c', { keys }).ok).toBe(false);
  });
});

describe('redis server: persistence across a crash', () => {
  /** Grants c1 a lock, waits `afterUs`, crashes s1 with `durable`, restarts it; reports what survived. */
  function crashAfterGrant(persistence: ServerOptions['persistence'], durable: Durability, afterUs: number): { heldStill: boolean; nextToken: number | null } {
    const { world, s1 } = loneServer({ persistence });
    acquire(world, 'c1', 'a');
    world.runFor(afterUs);
    s1.crash(durable);
    s1.restart();
    const next = acquire(world, 'c2', 'b');
    return { heldStill: !next.ok, nextToken: next.ok ? next.token : s1.handlers.keyspace.counter('lock:token') };
  }

  it('"none" keeps nothing, even when the disk survives', () => {
    expect(crashAfterGrant('none', 'all', 2 * S)).toEqual({ heldStill: false, nextToken: 1 });
  });

  it('"everysec" keeps what the once-a-second fsync reached, and loses the last second on power loss', () => {
    expect(crashAfterGrant('everysec', 'fsynced', 1.5 * S)).toEqual({ heldStill: true, nextToken: 1 });
    expect(crashAfterGrant('everysec', 'fsynced', 300 * MS)).toEqual({ heldStill: false, nextToken: 1 });
    expect(crashAfterGrant('everysec', 'all', 300 * MS)).toEqual({ heldStill: true, nextToken: 1 });
  });

  it('"always" keeps every acknowledged write', () => {
    expect(crashAfterGrant('always', 'fsynced', 0)).toEqual({ heldStill: true, nextToken: 1 });
  });

  it('a replayed key still expires on time (PEXPIREAT semantics)', () => {
    const { world, s1 } = loneServer({ persistence: 'always' });
    acquire(world, 'c1', 'a');
    s1.crash('fsynced');
    world.runFor(5 * S);
    s1.restart();
    expect(acquire(world, 'c2', 'b').ok).toBe(false);
    world.runFor(5 * S);
    const next = acquire(world, 'c2', 'b');
    expect([next.ok, next.token]).toEqual([true, 2]);
  });

  it('a crash that wipes the disk (durable "none") loses even "always" data', () => {
    expect(crashAfterGrant('always', 'none', 0)).toEqual({ heldStill: false, nextToken: 1 });
  });
});

describe('redis server: async replication and REPLICAOF', () => {
  /** Servers s1 (primary), s2, s3 and the driver nodes (a driver plays Sentinel where a test sends REPLICAOF). */
  function replicated(options: Partial<ServerOptions> = {}): SimWorld {
    const world = new SimWorld();
    const group = ['s1', 's2', 's3'];
    for (const id of group) {
      world.add(id, (api) => new RedisServer(api, { ...LONE, group, ...options }));
    }
    addDrivers(world);
    return world.start();
  }
  const server = (world: SimWorld, id: string): RedisServer => world.node(id).handlersAs(RedisServer);
  /** A driver sends `REPLICAOF primary` (null: NO ONE) to `to`, as a Sentinel does. */
  function replicaOf(world: SimWorld, to: string, primary: string | null, epoch = 1): void {
    world.node('c').send(to, { type: 'sentinel.replicaof', primary, epoch });
    world.runFor(5 * MS);
  }

  it('ships writes to the replicas within replicationDelay of the reply; a replica refuses writes with READONLY, naming no primary', () => {
    const world = replicated();
    world.runFor(10 * MS);
    acquire(world, 'c1', 'a');
    expect(server(world, 's2').keyspace.peek('lock')?.owner).toBe('c1');
    expect(server(world, 's3').keyspace.counter('lock:token')).toBe(1);
    const refused = command(world, 'c1', 's2', { type: 'redis.acquire', keys: ['lock'], value: 'x', ttlUs: S, counter: null });
    expect(refused).toEqual({ type: 'redis.readonly', reqId: refused?.reqId });
  });

  it('a primary that crashes within replicationDelay of a grant loses it; once promoted, the replica repeats the token', () => {
    const world = replicated();
    world.runFor(1 * S);
    world.node('c1').send('s1', { type: 'redis.acquire', reqId: 'first', keys: ['lock'], value: 'a', ttlUs: 10 * S, counter: 'lock:token' });
    world.runFor(1 * MS + 50); // s1 granted 50 µs ago: the reply left, the 100 µs flush has not fired
    world.node('s1').crash('none');
    world.runFor(2 * MS);
    const first = replyOf(repliesTo(world.node('c1')).find((r) => r.reqId === 'first'), 'redis.acquired', "c1's acquire");
    expect(server(world, 's2').keyspace.counter('lock:token')).toBe(0);
    world.runFor(10 * S);
    expect(server(world, 's2').role).toBe('replica'); // a replica never promotes itself
    replicaOf(world, 's2', null, 1);
    replicaOf(world, 's3', 's2');
    expect(server(world, 's2').role).toBe('primary');
    expect(world.node('s2').events('elected').map((e) => e.event.term)).toEqual([1]);
    expect(server(world, 's3').primary).toBe('s2');
    const second = acquire(world, 'c2', 'b', { to: 's2' });
    expect([first.token, second.ok, second.token]).toEqual([1, true, 1]);
    world.runFor(10 * MS);
    expect(server(world, 's3').keyspace.peek('lock')?.owner).toBe('c2');
  });

  it('the replication window is the replicationDelay knob: a crash 50 µs after the grant loses it with 100 µs, not with 0', () => {
    for (const replicationDelayUs of [100, 0]) {
      const world = replicated({ replicationDelayUs });
      world.runFor(1 * S);
      world.node('c1').send('s1', { type: 'redis.acquire', reqId: `w${replicationDelayUs}`, keys: ['lock'], value: 'a', ttlUs: 10 * S, counter: 'lock:token' });
      world.runFor(1 * MS + 50); // 1 ms latency: s1 granted 50 µs ago
      expect(world.node('s1').events('granted')).toHaveLength(1);
      world.node('s1').crash('none');
      world.runFor(10 * MS);
      expect({ replicationDelayUs, replicated: server(world, 's2').keyspace.counter('lock:token') }).toEqual({ replicationDelayUs, replicated: replicationDelayUs === 0 ? 1 : 0 });
    }
  });

  it('an old primary told REPLICAOF steps down, resyncs in full and loses the writes it took alone', () => {
    const world = replicated();
    world.runFor(1 * S);
    world.cut('s1', 's2');
    world.cut('s1', 's3');
    acquire(world, 'c1', 'a'); // only s1 has it
    replicaOf(world, 's2', null, 1);
    replicaOf(world, 's3', 's2');
    acquire(world, 'c2', 'b', { to: 's2' });
    world.heal();
    replicaOf(world, 's1', 's2');
    world.runFor(100 * MS);
    expect(server(world, 's1').role).toBe('replica');
    expect(server(world, 's1').primary).toBe('s2');
    expect(world.node('s1').events('stepped-down')).toHaveLength(1);
    expect(server(world, 's1').keyspace.peek('lock')?.owner).toBe('c2');
    expect(server(world, 's1').keyspace.counter('lock:token')).toBe(1);
  });

  it('a promoted replica carries its replication offset on, and reports it (with its role and run id) in INFO', () => {
    const world = replicated();
    world.runFor(1 * S);
    for (const v of ['a', 'b']) {
      acquire(world, 'c1', v);
      unlock(world, 'c1', v, 'compare-and-delete');
    }
    world.runFor(10 * MS);
    const offset = server(world, 's1').replicationOffset;
    expect(offset).toBeGreaterThan(0);
    expect(server(world, 's2').replicationOffset).toBe(offset);
    world.node('s1').crash('none');
    replicaOf(world, 's2', null, 1);
    expect(server(world, 's2').replicationOffset).toBe(offset);
    world.node('c').send('s2', { type: 'sentinel.ping', seq: 7 });
    world.runFor(5 * MS);
    const info = world.node('c').inbox.map((r) => r.msg).find((m) => m.type === 'sentinel.info');
    expect(info).toMatchObject({ seq: 7, role: 'primary', primary: null, offset, priority: 100, runId: server(world, 's2').runId, linkDownUs: 0 });
  });

  it('replicas never promote themselves, however long the primary is silent', () => {
    const world = replicated();
    world.node('s1').crash('none');
    world.runFor(30 * S);
    expect(server(world, 's2').role).toBe('replica');
    expect(server(world, 's3').role).toBe('replica');
  });
});

// ---- the client ---------------------------------------------------------------------------

describe('redis client', () => {
  /** Servers and clients c1, c2 of the redis design with `knobs`, started. */
  function setup(knobs: Record<string, unknown> = {}, permits = 1, options: SimWorldOptions = {}) {
    const world = new SimWorld(options);
    const parsed = redis.parseKnobs(knobs, permits);
    const servers = Array.from({ length: redis.serverCount(parsed) }, (_, i) => `s${i + 1}`);
    const ctx = { knobs: parsed, servers, clients: ['c1', 'c2'], permits };
    servers.forEach((id, i) => world.add(id, (api) => redis.createServer(api, ctx, i)));
    const lost: Record<string, string[]> = { c1: [], c2: [] };
    const clients: Record<string, LockClient> = {};
    for (const id of ['c1', 'c2']) {
      world.add(id, (api) => (clients[id] = redis.createClient(api, ctx, (reason) => lost[id].push(reason))), 'client');
    }
    world.start();
    return { world, clients, lost };
  }

  it('knows its validity (ttl − elapsed by its own clock) but nothing preempts the holder when it runs out', () => {
    const { world, clients, lost } = setup({ ttl: '1s' });
    let grant: unknown = null;
    clients.c1.acquire((g) => (grant = g));
    world.runFor(10 * MS);
    expect(grant).toEqual({ token: 1 });
    expect(clients.c1.stillValid()).toBe(true);
    world.runFor(985 * MS);
    expect(clients.c1.stillValid()).toBe(true);
    world.runFor(10 * MS);
    expect(clients.c1.stillValid()).toBe(false);
    expect(lost.c1).toEqual([]); // redis.io's pattern: the work goes on; only checkBeforeWrite reads stillValid()
  });

  it('retries while busy and gets the lock once released', () => {
    const { world, clients } = setup();
    const grants: Record<string, unknown> = {};
    clients.c1.acquire((g) => (grants.c1 = g));
    world.runFor(10 * MS);
    clients.c2.acquire((g) => (grants.c2 = g));
    world.runFor(1 * S);
    expect(grants.c2).toBeUndefined();
    let released: boolean | null = null;
    clients.c1.release((ok) => (released = ok));
    world.runFor(500 * MS);
    expect(released).toBe(true);
    expect(grants.c2).toEqual({ token: 2 });
  });

  it('a release whose first reply was lost answers unknown, not "not owner"', () => {
    const { world, clients } = setup();
    clients.c1.acquire(() => {});
    world.runFor(10 * MS);
    world.cut('s1', 'c1'); // the unlock deletes the key, but its reply is lost
    let released: boolean | null | undefined;
    clients.c1.release((ok) => (released = ok));
    world.runFor(300 * MS);
    world.heal();
    world.runFor(1 * S);
    expect(world.node('s1').handlersAs(RedisServer).keyspace.peek('lock')).toBeUndefined();
    expect(released).toBeNull();
  });

  it('a release answered "nothing deleted" reports false', () => {
    const { world, clients } = setup({ ttl: '10s' });
    clients.c1.acquire(() => {});
    world.runFor(10 * MS);
    world.node('s1').jumpWall(20 * S); // the server expires the key early
    let released: boolean | null | undefined;
    clients.c1.release((ok) => (released = ok));
    world.runFor(10 * MS);
    expect(released).toBe(false);
  });

  it('after abandon, a grant that still arrives is unlocked and never reported', () => {
    const { world, clients } = setup({ ttl: '10s' }, 1, { latencyUs: 100 * MS });
    let reported = false;
    clients.c1.acquire(() => (reported = true));
    world.runFor(50 * MS); // the SET is on its way
    clients.c1.abandon();
    world.runFor(1 * S);
    expect(reported).toBe(false);
    const server = world.node('s1').handlersAs(RedisServer);
    expect(server.keyspace.peek('lock')).toBeUndefined();
    expect(world.node('s1').events('granted')).toHaveLength(1);
  });

  it('finds the promoted replica by asking the Sentinels', () => {
    const { world, clients } = setup({ replicas: 1, failover: 'sentinel', failoverAfter: '2s' });
    world.runFor(1 * S);
    world.node('s1').crash('none');
    let grant: unknown = null;
    clients.c1.acquire((g) => (grant = g));
    world.runFor(6 * S);
    expect(grant).toEqual({ token: 1 });
    expect(world.node('s2').events('granted')).toHaveLength(1);
    const asked = world.node('c1').inbox.filter((r) => r.msg.type === 'sentinel.master').map((r) => r.msg.primary);
    expect(asked[0]).toBe('s1');
    expect(asked.at(-1)).toBe('s2');
  });

  it('without Sentinels, walks its configured list on READONLY', () => {
    const { world, clients } = setup({ replicas: 1 });
    world.runFor(10 * MS);
    world.node('c2').send('s1', { type: 'sentinel.replicaof', primary: 's2', epoch: 1 });
    world.node('c2').send('s2', { type: 'sentinel.replicaof', primary: null, epoch: 1 });
    world.runFor(10 * MS);
    let grant: unknown = null;
    clients.c1.acquire((g) => (grant = g));
    world.runFor(100 * MS);
    expect(grant).toEqual({ token: 1 });
    expect(world.node('c1').inbox.map((r) => [r.from, r.msg.type])).toEqual([
      ['s1', 'redis.readonly'],
      ['s2', 'redis.acquired'],
    ]);
  });

  it('with permits 2, two clients hold lock:0 and lock:1 at once', () => {
    const { world, clients } = setup({}, 2);
    const grants: unknown[] = [];
    clients.c1.acquire((g) => grants.push(g));
    clients.c2.acquire((g) => grants.push(g));
    world.runFor(1 * S);
    expect(grants).toHaveLength(2);
    const server = world.node('s1').handlersAs(RedisServer);
    expect([server.keyspace.peek('lock:0')?.owner, server.keyspace.peek('lock:1')?.owner].sort()).toEqual(['c1', 'c2']);
  });
});

// ---- scenarios ----------------------------------------------------------------------------

describe('redis scenarios', () => {
  function run(file: string) {
    const result = runScenario(loadScenarioFile(file), { designs: ['redis'] }).results[0];
    const ok = (check: string): unknown => (result.checks as Record<string, { ok: unknown }>)[check]?.ok;
    return { result, ok };
  }

  it('gc pause with INCR tokens and fenced writes: two holders, but the store rejects the stale write', () => {
    const { result, ok } = run('scenarios/gc-pause.json');
    expect(ok('mutualExclusion')).toBe(false);
    expect(ok('resource')).toBe(true);
    expect(ok('fencing')).toBe(true);
    expect(result.metrics.staleTokensRejected).toBeGreaterThan(0);
    expect(result.expect.met).toBe(true);
  });

  it('gc pause without fencing: two holders and a lost update', () => {
    const { result, ok } = run('scenarios/gc-pause-unfenced.json');
    expect(ok('mutualExclusion')).toBe(false);
    expect(ok('resource')).toBe(false);
    expect(result.expect.met).toBe(true);
  });

  it('failover after a crash that lost the grant: the promoted replica hands out a token that is not higher', () => {
    const { result, ok } = run('scenarios/primary-crash-async.json');
    expect(ok('fencing')).toBe(false);
    expect(result.expect.met).toBe(true);
  });

  it('is deterministic: same scenario and seed, same trace hash', () => {
    const scenario = loadScenarioFile('scenarios/primary-crash-async.json');
    const a = runScenario(scenario, { designs: ['redis'] }).results[0];
    const b = runScenario(scenario, { designs: ['redis'] }).results[0];
    expect(a.traceHash).toBe(b.traceHash);
  });
});
