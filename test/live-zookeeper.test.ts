/**
 * Live mode end to end on `zookeeper` (sim/live/zookeeper): built-in
 * scenarios against a real ZooKeeper 3.8 ensemble (JVMs on 127.0.0.1,
 * peers and clients linked through proxies), real client processes
 * (node-zookeeper-client with the lock recipe and Curator's connection
 * states) and the real fencing store, judged by the simulator's own checks
 * beside the simulated run. The holder cut runs on the scenario's five
 * servers; the fencing and contention runs on three, to spare JVM
 * start-ups (the simulated run gets the same). Skipped, saying why, when
 * ZooKeeper or java is not installed (`apt-get install -y zookeeper`).
 * Durations are scaled by 0.05 (a 10 s session becomes 500 ms, tickTime
 * 2 s becomes 100 ms); most of each run's time is the JVMs starting (2–4 s
 * on two cores).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import { isInstalled } from '../sim/live/binaries.ts';
import { runLiveDesign } from '../sim/live/run-live.ts';
import { loadScenarioFile } from '../sim/scenario/load.ts';
import type { Scenario } from '../sim/scenario/types.ts';

const hasZooKeeper = isInstalled('zookeeper') && isInstalled('java');
const SKIP = 'SKIPPED: ZooKeeper is not installed (apt-get install -y zookeeper)';
if (!hasZooKeeper) console.warn(`test/live-zookeeper.test.ts ${SKIP}`);

const SCALE = 0.05;
const scenario = (name: string) => loadScenarioFile(name, DESIGNS);
/** The scenario with a smaller ensemble (each JVM costs about a second to start on two cores); the simulated run gets the same. */
const onServers = (s: Scenario, servers: number): Scenario => ({ ...s, config: { ...s.config, zookeeper: { ...s.config.zookeeper, servers } } });

/** Whether `pid` still runs (a zombie waiting to be reaped does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Local addresses `pid` listens on (TCP), from `ss -ltnpH`; null when ss is not available. */
function listening(pid: number): string[] | null {
  let out: string;
  try {
    out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  } catch {
    return null;
  }
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[3]);
}

describe.skipIf(!hasZooKeeper)(`live zookeeper${hasZooKeeper ? '' : ` (${SKIP})`}`, () => {
  it('zookeeper-holder-cut-lost: the holder cut from the ensemble longer than its session — the ensemble expires it and grants c2 while c1 still believes, until Curator\'s LOST; as simulated', async () => {
    const result = await runLiveDesign(scenario('zookeeper-holder-cut-lost'), 'zookeeper', { registry: DESIGNS, timeScale: SCALE });
    expect(result.unsupported).toBeUndefined();
    const checks = JSON.stringify(result.checks);
    expect(result.checks.mutualExclusion?.ok, checks).toBe(false);
    const violation = result.checks.mutualExclusion?.violations?.[0];
    expect(violation?.nodes).toEqual(['c1', 'c2']);
    // c1's belief ends with LOST (Curator's injected expiry), before its 1 s hold is over: it never writes.
    expect(violation?.detail, checks).toMatch(/lost: session timeout \(500 ms\) elapsed while SUSPENDED/);
    expect(result.checks.resource?.ok, checks).toBe(true);
    expect(result.checks.fencing?.ok, checks).toBe(true);
    expect(result.checks.linearizable?.ok, checks).toBe(true);
    // The cut really stalled c1's links to all five servers, and the ensemble really expired c1's session.
    expect(result.faults[0]).toMatchObject({ kind: 'partition', targets: ['c1', 's1', 's2', 's3', 's4', 's5'], effect: { linksCut: 10, linksCarried: 10 } });
    expect(result.metrics.leaseExpiries).toBe(1);
    expect(result.metrics.bytesHeldByPartitions).toBeGreaterThan(0);
    for (const check of ['mutualExclusion', 'fencing', 'resource', 'linearizable'] as const) expect(result.agreement?.[check]?.agree, JSON.stringify(result.agreement)).toBe(true);
    expect(result.expect.mismatches.filter((m) => m.check !== 'liveness'), JSON.stringify(result.expect)).toEqual([]);
    expect(result.live.servers.map((s) => s.program)).toEqual(Array(5).fill('zookeeper'));
    expect(result.live.knobs.find((k) => k.knob === 'tickTime')?.real).toBe('zoo.cfg tickTime=100');
    expect(result.live.knobs.find((k) => k.knob === 'sessionTimeout')?.real).toMatch(/negotiated 500 ms/);
    expect(result.live.knobs.find((k) => k.knob === 'electionTimeout')?.real).toBeNull();
  });

  it('zookeeper-holder-cut-fenced-rw (on three servers): the same cut with sequence-number fencing on reads and writes — two believe, the store refuses c1\'s late write, no update is lost; as simulated', async () => {
    const result = await runLiveDesign(onServers(scenario('zookeeper-holder-cut-fenced-rw'), 3), 'zookeeper', { registry: DESIGNS, timeScale: SCALE });
    const checks = JSON.stringify(result.checks);
    expect(result.checks.mutualExclusion?.ok, checks).toBe(false);
    expect(result.checks.resource?.ok, checks).toBe(true);
    expect(result.checks.fencing?.ok, checks).toBe(true);
    expect(result.checks.linearizable?.ok, checks).toBe(true);
    expect(result.metrics.staleTokensRejected).toBeGreaterThanOrEqual(1);
    for (const check of ['mutualExclusion', 'fencing', 'resource', 'linearizable'] as const) expect(result.agreement?.[check]?.agree, JSON.stringify(result.agreement)).toBe(true);
  });

  it('no-faults on a three-server ensemble: three clients contend for 30 sections and every check holds, as simulated; the servers listen on 127.0.0.1 only; afterwards no JVM, client or folder is left', async () => {
    let seen: { servers: readonly number[]; clients: readonly number[]; dirs: readonly string[] } | undefined;
    const result = await runLiveDesign(onServers(scenario('no-faults'), 3), 'zookeeper', {
      registry: DESIGNS,
      timeScale: SCALE,
      onReady: (info) => {
        seen = info;
        for (const dir of info.dirs) {
          const cfg = readFileSync(join(dir, 'zoo.cfg'), 'utf8');
          expect(cfg).toMatch(/^clientPortAddress=127\.0\.0\.1$/m);
          expect(cfg).toMatch(/^admin\.enableServer=false$/m);
          for (const line of cfg.split('\n').filter((l) => l.startsWith('server.'))) expect(line).toMatch(/^server\.\d+=127\.0\.0\.1:\d+:\d+$/);
        }
        for (const pid of info.servers) {
          const addresses = listening(pid);
          if (addresses === null) continue; // no ss here: the config checks above stand
          expect(addresses.length).toBeGreaterThan(0);
          for (const address of addresses) expect(address).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/);
        }
      },
    });
    expect(result.safe, JSON.stringify(result.checks)).toBe(true);
    expect(result.checks.liveness?.ok, JSON.stringify(result.checks.liveness)).toBe(true);
    expect(result.metrics.sections).toBe(30);
    expect(result.metrics.leaseExpiries).toBe(0);
    expect(result.agreement?.all, JSON.stringify(result.agreement)).toBe(true);
    expect(result.expect.met).toBe(true);
    // Cleanup: the JVMs, the clients and every folder are gone.
    expect(seen?.servers).toHaveLength(3);
    expect(seen?.clients).toHaveLength(3);
    for (const pid of [...seen!.servers, ...seen!.clients]) expect(running(pid), `pid ${pid} still runs`).toBe(false);
    for (const dir of seen!.dirs) expect(existsSync(dir), `${dir} left behind`).toBe(false);
  });
});

describe('live zookeeper refuses what it cannot reproduce, saying why', () => {
  it('the semaphore recipe (permits 2): every verdict null, nothing started', async () => {
    const result = await runLiveDesign(scenario('zookeeper-semaphore'), 'zookeeper', { registry: DESIGNS, timeScale: SCALE, simulated: false });
    expect(result.safe).toBeNull();
    expect(result.unsupported).toMatch(/semaphore recipe .* not live yet/);
    expect(result.live.servers).toEqual([]);
  });
});
