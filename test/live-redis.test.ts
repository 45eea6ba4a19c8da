/**
 * Live mode end to end on `redis` (sim/live): the built-in scenarios run
 * against a real redis-server, real client processes (ioredis) and the
 * real fencing store, judged by the simulator's own checks, beside the
 * simulated run. Skipped, saying why, when redis-server is not installed
 * (`apt-get install -y redis-server`), and the clock runs when libfaketime
 * is not (`apt-get install -y libfaketime`). Durations are scaled by 0.05
 * (a 10 s TTL becomes 500 ms; 0.1 for the clock runs), so each run takes a
 * few seconds.
 */
import { describe, expect, it } from 'vitest';
import { DESIGNS, designRegistry } from '../algorithms/index.ts';
import { isInstalled } from '../sim/live/binaries.ts';
import { whyNoFaketime } from '../sim/live/faketime.ts';
import { runLiveDesign } from '../sim/live/run-live.ts';
import { loadScenarioFile } from '../sim/scenario/load.ts';

const hasRedis = isInstalled('redis-server');
const SKIP = 'SKIPPED: redis-server is not installed (apt-get install -y redis-server)';
const noFaketime = whyNoFaketime();
if (!hasRedis) console.warn(`test/live-redis.test.ts ${SKIP}`);
else if (noFaketime !== null) console.warn(`test/live-redis.test.ts: the clock runs SKIPPED: ${noFaketime}`);

const SCALE = 0.05;
const scenario = (name: string) => loadScenarioFile(name, DESIGNS);

describe.skipIf(!hasRedis)(`live redis${hasRedis ? '' : ` (${SKIP})`}`, () => {
  it('gc-pause: a SIGSTOPped holder outlives its TTL — mutual exclusion breaks, INCR fencing keeps the store safe, as simulated', async () => {
    const result = await runLiveDesign(scenario('gc-pause'), 'redis', { registry: DESIGNS, timeScale: SCALE });
    expect(result.mode).toBe('live');
    expect(result.unsupported).toBeUndefined();
    const checks = JSON.stringify(result.checks);
    expect(result.checks.mutualExclusion?.ok, checks).toBe(false);
    expect(result.checks.mutualExclusion?.violations?.[0]?.nodes).toContain('c1');
    expect(result.checks.resource?.ok, checks).toBe(true);
    expect(result.checks.fencing?.ok, checks).toBe(true);
    expect(result.checks.linearizable?.ok, checks).toBe(true);
    // The pause really happened, and the service really expired c1's lock while it slept.
    expect(result.faults[0]).toMatchObject({ kind: 'pause', targets: ['c1'] });
    expect(result.faults[0].effect.pausedMs).toBe(750);
    expect(result.faults[0].effect.leaseExpiredWhilePaused).toBe(1);
    // c1's late write is refused by token — or never sent: a resumed node process runs its due
    // timers before its pending I/O, so c1's store timeout can fire before the read reply that
    // waited in its socket (the simulator handles the backlog in due order). Either way the store stays safe.
    expect(result.metrics.sections).toBeGreaterThan(3);
    expect(result.agreement?.mutualExclusion).toEqual({ live: false, simulated: false, agree: true });
    expect(result.agreement?.resource).toEqual({ live: true, simulated: true, agree: true });
    expect(result.expect.met).toBe(true);
    // No clock fault names a server, so it is the plain program, not under libfaketime.
    expect(result.live.servers.map((s) => s.program)).toEqual(['redis-server']);
    expect(result.live.knobs.find((k) => k.knob === 'ttl')?.real).toMatch(/NX PX 500\b/);
    expect(result.live.knobs.find((k) => k.knob === 'replicationDelay')?.real).toBeNull();
  });

  it.skipIf(noFaketime !== null)(
    `clock-jump-forward: s1's wall clock jumps 20 s (2 s scaled) past c1's TTL under libfaketime, Redis expires c1's key by that clock, a second client is granted while c1 holds — mutual exclusion breaks, as simulated${noFaketime === null ? '' : ` (SKIPPED: ${noFaketime})`}`,
    async () => {
      const result = await runLiveDesign(scenario('clock-jump-forward'), 'redis', { registry: DESIGNS, timeScale: 0.1 });
      const checks = JSON.stringify(result.checks);
      expect(result.unsupported, checks).toBeUndefined();
      expect(result.checks.mutualExclusion?.ok, checks).toBe(false);
      expect(result.checks.mutualExclusion?.violations?.[0]?.nodes).toContain('c1');
      expect(result.checks.fencing?.ok, checks).toBe(true);
      expect(result.checks.resource?.ok, checks).toBe(true);
      expect(result.agreement?.mutualExclusion).toEqual({ live: false, simulated: false, agree: true });
      // Not agreement.all: liveness is a matter of who wins SET NX retries (no fairness), which the live draw decides differently now and then.
      for (const check of ['fencing', 'resource', 'linearizable'] as const) expect(result.agreement?.[check], check).toMatchObject({ agree: true });
      // The jump really moved s1's wall clock (read back from the server with TIME) and expired c1's key there.
      const jump = result.faults[0];
      expect(jump).toMatchObject({ kind: 'clock-jump', targets: ['s1'] });
      expect(jump.effect.wallJumpedMs).toBe(2000);
      expect(Math.abs((jump.effect['offsetMs.s1'] as number) - 2000), JSON.stringify(jump.effect)).toBeLessThan(100);
      expect(jump.effect.heldLockExpiredByJump).toBe(1);
      expect(result.live.servers.map((s) => s.program)).toEqual(['redis-server (libfaketime)']);
    },
  );

  it('a crash of the server (SIGKILL) with everything durable and a restart keeps every check, as simulated', async () => {
    const result = await runLiveDesign(scenario('servers-crash-durable-all'), 'redis', { registry: DESIGNS, timeScale: SCALE });
    expect(result.faults[0]).toMatchObject({ kind: 'crash', targets: ['s1'] });
    expect(result.faults[0].effect).toMatchObject({ crashed: 1, restarted: 1 });
    expect(result.safe, JSON.stringify(result.checks)).toBe(true);
    expect(result.agreement?.all, JSON.stringify(result.agreement)).toBe(true);
  });
});

describe('live mode refuses what it cannot reproduce, saying why', () => {
  it('a crash keeping only fsynced writes under appendfsync everysec: every verdict null, the reason in the fault\'s effect, nothing started', async () => {
    const result = await runLiveDesign(scenario('servers-crash-durable-fsynced'), 'redis', { registry: DESIGNS, timeScale: SCALE, simulated: false });
    expect(result.safe).toBeNull();
    expect(Object.values(result.checks).every((c) => c?.ok === null)).toBe(true);
    expect(result.checks.mutualExclusion?.detail).toMatch(/crash/);
    expect(result.faults[0].effect.unsupported).toMatch(/durable "fsynced" under persistence "everysec"/);
    expect(result.live.servers).toEqual([]);
    expect(result.agreement).toBeUndefined();
  });

  it('message loss on the steady network, and a design live mode does not run yet', async () => {
    const loss = await runLiveDesign(scenario('message-loss'), 'redis', { registry: DESIGNS, simulated: false });
    expect(loss.unsupported).toMatch(/loss 0\.2/);
    // A registered design with no live adapter (here a renamed copy of redis): every verdict null, saying which designs run live.
    const paxos = { ...DESIGNS.get('redis')!, name: 'paxos' };
    const registry = designRegistry([...DESIGNS.names.map((n) => DESIGNS.get(n)!), paxos]);
    const other = await runLiveDesign(loadScenarioFile('gc-pause', registry), 'paxos', { registry, simulated: false });
    expect(other.unsupported).toMatch(/live mode runs redis, .* so far, not paxos/);
    expect(other.checks.fencing?.ok).toBeNull();
    expect(other.live.servers).toEqual([]);
  });
});
