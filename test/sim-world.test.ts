/**
 * The test world (test/support/sim-world.ts) does what the tests built on
 * it rely on, on the real engine: exact latency, one-way and two-way cuts,
 * a pause's backlog handled in due order, crashes that keep what the
 * durability allows and kill the old incarnation's timers, wall-clock jumps
 * that leave the monotonic clock alone, and each node's inbox and events.
 */
import { describe, expect, it } from 'vitest';
import type { Message, NodeApi, NodeHandlers } from '../algorithms/api/index.ts';
import { idle, SimWorld } from './support/sim-world.ts';

const MS = 1_000;

/** A node that logs what it handles (message or timer) with the true time, and can be asked to send or set timers. */
class Probe implements NodeHandlers {
  readonly log: string[] = [];
  readonly booted: number;
  constructor(
    readonly api: NodeApi,
    private readonly world: SimWorld,
  ) {
    this.booted = api.disk.get<number>('boots') ?? 0;
    api.disk.set('boots', this.booted + 1);
  }
  onMessage(from: string, msg: Message): void {
    this.log.push(`${this.world.nowUs} ${from}:${msg.type}`);
  }
  timer(delayUs: number, name: string): void {
    this.api.setTimer(delayUs, () => this.log.push(`${this.world.nowUs} timer:${name}`));
  }
}

function probes(options: ConstructorParameters<typeof SimWorld>[0] = {}) {
  const world = new SimWorld(options);
  const a = world.add('a', (api) => new Probe(api, world));
  const b = world.add('b', (api) => new Probe(api, world));
  const c = world.add('c', idle, 'client');
  world.start();
  return { world, a, b, c };
}

describe('the test world', () => {
  it('delivers after exactly the latency, records inboxes, and cuts one way or both ways until healed', () => {
    const { world, a, b } = probes({ latencyUs: 3 * MS });
    a.send('b', { type: 'one' });
    world.runFor(3 * MS - 1);
    expect(b.handlers.log).toEqual([]);
    world.runFor(1);
    expect(b.handlers.log).toEqual([`${3 * MS} a:one`]);
    expect(b.inbox.map((r) => [r.atUs, r.from, r.msg.type])).toEqual([[3 * MS, 'a', 'one']]);

    world.cut('a', 'b');
    a.send('b', { type: 'lost' });
    b.send('a', { type: 'kept' });
    world.runFor(10 * MS);
    expect(b.handlers.log).toHaveLength(1);
    expect(a.handlers.log.map((l) => l.split(' ')[1])).toEqual(['b:kept']);

    world.heal();
    world.cutBoth('a', 'b');
    a.send('b', { type: 'x' });
    b.send('a', { type: 'y' });
    world.runFor(10 * MS);
    expect([a.handlers.log.length, b.handlers.log.length]).toEqual([1, 1]);
    world.heal();
    a.send('b', { type: 'again' });
    world.runFor(10 * MS);
    expect(b.handlers.log.at(-1)).toMatch(/a:again$/);
  });

  it('a paused node handles its backlog at the resume, in due order, before anything due later', () => {
    const { world, a, b } = probes({ latencyUs: 1 * MS });
    const deferred: number[] = [];
    expect(b.pause(50 * MS, (n) => deferred.push(n))).toBe(true);
    b.handlers.timer(30 * MS, 'late');
    b.handlers.timer(10 * MS, 'early');
    world.at(20 * MS, () => a.send('b', { type: 'middle' })); // due at 21 ms
    world.at(49 * MS + 1, () => a.send('b', { type: 'after' })); // due 1 µs after the resume
    world.runFor(50 * MS - 1);
    expect(b.handlers.log).toEqual([]);
    world.runFor(10 * MS);
    expect(b.handlers.log).toEqual([`${50 * MS} timer:early`, `${50 * MS} a:middle`, `${50 * MS} timer:late`, `${50 * MS + 1} a:after`]);
    expect(deferred).toEqual([3]);
  });

  // KNOWN ENGINE BUG (sim/core/engine.ts `resume`): the backlog is re-queued at the resume time behind
  // whatever was already queued for that same µs, so an event due exactly at the resume runs before
  // events that came due during the pause. This test flips to failing once the engine is fixed: make it `it` then.
  it.fails('an event due at the very µs of the resume still runs after the backlog', () => {
    const { world, a, b } = probes({ latencyUs: 1 * MS });
    b.pause(50 * MS);
    b.handlers.timer(10 * MS, 'early');
    world.at(49 * MS, () => a.send('b', { type: 'at-resume' })); // due at 50 ms, queued after the resume
    world.runFor(60 * MS);
    expect(b.handlers.log).toEqual([`${50 * MS} timer:early`, `${50 * MS} a:at-resume`]);
  });

  it('a crash keeps what its durability allows, kills the old timers, and a restart boots on the disk', () => {
    const { world, a } = probes();
    const first = a.handlers;
    first.timer(10 * MS, 'old');
    first.api.disk.set('synced', 1);
    first.api.disk.fsync();
    first.api.disk.set('unsynced', 2);
    a.crash('fsynced');
    expect(a.status).toBe('crashed');
    expect(() => a.handlers).toThrow(/crashed/);
    expect(a.crash('none')).toBe(0); // already down: left alone
    a.restart();
    const second = a.handlersAs(Probe);
    expect(second).not.toBe(first);
    expect(second.booted).toBe(1);
    expect([a.api.disk.get('synced'), a.api.disk.get('unsynced')]).toEqual([1, undefined]);
    world.runFor(20 * MS);
    expect([...first.log, ...second.log]).toEqual([]);
  });

  it('a wall-clock jump moves now() but not monotonic(); events are recorded per node and for the world', () => {
    const { world, a, c } = probes();
    world.runFor(5 * MS);
    const mono = a.api.monotonic();
    expect(a.api.now()).toBe(5 * MS);
    a.jumpWall(-2 * MS);
    expect([a.api.now(), a.api.monotonic()]).toEqual([3 * MS, mono]);
    a.api.emit({ kind: 'expired', owner: 'c1', token: 4 });
    c.api.emit({ kind: 'elected', term: 2 });
    expect(a.events('expired').map((e) => [e.atUs, e.event.owner, e.event.token])).toEqual([[5 * MS, 'c1', 4]]);
    expect(a.events('elected')).toEqual([]);
    expect(world.emits.map((e) => `${e.node} ${e.event.kind}`)).toEqual(['a expired', 'c elected']);
    expect(() => c.handlersAs(Probe)).toThrow(/not Probe/);
  });
});
