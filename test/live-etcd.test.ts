/**
 * Live mode end to end on etcd (sim/live/etcd): `raft-lock` as etcd's
 * lease-based mutex (concurrency.Mutex's recipe over the etcd3 client, the
 * create revision as the fencing token) and `cas` as etcd transactions on
 * mod_revision, against real etcd members on 127.0.0.1 (peers and clients
 * linked through proxies), real client processes and the real fencing
 * store, judged by the simulator's own checks beside the simulated run of
 * the same scenario. Built-in scenarios on three members instead of five
 * and with fewer sections, so each run takes a few seconds (the simulated
 * run gets the same scenario); and the deployment itself (partitions of
 * server links through the peer relays, a wiped member rejoining). Every
 * test checks that nothing it started is left. Skipped, saying why, when
 * etcd is not installed (`apt-get install -y etcd-server`).
 *
 * Time scales: etcd lease TTLs are whole seconds, so the pause runs at 0.2
 * (the 10 s session becomes a 2 s lease, the 15 s pause 3 s: longer than
 * the lease plus etcd's 500 ms expiry sweep); the others at 0.1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import { isInstalled } from '../sim/live/binaries.ts';
import { HarnessClock } from '../sim/live/clock.ts';
import { RAFT_LOCK_ADAPTER } from '../sim/live/etcd/adapter.ts';
import { LiveNetwork } from '../sim/live/network.ts';
import { LiveProcesses } from '../sim/live/processes.ts';
import { etcdHealth } from '../sim/live/ready.ts';
import { runLiveDesign, type LiveOptions } from '../sim/live/run-live.ts';
import { loadScenarioFile } from '../sim/scenario/load.ts';
import type { Scenario } from '../sim/scenario/types.ts';

const hasEtcd = isInstalled('etcd');
const SKIP = 'SKIPPED: etcd is not installed (apt-get install -y etcd-server)';
if (!hasEtcd) console.warn(`test/live-etcd.test.ts ${SKIP}`);

const SAFETY = ['mutualExclusion', 'fencing', 'resource', 'linearizable'] as const;

/** A built-in scenario narrowed to `design`, with `knobs` over its config and `workload` over its workload. */
function scenario(name: string, design: string, knobs: Record<string, unknown>, workload: Partial<Scenario['workload']>): Scenario {
  const s = loadScenarioFile(name, DESIGNS);
  return { ...s, designs: [design], config: { ...s.config, [design]: { ...s.config[design], ...knobs } }, workload: { ...s.workload, ...workload } };
}

/** Whether `pid` still runs (a zombie waiting to be reaped does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Runs live, keeping what ran (pids, folders) so the test can check nothing is left. */
async function run(s: Scenario, design: string, timeScale: number, options: Partial<LiveOptions> = {}) {
  let started: { servers: readonly number[]; clients: readonly number[]; dirs: readonly string[] } | null = null;
  const result = await runLiveDesign(s, design, {
    registry: DESIGNS,
    timeScale,
    onReady: (info) => {
      started = info;
    },
    ...options,
  });
  return { result, started: started as { servers: readonly number[]; clients: readonly number[]; dirs: readonly string[] } | null };
}

function expectNothingLeft(started: { servers: readonly number[]; clients: readonly number[]; dirs: readonly string[] } | null): void {
  expect(started).not.toBeNull();
  expect([...started!.servers, ...started!.clients].filter(running)).toEqual([]);
  expect(started!.dirs.filter((d) => existsSync(d))).toEqual([]);
}

describe.skipIf(!hasEtcd)(`live etcd${hasEtcd ? '' : ` (${SKIP})`}`, () => {
  it('raft-lock gc-pause: the holder sleeps past its etcd lease — the lease expires, c2 or c3 is granted while c1 believes (mutual exclusion breaks), the store rejects c1\'s lower create revision; as simulated', async () => {
    const { result, started } = await run(scenario('gc-pause', 'raft-lock', { servers: 3 }, { sections: 2 }), 'raft-lock', 0.2);
    expect(result.unsupported).toBeUndefined();
    const checks = JSON.stringify(result.checks);
    expect(result.checks.mutualExclusion?.ok, checks).toBe(false);
    expect(result.checks.mutualExclusion?.violations?.[0]?.nodes).toContain('c1');
    expect(result.checks.fencing?.ok, checks).toBe(true);
    expect(result.checks.resource?.ok, checks).toBe(true);
    expect(result.checks.linearizable?.ok, checks).toBe(true);
    // The pause really happened, and etcd really expired c1's lease while it slept (the observer saw a delete without a release mark).
    expect(result.faults[0]).toMatchObject({ kind: 'pause', targets: ['c1'], effect: { pausedMs: 3000, leaseExpiredWhilePaused: 1 } });
    expect(result.metrics.leaseExpiries).toBe(1);
    for (const check of SAFETY) expect(result.agreement?.[check]?.agree, JSON.stringify(result.agreement)).toBe(true);
    expect(result.live.servers.map((s) => s.program)).toEqual(['etcd', 'etcd', 'etcd']);
    const knob = (name: string) => result.live.knobs.find((k) => k.knob === name);
    expect(knob('sessionTtl')?.real).toBe('LeaseGrant TTL=2 (etcd3 client lease)');
    expect(knob('electionTimeout')?.real).toBe('--election-timeout 150');
    expect(knob('keepAlive')?.real).toMatch(/every TTL\/3 = 667 ms/);
    expectNothingLeft(started);
  });

  it('raft-lock servers-crash-durable-all: every member SIGKILLed while c1 holds and restarted 200 ms later with its data — every check holds, as simulated', async () => {
    const { result, started } = await run(scenario('servers-crash-durable-all', 'raft-lock', { servers: 3 }, { sections: 2 }), 'raft-lock', 0.1);
    expect(result.unsupported).toBeUndefined();
    expect(result.faults[0]).toMatchObject({ kind: 'crash', targets: ['s1', 's2', 's3'], effect: { crashed: 3, restarted: 3 } });
    expect(result.safe, JSON.stringify(result.checks)).toBe(true);
    for (const check of SAFETY) expect(result.agreement?.[check]?.agree, JSON.stringify(result.agreement)).toBe(true);
    expect(result.checks.liveness?.ok, JSON.stringify(result.checks.liveness)).not.toBe(false);
    expect(result.metrics.sections).toBeGreaterThanOrEqual(5);
    expectNothingLeft(started);
  });

  it('cas-contention on a 3-member etcd cluster (replication "sync"): three clients race Txn(If mod_revision = read Then Put) — refused ones retry, no update is lost, the history linearizes; as simulated', async () => {
    const { result, started } = await run(scenario('cas-contention', 'cas', { servers: 3, replication: 'sync' }, { clients: 3, sections: 5 }), 'cas', 0.1);
    expect(result.unsupported).toBeUndefined();
    const checks = JSON.stringify(result.checks);
    expect(result.checks.mutualExclusion?.ok).toBeNull();
    expect(result.checks.resource?.ok, checks).toBe(true);
    expect(result.checks.fencing?.ok, checks).toBe(true);
    expect(result.checks.linearizable?.ok, checks).toBe(true);
    expect(result.metrics.sections).toBeGreaterThanOrEqual(12);
    for (const check of ['fencing', 'resource', 'linearizable'] as const) expect(result.agreement?.[check]?.agree, JSON.stringify(result.agreement)).toBe(true);
    expect(result.live.knobs.find((k) => k.knob === 'replication')?.real).toMatch(/committed on a majority/);
    expectNothingLeft(started);
  });

  it('the deployment: isolating the leader through the peer relays elects another; a member crashed with its data wiped rejoins as a new member; close() leaves nothing', async () => {
    const registry = new LiveProcesses();
    const network = new LiveNetwork({ minUs: 0, maxUs: 0 });
    const knobs = { servers: 3, electionTimeoutUs: { minUs: 15_000, maxUs: 30_000 }, heartbeatUs: 5000, sessionTtlUs: 1_000_000, keepAliveUs: 300_000, reads: 'read-index' as const, permits: 1 };
    const service = await RAFT_LOCK_ADAPTER.start(knobs, { registry, network, clock: new HarnessClock(), timeScale: 0.1, fakeClocks: false, onEvent: () => {} });
    const pids = [...service.servers.values()].map((s) => s.pid);
    const until = async (what: string, ok: () => boolean | Promise<boolean>): Promise<void> => {
      for (let i = 0; i < 100 && !(await ok()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await ok(), what).toBe(true);
    };
    try {
      await until('a leader', () => service.leader() !== null);
      const old = service.leader()!;
      const others = service.serverNames.filter((n) => n !== old);
      for (const n of others) {
        expect(network.cut(old, n, 0)).toBe(true); // a proxy carries every server→server link
        network.cut(n, old, 0);
      }
      await until('a new leader on the majority side', () => others.includes(service.leader() ?? ''));
      for (const n of others) {
        network.heal(old, n, 0);
        network.heal(n, old, 0);
      }
      const victim = service.leader()!;
      expect(await service.crash(victim, 'none')).toEqual({ dataWiped: 1 });
      await service.restart(victim);
      await until(`${victim} healthy again after rejoining`, () => etcdHealth(service.servers.get(victim)!.port)());
      expect(readFileSync(`${service.servers.get(victim)!.dir}/etcd.log`, 'utf8')).toMatch(/"initial-cluster-state":"existing"/);
      pids.push(service.servers.get(victim)!.pid);
    } finally {
      await service.close();
      await network.close();
      await registry.close();
    }
    expect(pids.filter(running)).toEqual([]);
    expect(registry.dirs().filter((d) => existsSync(d))).toEqual([]);
  });

  it('cas with replication "async" has no etcd counterpart: every verdict null with the reason, nothing started', async () => {
    const result = await runLiveDesign(scenario('cas-contention', 'cas', { servers: 2, replication: 'async' }, {}), 'cas', { registry: DESIGNS, timeScale: 0.1, simulated: false });
    expect(result.safe).toBeNull();
    expect(result.unsupported).toMatch(/replication "async" has no real etcd counterpart/);
    expect(result.live.servers).toEqual([]);
  });
});
