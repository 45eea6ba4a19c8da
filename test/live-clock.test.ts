/**
 * Live clock faults (sim/live/faketime.ts, faults.ts): a real redis-server
 * under libfaketime, its wall clock moved at run time through the offset
 * file. Redis 7 expires keys by the wall clock, so a forward jump on the
 * server expires a held key early and a drift moves its clock at the rate
 * asked for; the monotonic clock is left alone, and nothing is left in
 * /dev/shm. Also: which clock faults live mode refuses, and why. Skipped,
 * saying why, when redis-server or libfaketime is not installed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../sim/faults/types.ts';
import { isInstalled } from '../sim/live/binaries.ts';
import { trueClock } from '../sim/live/clock.ts';
import { FakeClock, whyNoFaketime } from '../sim/live/faketime.ts';
import { ETCD_NO_FAKE_CLOCKS } from '../sim/live/etcd/deployment.ts';
import { whyUnsupported } from '../sim/live/faults.ts';
import { LiveProcesses } from '../sim/live/processes.ts';
import { RedisServer, wallClockOffsetMs } from '../sim/live/redis-server.ts';

const noFaketime = whyNoFaketime();
const hasRedis = isInstalled('redis-server');
const SKIP = !hasRedis ? 'redis-server is not installed (apt-get install -y redis-server)' : noFaketime;
if (SKIP !== null) console.warn(`test/live-clock.test.ts: real-server clock tests SKIPPED: ${SKIP}`);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const shmOf = (pid: number): string[] => (existsSync('/dev/shm') ? readdirSync('/dev/shm').filter((n) => n.endsWith(`faketime_shm_${pid}`) || n.endsWith(`faketime_sem_${pid}`)) : []);

describe.skipIf(SKIP !== null)(`live clock faults on redis-server${SKIP === null ? '' : ` (SKIPPED: ${SKIP})`}`, () => {
  it('a forward jump expires a held key at once, a backward one does not, a drift runs the clock at its rate, and nothing is left behind', async () => {
    const registry = new LiveProcesses();
    const clock = FakeClock.create(registry, 's1', trueClock());
    let pid = -1;
    const redis = new Redis({ host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      const server = await RedisServer.start(registry, { name: 's1', aof: 'none', fakeClock: clock });
      pid = server.pid;
      expect(shmOf(pid)).toEqual([]); // libfaketime's names unlinked once it was up
      redis.options.port = server.port;
      await redis.connect();
      expect(Math.abs((await wallClockOffsetMs(server.port))!)).toBeLessThan(50);

      // A backward jump keeps the key (its expiry is further away), a forward one past the TTL expires it.
      await redis.set('lock', 'c1', 'PX', 10_000);
      clock.jump(-5_000_000);
      expect((await wallClockOffsetMs(server.port))!).toBeLessThan(-4_900);
      expect(await redis.pttl('lock')).toBeGreaterThan(14_000);
      clock.jump(+25_000_000); // +20 s from the true time
      expect((await clock.probe!())!).toBeGreaterThan(19_900);
      expect(await redis.exists('lock')).toBe(0);

      // Drift: at rate 1 the server's clock gains as much as true time passes; back at 0 it keeps the gain.
      clock.jump(-20_000_000);
      const before = (await wallClockOffsetMs(server.port))!;
      clock.drift(1);
      await sleep(300);
      expect(clock.drift(0)).toBe(1);
      const gained = (await wallClockOffsetMs(server.port))! - before;
      expect(gained).toBeGreaterThan(250);
      expect(gained).toBeLessThan(450);
      // Its monotonic clock is untouched: Redis's own uptime still counts true seconds.
      const info = await redis.info('server');
      expect(Number(/uptime_in_seconds:(\d+)/.exec(info)![1])).toBeLessThan(30);
      await server.crash();
    } finally {
      redis.disconnect();
      clock.close();
      await registry.close();
    }
    expect(registry.livePids()).toEqual([]);
    expect(registry.dirs().filter((d) => existsSync(d))).toEqual([]);
    expect(shmOf(pid)).toEqual([]);
  });
});

describe('which clock faults live mode can inject, and why not', () => {
  const jump = (target: string): Fault => ({ index: 0, trigger: { kind: 'at', atUs: 0 }, kind: 'clock-jump', target, byUs: 1_000_000 });
  const drift = (target: string): Fault => ({ index: 0, trigger: { kind: 'at', atUs: 0 }, kind: 'clock-drift', target, rate: 0.05, durationUs: undefined });
  const world = (servers: string[], fakesClocks: true | string = true) => ({ servers, whyCannotCrash: () => null, fakesClocks });

  it('on a client: only when libfaketime is installed (the client processes then run under it), whatever the design does with its servers', () => {
    const servers = ['s1', 's2', 's3'];
    for (const fault of [jump('c1'), drift('clients'), jump('holder')]) {
      for (const fakesClocks of [true, 'its servers ignore libfaketime'] as const) {
        expect(whyUnsupported(fault, world(servers, fakesClocks))).toEqual(noFaketime === null ? null : expect.stringMatching(/client processes under libfaketime.*apt-get install -y libfaketime/));
      }
    }
  });

  it('on the servers of a design that does not run them under libfaketime', () => {
    expect(whyUnsupported(jump('s1'), world(['s1'], ETCD_NO_FAKE_CLOCKS))).toBe(`clock-jump on the servers is not live for this design: ${ETCD_NO_FAKE_CLOCKS}`);
  });

  it('on the servers of a design that does: only when libfaketime is installed', () => {
    const servers = ['s1', 's2', 's3'];
    expect(whyUnsupported(jump('s3'), world(servers))).toEqual(noFaketime === null ? null : expect.stringMatching(/apt-get install -y libfaketime/));
    expect(whyUnsupported(drift('servers'), world(servers))).toEqual(noFaketime === null ? null : expect.stringMatching(/libfaketime/));
  });
});
