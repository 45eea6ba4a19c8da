/**
 * Live mode on `redis` with `failover: "sentinel"` (sim/live/redis/
 * sentinel-service.ts): real redis-servers and real Sentinels (`redis-server
 * --sentinel`), every server-opened connection through the live network's
 * links, clients in ioredis's Sentinel mode. The proof that a real
 * failover happened is read from the Sentinels' own logs (`+switch-master`),
 * kept with `keep`. Skipped, saying why, when redis-server is not installed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import { isInstalled } from '../sim/live/binaries.ts';
import { runLiveDesign } from '../sim/live/run-live.ts';
import { loadScenarioFile } from '../sim/scenario/load.ts';

const hasRedis = isInstalled('redis-server');
const SKIP = 'SKIPPED: redis-server is not installed (apt-get install -y redis-server)';
if (!hasRedis) console.warn(`test/live-redis-sentinel.test.ts ${SKIP}`);

/**
 * 0.3, not the 0.1 of the other live tests: Sentinel's own timers (a ping
 * every second, the failover's start delay, the replicas' reconfiguration)
 * are compiled in and do not shrink, so at 0.1 the 2.5 s partition is
 * sometimes healed before both primaries have granted (measured: agreement
 * on mutualExclusion in 1 of 2 runs at 0.1, in 3 of 3 at 0.3).
 */
const SCALE = 0.3;

const kept: string[] = [];
afterAll(() => {
  for (const dir of kept) rmSync(dir, { recursive: true, force: true });
});

/** Every line of every Sentinel's log under `dir`. */
function sentinelLogLines(dir: string): string[] {
  const lines: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'sentinel.log') lines.push(...readFileSync(path, 'utf8').split('\n'));
    }
  };
  walk(dir);
  return lines;
}

describe.skipIf(!hasRedis)(`live redis with Sentinel${hasRedis ? '' : ` (${SKIP})`}`, () => {
  it('redis-primary-isolated: s1 and c1 are cut off from the rest; the real Sentinels see s1 down, promote a replica, c2 and c3 follow them to it while s1 still grants c1 — two primaries grant at once, as simulated', async () => {
    const keep = mkdtempSync(join(tmpdir(), 'locksim-sentinel-test-'));
    kept.push(keep);
    const result = await runLiveDesign(loadScenarioFile('redis-primary-isolated', DESIGNS), 'redis', { registry: DESIGNS, timeScale: SCALE, keep });
    const checks = JSON.stringify(result.checks);
    expect(result.unsupported, checks).toBeUndefined();
    expect(result.live.servers.map((s) => `${s.name} ${s.program.replace(' (libfaketime)', '')}`)).toEqual([
      's1 redis-server',
      's2 redis-server',
      's3 redis-server',
      's4 redis-server --sentinel',
      's5 redis-server --sentinel',
      's6 redis-server --sentinel',
    ]);
    expect(result.faults[0]).toMatchObject({ kind: 'partition' });
    // A real failover: a Sentinel promoted a replica and the Sentinels switched the configured primary.
    const log = sentinelLogLines(keep);
    expect(log.filter((line) => line.includes('+switch-master locksim')).length, 'no +switch-master in the Sentinels\' logs').toBeGreaterThan(0);
    expect(log.some((line) => line.includes('+promoted-slave'))).toBe(true);
    // Only two primaries granting at once can break mutual exclusion here: c2 and c3 cannot reach s1.
    expect(result.checks.mutualExclusion?.ok, checks).toBe(false);
    expect(result.checks.fencing?.ok, checks).toBe(false);
    expect(result.checks.linearizable?.ok, checks).toBe(false);
    expect(result.agreement?.mutualExclusion).toEqual({ live: false, simulated: false, agree: true });
    // The scenario's expectations (resource is not among them: whether a lost update shows depends on how the two holders' store calls interleave).
    expect(result.expect.met, JSON.stringify(result.expect)).toBe(true);
    expect(result.live.knobs.find((k) => k.knob === 'failoverAfter')?.real).toBe('sentinel down-after-milliseconds locksim 1500');
    expect(result.live.knobs.find((k) => k.knob === 'quorum')?.real).toMatch(/^sentinel monitor … 2 /);
  });
});
