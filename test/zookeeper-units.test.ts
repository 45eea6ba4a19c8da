/**
 * The zookeeper design's parts in isolation: knobs and timeout negotiation,
 * znode paths and names, the znode tree state machine, the server watch
 * table, the leader's session tracker, grant reporting and the TCP-like
 * connection channel.
 */
import { describe, expect, it } from 'vitest';
import { KnobError } from '../algorithms/api/index.ts';
import { zookeeper } from '../algorithms/zookeeper/index.ts';
import { negotiateTimeoutUs, parseZkKnobs } from '../algorithms/zookeeper/knobs.ts';
import { bySequence, parentOf, protectedParts, protectedPrefix, sequenceOf, sequentialName } from '../algorithms/zookeeper/paths.ts';
import { ZnodeTree, type Origin, type ZkTxn } from '../algorithms/zookeeper/tree.ts';
import { WatchManager } from '../algorithms/zookeeper/watches.ts';
import { SessionTracker } from '../algorithms/zookeeper/sessions.ts';
import { HolderReporter } from '../algorithms/zookeeper/holders.ts';
import { ACK_TYPE, TCP_TIMING, TcpChannel, type ChannelFields } from '../algorithms/zookeeper/channel.ts';
import type { Message } from '../algorithms/api/index.ts';
import { SimWorld, type SimWorldOptions } from './support/sim-world.ts';

const S = 1_000_000;
const origin: Origin = { server: 's1', conn: 'c1.1', xid: 1 };

/** A tree with `/lock` and sessions a (c1), b (c2), c (c3); returns it and the next zxid. */
function lockTree(): { tree: ZnodeTree; zxid: { n: number }; apply: (txn: ZkTxn) => ReturnType<ZnodeTree['apply']> } {
  const tree = new ZnodeTree();
  const zxid = { n: 0 };
  const apply = (txn: ZkTxn): ReturnType<ZnodeTree['apply']> => tree.apply(++zxid.n, txn);
  for (const [session, client] of [['a', 'c1'], ['b', 'c2'], ['c', 'c3']]) apply({ op: 'createSession', session, client, timeoutUs: 10 * S, origin });
  apply({ op: 'create', session: 'a', path: '/lock', ephemeral: false, sequential: false, origin });
  return { tree, zxid, apply };
}

const enqueue = (session: string, owner = 'c1'): ZkTxn => ({
  op: 'create',
  session,
  path: `/lock/${protectedPrefix('g' + session, owner, 'lock')}`,
  ephemeral: true,
  sequential: true,
  origin,
});

describe('zookeeper knobs', () => {
  it('has the SPEC defaults and passes permits through', () => {
    const k = parseZkKnobs({}, 3);
    expect(k).toMatchObject({ servers: 5, sessionTimeoutUs: 10 * S, tickTimeUs: 2 * S, syncLimit: 5, onSuspended: 'continue', clientSelfExpiry: false, heartbeatUs: 50_000, permits: 3 });
    expect(k.electionTimeoutUs).toEqual({ minUs: 150_000, maxUs: 300_000 });
    expect(zookeeper.serverCount(k)).toBe(5);
    expect(zookeeper.parseKnobs({ permits: 2 }, 2).permits).toBe(2); // `permits` is accepted as a knob (the runner reads it)
  });

  it('refuses unknown and bad knobs, naming them', () => {
    expect(() => parseZkKnobs({ ttl: '10s' }, 1)).toThrow(KnobError);
    expect(() => parseZkKnobs({ ttl: '10s' }, 1)).toThrow(/unknown knob.*sessionTimeout/);
    expect(() => parseZkKnobs({ onSuspended: 'pause' }, 1)).toThrow(/"continue", "stop"/);
    expect(() => parseZkKnobs({ tickTime: '0s' }, 1)).toThrow(/positive/);
    expect(() => parseZkKnobs({ heartbeat: '200ms' }, 1)).toThrow(/below electionTimeout.min/);
    expect(() => parseZkKnobs({ syncLimit: 0 }, 1)).toThrow(expect.objectContaining({ name: 'KnobError', path: ['syncLimit'] }));
    expect(() => parseZkKnobs({ syncLimit: 2.5 }, 1)).toThrow(expect.objectContaining({ path: ['syncLimit'], message: expect.stringMatching(/whole number/) }));
    expect(() => parseZkKnobs({}, 0)).toThrow(expect.objectContaining({ name: 'KnobError', path: ['permits'] }));
  });

  it('negotiates the session timeout into [2, 20] ticks', () => {
    expect(negotiateTimeoutUs(10 * S, 2 * S)).toBe(10 * S);
    expect(negotiateTimeoutUs(1 * S, 2 * S)).toBe(4 * S);
    expect(negotiateTimeoutUs(100 * S, 2 * S)).toBe(40 * S);
  });
});

describe('znode paths', () => {
  it('splits paths and formats ZooKeeper sequence suffixes', () => {
    expect(parentOf('/lock/x')).toBe('/lock');
    expect(parentOf('/lock')).toBe('/');
    expect(() => parentOf('/')).toThrow();
    expect(() => parentOf('lock/x')).toThrow(/bad znode path/);
    expect(sequentialName('/lock/n-', 42)).toBe('/lock/n-0000000042');
    expect(sequenceOf('n-0000000042')).toBe(42);
    expect(sequenceOf('persistent')).toBeUndefined();
    expect(bySequence(['b-0000000010', 'a-0000000002', 'plain', 'c-0000000007'])).toEqual(['a-0000000002', 'c-0000000007', 'b-0000000010']);
  });

  it('protected names carry the guid and owner', () => {
    const name = sequentialName(protectedPrefix('abc123', 'c2', 'lock'), 5);
    expect(name).toBe('_c_abc123-c2-lock-0000000005');
    expect(protectedParts(name)).toEqual({ guid: 'abc123', owner: 'c2' });
    expect(protectedParts('lock-0000000005')).toBeUndefined();
    expect(() => protectedPrefix('a-b', 'c1', 'lock')).toThrow();
  });
});

describe('znode tree', () => {
  it('sequence numbers come from the parent cversion and strictly increase across creates and deletes', () => {
    const { tree, apply } = lockTree();
    const p1 = apply(enqueue('a')).result.path!;
    const p2 = apply(enqueue('b')).result.path!;
    expect(apply({ op: 'delete', session: 'a', path: p1, tag: 'release', origin }).result.code).toBe('ok');
    const p3 = apply(enqueue('c')).result.path!;
    const seqs = [p1, p2, p3].map((p) => sequenceOf(p)!);
    expect(seqs).toEqual([0, 1, 3]); // the delete bumped cversion too
    expect(tree.children('/lock')).toHaveLength(2);
  });

  it('answers with ZooKeeper error codes', () => {
    const { apply } = lockTree();
    expect(apply({ op: 'create', session: 'a', path: '/nope/x', ephemeral: false, sequential: false, origin }).result.code).toBe('NoNode');
    expect(apply({ op: 'create', session: 'a', path: '/lock', ephemeral: false, sequential: false, origin }).result.code).toBe('NodeExists');
    expect(apply({ op: 'delete', session: 'a', path: '/lock/none', tag: null, origin }).result.code).toBe('NoNode');
    const eph = apply({ op: 'create', session: 'a', path: '/e', ephemeral: true, sequential: false, origin }).result.path!;
    expect(apply({ op: 'create', session: 'a', path: `${eph}/child`, ephemeral: false, sequential: false, origin }).result.code).toBe('NoChildrenForEphemerals');
    apply(enqueue('a'));
    expect(apply({ op: 'delete', session: 'a', path: '/lock', tag: null, origin }).result.code).toBe('NotEmpty');
    expect(apply({ op: 'create', session: 'zz', path: '/x', ephemeral: false, sequential: false, origin }).result.code).toBe('SessionExpired');
  });

  it('closeSession deletes exactly that session ephemerals, fires their watches, and the session never comes back', () => {
    const { tree, apply } = lockTree();
    const pa = apply(enqueue('a')).result.path!;
    const pb = apply(enqueue('b')).result.path!;
    const closed = apply({ op: 'closeSession', session: 'a', why: 'expired' });
    expect(closed.triggers).toEqual([{ path: pa, type: 'deleted' }, { path: '/lock', type: 'children' }]);
    expect(tree.exists(pa)).toBe(false);
    expect(tree.exists(pb)).toBe(true);
    expect(tree.exists('/lock')).toBe(true); // persistent, though session a created it
    expect(tree.isLive('a')).toBe(false);
    expect(tree.hasClosed('a')).toBe(true);
    expect(apply({ op: 'createSession', session: 'a', client: 'c1', timeoutUs: 10 * S, origin }).result.code).toBe('SessionExpired');
    expect(apply(enqueue('a')).result.code).toBe('SessionExpired');
  });

  it('refuses to apply an index twice or out of order', () => {
    const tree = new ZnodeTree();
    tree.apply(3, { op: 'createSession', session: 'a', client: 'c1', timeoutUs: 1, origin });
    expect(() => tree.apply(3, { op: 'closeSession', session: 'a', why: 'closed' })).toThrow(/applied after/);
  });
});

describe('server watch table', () => {
  it('fires each watch once, by ZooKeeper rules', () => {
    const w = new WatchManager();
    w.addData('/lock/n1', 'k1'); // exists/getData watch
    w.addChild('/lock', 'k2');
    w.addChild('/lock', 'k3');
    expect(w.trigger({ path: '/lock/n1', type: 'deleted' })).toEqual([{ conn: 'k1', path: '/lock/n1', type: 'deleted' }]);
    expect(w.trigger({ path: '/lock/n1', type: 'deleted' })).toEqual([]); // one-shot
    expect(w.trigger({ path: '/lock', type: 'children' }).map((f) => f.conn)).toEqual(['k2', 'k3']);
    expect(w.size).toBe(0);
    w.addData('/x', 'k1');
    expect(w.trigger({ path: '/x', type: 'children' })).toEqual([]); // a data watch ignores child changes
    w.removeConn('k1');
    expect(w.size).toBe(0);
  });

  it('re-registers watches after a reconnect, firing those whose change already happened', () => {
    const w = new WatchManager();
    const tree = { exists: (p: string) => p === '/lock' || p === '/lock/b', pzxid: (p: string) => (p === '/lock' ? 9 : undefined) };
    const fired = w.registerAfterReconnect('k9', { data: ['/lock/a', '/lock/b'], exist: ['/lock/b', '/new'], child: ['/lock'] }, 5, tree);
    expect(fired).toEqual([
      { conn: 'k9', path: '/lock/a', type: 'deleted' },
      { conn: 'k9', path: '/lock/b', type: 'created' },
      { conn: 'k9', path: '/lock', type: 'children' },
    ]);
    expect(w.size).toBe(2); // data on /lock/b and exist on /new stay registered
    expect(w.registerAfterReconnect('k9', { data: [], exist: [], child: ['/lock'] }, 9, tree)).toEqual([]);
  });
});

describe('leader session tracker', () => {
  it('rounds expiry up to the next tick boundary and never moves it earlier', () => {
    const t = new SessionTracker(2 * S);
    expect(t.roundUp(0)).toBe(2 * S);
    expect(t.roundUp(2 * S)).toBe(4 * S); // strictly after, as ZooKeeper's roundToNextInterval
    t.add('a', 10 * S, 500_000); // 10.5s → 12s
    expect(t.expiryOf('a')).toBe(12 * S);
    t.touch('a', 0);
    expect(t.expiryOf('a')).toBe(12 * S);
    expect(t.takeExpired(11_999_999)).toEqual([]);
    expect(t.takeExpired(12 * S)).toEqual(['a']);
    expect(t.takeExpired(13 * S)).toEqual([]); // already closing
    expect(t.touch('a', 12 * S)).toBe(false); // a closing session cannot be revived
    expect(t.isClosing('a')).toBe(true);
  });

  it('a touch extends the session', () => {
    const t = new SessionTracker(2 * S);
    t.add('a', 10 * S, 0);
    expect(t.touch('a', 5 * S)).toBe(true);
    expect(t.expiryOf('a')).toBe(16 * S);
    expect(t.takeExpired(14 * S)).toEqual([]);
    expect(t.touch('unknown', 0)).toBe(false);
  });
});

describe('grant reporting', () => {
  it('reports a grant when a node becomes the lowest, and an expiry only when a holder goes without release', () => {
    const { tree, apply } = lockTree();
    const rep = new HolderReporter('/lock', 1);
    const step = (txn: ZkTxn): ReturnType<HolderReporter['observe']> => {
      apply(txn);
      return rep.observe(tree, txn);
    };
    const a = step(enqueue('a'));
    expect(a.grants).toEqual([expect.objectContaining({ client: 'c1', session: 'a', token: 0 })]);
    const b = step(enqueue('b', 'c2'));
    expect(b.grants).toEqual([]);
    const c = step(enqueue('c', 'c3'));
    expect(c.herdWakeups).toBe(1); // c2 was waiting: a herd recipe would have woken it
    const pa = rep.holderPaths()[0];
    const released = step({ op: 'delete', session: 'a', path: pa, tag: 'release', origin });
    expect(released.ended).toEqual([]);
    expect(released.grants).toEqual([expect.objectContaining({ client: 'c2', token: 1 })]);
    expect(released.herdWakeups).toBe(2); // a herd wakes both waiters, c2 and c3
    const expired = step({ op: 'closeSession', session: 'b', why: 'expired' });
    expect(expired.ended).toEqual([expect.objectContaining({ client: 'c2', token: 1, why: 'expired' })]);
    expect(expired.grants).toEqual([expect.objectContaining({ client: 'c3', token: 2 })]);
    const gaveUp = step({ op: 'delete', session: 'c', path: rep.holderPaths()[0], tag: 'cleanup', origin });
    expect(gaveUp.ended).toEqual([expect.objectContaining({ client: 'c3', why: 'gave-up' })]);
  });

  it('with permits the first N children hold', () => {
    const { tree, apply } = lockTree();
    const rep = new HolderReporter('/lock', 2);
    const grants: number[] = [];
    for (const s of ['a', 'b', 'c']) {
      const txn = enqueue(s);
      apply(txn);
      grants.push(...rep.observe(tree, txn).grants.map((g) => g.token));
    }
    expect(grants).toEqual([0, 1]);
  });
});

describe('TCP-like connection channel', () => {
  type Data = { readonly type: 'data'; readonly n: number } & ChannelFields;

  /**
   * Two nodes `a` and `b` joined by one channel each way (the same
   * connection id); `got` collects what `b` delivers, `broken` each side's
   * give-ups, `retransmits` the metric.
   */
  function pair(options: SimWorldOptions = {}): {
    world: SimWorld;
    a: TcpChannel<Data>;
    b: TcpChannel<Data>;
    got: number[];
    broken: string[];
    retransmits: () => number;
  } {
    const world = new SimWorld({ latencyUs: 1_000, ...options });
    const got: number[] = [];
    const broken: string[] = [];
    const ends: { a?: TcpChannel<Data>; b?: TcpChannel<Data> } = {};
    world.add('a', () => ({ onMessage: (_from: string, msg: Message) => ends.a!.receive(msg as unknown as Data) }));
    world.add('b', () => ({ onMessage: (_from: string, msg: Message) => ends.b!.receive(msg as unknown as Data) }));
    world.start();
    ends.a = new TcpChannel<Data>(world.node('a').api, 'b', 'k', () => {}, (why) => broken.push(`a: ${why}`));
    ends.b = new TcpChannel<Data>(world.node('b').api, 'a', 'k', (m) => got.push(m.n), (why) => broken.push(`b: ${why}`));
    const retransmits = (): number => world.node('a').events('metric').filter((e) => e.event.name === 'tcpRetransmits').length;
    return { world, a: ends.a, b: ends.b, got, broken, retransmits };
  }

  it('delivers in order, each message once, over a network that loses 30 % and duplicates 10 %', () => {
    const { world, a, got, broken, retransmits } = pair({ loss: 0.3, duplicate: 0.1, latencyUs: { minUs: 1_000, maxUs: 20_000 } });
    for (let n = 1; n <= 200; n++) world.at(n * 10_000, () => a.send({ type: 'data', n }));
    world.runFor(60 * S);
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(a.outstanding).toBe(0); // every message acknowledged in the end
    expect(broken).toEqual([]);
    expect(retransmits()).toBeGreaterThan(20);
  });

  it('a lost message costs one retransmission timeout: 1 s before any round trip was measured, then TCP_RTO_MIN (200 ms), doubling per timeout', () => {
    const { world, a, got } = pair();
    world.cut('a', 'b');
    a.send({ type: 'data', n: 1 }); // lost
    world.runFor(TCP_TIMING.initialRtoUs - 1);
    world.restore('a', 'b');
    expect(got).toEqual([]);
    world.runFor(2_000); // the retransmission at 1 s arrives 1 ms later
    expect(got).toEqual([1]);
    world.runFor(S);
    expect(a.currentRtoUs).toBe(TCP_TIMING.minRtoUs); // a 1 ms round trip (+ 40 ms delayed ACK) gives the floor, and the backoff is gone
    world.cut('a', 'b');
    const sentUs = world.nowUs;
    a.send({ type: 'data', n: 2 });
    world.runFor(TCP_TIMING.minRtoUs + TCP_TIMING.minRtoUs * 2 - 1); // two timeouts: 200 ms, then 400 ms
    world.restore('a', 'b');
    world.runFor(2_000);
    expect(got).toEqual([1, 2]);
    expect(world.nowUs - sentUs).toBeGreaterThanOrEqual(600_000);
    world.runFor(S);
    expect(a.currentRtoUs).toBe(TCP_TIMING.minRtoUs);
  });

  it('an acknowledgement waits 40 ms for data to ride on, then goes alone', () => {
    const { world, a, b } = pair();
    a.send({ type: 'data', n: 1 });
    world.runFor(1_500); // delivered at b
    expect(a.outstanding).toBe(1);
    b.send({ type: 'data', n: 99 }); // carries the acknowledgement
    world.runFor(1_500);
    expect(a.outstanding).toBe(0);
    a.send({ type: 'data', n: 2 });
    world.runFor(TCP_TIMING.delayedAckUs);
    expect(a.outstanding).toBe(1);
    world.runFor(2_000);
    expect(a.outstanding).toBe(0);
    const bareAcks = world.node('a').inbox.filter((r) => r.msg.type === ACK_TYPE);
    expect(bareAcks).toHaveLength(1);
  });

  it('gives the connection up after 15 timeouts of the same message (tcp_retries2), and a closed channel delivers nothing', () => {
    const { world, a, b, got, broken } = pair();
    world.cut('a', 'b');
    a.send({ type: 'data', n: 1 });
    world.runFor(60 * 60 * S);
    expect(broken).toEqual([`a: no acknowledgement after ${TCP_TIMING.maxRetransmits} retransmissions`]);
    expect(a.isClosed).toBe(true);
    b.close();
    world.restore('a', 'b');
    expect(got).toEqual([]);
  });
});
