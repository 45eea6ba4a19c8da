import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../sim/core/event-queue.ts';
import { NodeClock } from '../sim/core/clock.ts';
import { SimDisk } from '../sim/core/disk.ts';
import { Rng } from '../sim/core/rng.ts';
import { parseDurationUs } from '../algorithms/api/time.ts';
import { ClientLoop, clientProgress, type ClientProgress } from '../sim/harness/client-loop.ts';
import { Recorder } from '../sim/harness/recorder.ts';
import { scenario } from './support/scenario.ts';
import { idle, SimWorld } from './support/sim-world.ts';

describe('EventQueue', () => {
  it('pops in (time, insertion) order for any sequence of pushes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const q = new EventQueue<number>(2);
        times.forEach((t, i) => q.push(t, i));
        const expected = times.map((t, i) => [t, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
        const got: number[] = [];
        while (q.size > 0) got.push(q.pop()!);
        expect(got).toEqual(expected);
      }),
    );
  });

  it('interleaves pushes and pops correctly', () => {
    const q = new EventQueue<string>();
    q.push(5, 'a');
    q.push(1, 'b');
    expect(q.pop()).toBe('b');
    q.push(5, 'c');
    q.push(3, 'd');
    expect([q.pop(), q.pop(), q.pop(), q.pop()]).toEqual(['d', 'a', 'c', undefined]);
    expect(q.peekTime()).toBe(Infinity);
  });
});

describe('NodeClock', () => {
  it('a jump moves the wall clock but not the monotonic clock', () => {
    const clock = new NodeClock(0, 500);
    clock.jump(20_000_000);
    expect(clock.wall(1_000)).toBe(20_001_000);
    expect(clock.monotonic(1_000)).toBe(1_500);
  });

  it('drift changes the rate of both clocks and keeps them continuous', () => {
    const clock = new NodeClock(0, 0);
    clock.setDrift(1_000_000, -0.5);
    expect(clock.wall(1_000_000)).toBe(1_000_000);
    expect(clock.wall(3_000_000)).toBe(2_000_000);
    expect(clock.monotonic(3_000_000)).toBe(2_000_000);
    expect(clock.trueSpan(1_000_000)).toBe(2_000_000);
  });
});

describe('SimDisk', () => {
  it('keeps what each crash durability allows', () => {
    const make = (): SimDisk => {
      const disk = new SimDisk();
      disk.set('a', 1);
      disk.append('log', 'x');
      disk.fsync();
      disk.set('a', 2);
      disk.append('log', 'y');
      return disk;
    };
    const all = make();
    expect(all.crash('all')).toBe(0);
    expect([all.get('a'), all.list('log')]).toEqual([2, ['x', 'y']]);
    const synced = make();
    expect(synced.crash('fsynced')).toBe(2);
    expect([synced.get('a'), synced.list('log')]).toEqual([1, ['x']]);
    const none = make();
    none.crash('none');
    expect([none.get('a'), none.list('log')]).toEqual([undefined, []]);
  });

  it('truncate then append survives an fsync and a crash', () => {
    const disk = new SimDisk();
    for (const v of [1, 2, 3]) disk.append('log', v);
    disk.truncate('log', 1);
    disk.append('log', 9);
    disk.fsync();
    disk.append('log', 10);
    disk.crash('fsynced');
    expect(disk.list('log')).toEqual([1, 9]);
  });

  it('counts each lost write once across crashes: a wipe after a power loss loses only what survived it', () => {
    const disk = new SimDisk();
    disk.set('a', 1);
    disk.append('log', 'x');
    disk.fsync();
    disk.set('a', 2);
    disk.append('log', 'y');
    disk.append('log', 'z');
    expect(disk.crash('fsynced')).toBe(3);
    expect(disk.writes).toBe(2);
    disk.append('log', 'w');
    // The two synced writes and the new one: 6 writes made, 3 + 3 lost in all, never 3 + 6.
    expect(disk.crash('none')).toBe(3);
    expect(disk.writes).toBe(0);
  });
});

describe('Rng and durations', () => {
  it('named sub-streams are independent of each other', () => {
    const a = new Rng(7).fork('network');
    const first = [a.next(), a.next()];
    const root = new Rng(7);
    root.fork('faults').next();
    const b = root.fork('network');
    expect([b.next(), b.next()]).toEqual(first);
  });

  it('parses durations to integer microseconds', () => {
    expect(parseDurationUs('250ms')).toBe(250_000);
    expect(parseDurationUs('-20s')).toBe(-20_000_000);
    expect(parseDurationUs('2m')).toBe(120_000_000);
    expect(parseDurationUs(1.5)).toBe(1_500);
    expect(parseDurationUs('10 parsecs')).toBeUndefined();
  });
});

describe('client loop', () => {
  it('starts staggered at boot, and after a crash-restart thinks first under a fresh process number', () => {
    const workload = scenario({ workload: { staggerUs: 500 } }).workload;
    const progress: ClientProgress = clientProgress(['c1', 'c2', 'c3']).get('c3')!;
    const world = new SimWorld();
    const c3 = world.add('c3', idle, 'client');
    world.start();
    const calls: string[] = [];
    const hooks = { trueNow: () => world.nowUs, endUs: 10_000_000, recorder: new Recorder(), onEvent: () => {} };
    const loop = new ClientLoop(c3.api, workload, progress, new Rng(1), hooks);
    const begin = (): number => calls.push(`begin at ${world.nowUs}`);
    const think = (): number => calls.push(`think at ${world.nowUs}`);
    loop.start(begin, think);
    // the third client waits 2 × the stagger on its own timer
    world.runFor(999);
    expect(calls).toEqual([]);
    world.runFor(1);
    expect(calls).toEqual(['begin at 1000']);
    expect(progress.process).toBe(3);
    calls.length = 0;
    loop.start(begin, think);
    expect(calls).toEqual(['think at 1000']);
    // Jepsen's convention: the crashed process may have left an operation open, so a new one takes over,
    // numbered after every client's first process (4 for three clients), never reused.
    expect(progress.process).toBe(4);
    loop.start(begin, think);
    expect(progress.process).toBe(5);
  });
});
