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
 * A clock jump on a server runs its JVM under libfaketime (skipped, saying
 * why, without it). Durations are scaled by 0.05 (a 10 s session becomes 500 ms, tickTime
 * 2 s becomes 100 ms); most of each run's time is the JVMs starting (2–4 s
 * on two cores).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import { isInstalled } from '../sim/live/binaries.ts';
import { whyNoFaketime } from '../sim/live/faketime.ts';
import { runLiveDesign } from '../sim/live/run-live.ts';
import { loadScenarioFile } from '../sim/scenario/load.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { trueClock } from '../sim/live/clock.ts';
import type { ServiceEvent } from '../sim/live/service.ts';
import { RELEASED_PATH, SEMAPHORE_LEASES_PATH } from '../sim/live/zookeeper/deployment.ts';
import { ZooKeeperObserver } from '../sim/live/zookeeper/observer.ts';
import { ZooKeeperLiveClient } from '../sim/live/zookeeper/client.ts';
import { startZooKeeper } from '../sim/live/zookeeper-server.ts';
import { LiveProcesses } from '../sim/live/processes.ts';
import type { ZooKeeperChildConfig } from '../sim/live/child-protocol.ts';
import type { LiveGrant } from '../sim/live/live-client.ts';
import { Rng } from '../sim/core/rng.ts';
import { listening } from './support/listening.ts';

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
    for (const server of result.live.servers) expect(server.program).toBe('zookeeper');
    expect(result.live.servers).toHaveLength(5);
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
        const serverDirs = info.dirs.filter((dir) => existsSync(join(dir, 'zoo.cfg'))); // the others hold the servers' faked clocks
        expect(serverDirs).toHaveLength(3);
        for (const dir of serverDirs) {
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

/** The most holders the service's events show at once (grants minus ends, in the service's order). */
function mostHoldersAtOnce(events: readonly ServiceEvent[]): number {
  const holding = new Set<string>();
  let most = 0;
  for (const e of events) {
    if (e.kind === 'granted') holding.add(e.lease);
    else if (e.lease !== undefined) holding.delete(e.lease);
    most = Math.max(most, holding.size);
  }
  return most;
}

describe.skipIf(!hasZooKeeper)(`live zookeeper semaphore${hasZooKeeper ? '' : ` (${SKIP})`}`, () => {
  it('the semaphore recipe on one real server, client by client: with 2 permits c1 and c2 both hold at once (InterProcessSemaphoreV2: two leases), c3 waits until one releases, then holds with a higher token', async () => {
    const registry = new LiveProcesses();
    const clients: ZooKeeperLiveClient[] = [];
    try {
      const [server] = await startZooKeeper(registry, { names: ['s1'], tickTimeMs: 200 });
      const config: ZooKeeperChildConfig = {
        design: 'zookeeper',
        servers: [{ name: 's1', port: server.port }],
        sessionTimeoutMs: 4_000,
        onSuspended: 'continue',
        clientSelfExpiry: false,
        reconnectPauseMaxMs: 50,
        lockPath: SEMAPHORE_LEASES_PATH,
        releasedPath: RELEASED_PATH,
      };
      for (const name of ['c1', 'c2', 'c3']) {
        const client = new ZooKeeperLiveClient(name, config, 2, 1, 0, new Rng(1).fork(name));
        clients.push(client);
        await client.connect();
      }
      const [c1, c2, c3] = clients;
      const g1 = await c1.acquire();
      const g2 = await c2.acquire();
      // Both hold at once: each believes, and the service counts both (two leases, the first two).
      expect(g1?.lease).toMatch(/^_c_[^-]+-c1-lease-\d{10}$/);
      expect(g2?.lease).toMatch(/^_c_[^-]+-c2-lease-\d{10}$/);
      expect(c1.stillValid(g1!) && c2.stillValid(g2!)).toBe(true);
      expect(g2!.token!).toBeGreaterThan(g1!.token!);
      let third: LiveGrant | null | undefined;
      const pending = c3.acquire().then((g) => (third = g));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(third, 'a third holder with 2 permits').toBeUndefined();
      expect(await c1.release(g1!)).toBe(true);
      await pending;
      expect(third?.lease).toMatch(/^_c_[^-]+-c3-lease-\d{10}$/);
      expect(third!.token!).toBeGreaterThan(g2!.token!);
      expect(c2.stillValid(g2!) && c3.stillValid(third!)).toBe(true);
      expect(await c2.release(g2!)).toBe(true);
      expect(await c3.release(third!)).toBe(true);
    } finally {
      for (const client of clients) await client.close();
      await registry.close();
    }
  });

  it('zookeeper-semaphore (2 permits, 4 clients, on three servers): Curator\'s InterProcessSemaphoreV2 recipe lets two clients hold at once — a watcher of our own sees two leases granted together — and never three: mutualExclusion against 2 permits holds, as simulated', async () => {
    let watcher: ZooKeeperObserver | undefined;
    const seen: ServiceEvent[] = [];
    try {
      // At 0.1, not 0.05: an acquire is six writes and reads through the ensemble (each write fsynced), which do not shrink with the scale.
      const result = await runLiveDesign(onServers(scenario('zookeeper-semaphore'), 3), 'zookeeper', {
        registry: DESIGNS,
        timeScale: 0.1,
        onReady: async (info) => {
          // The test's own instrument, beside the harness's: the servers' client ports from their zoo.cfg.
          const servers = info.dirs.filter((dir) => existsSync(join(dir, 'zoo.cfg'))).map((dir, i) => ({ name: `s${i + 1}`, port: Number(/^clientPort=(\d+)$/m.exec(readFileSync(join(dir, 'zoo.cfg'), 'utf8'))![1]) }));
          watcher = await ZooKeeperObserver.start({
            servers,
            holdersPath: SEMAPHORE_LEASES_PATH,
            permits: 2,
            releasedPath: RELEASED_PATH,
            requestedTimeoutMs: 10_000,
            reconnectPauseMaxMs: 50,
            clock: trueClock(),
            leader: () => null,
            listener: (event) => seen.push(event),
          });
        },
      });
      expect(result.unsupported).toBeUndefined();
      const checks = JSON.stringify(result.checks);
      expect(result.checks.mutualExclusion?.ok, checks).toBe(true);
      expect(result.checks.linearizable?.ok, checks).toBe(true);
      expect(result.checks.resource?.ok, checks).toBeNull(); // a semaphore guards N holders, not one register
      expect(result.metrics.sections).toBeGreaterThanOrEqual(24); // of 32: the run ends at its duration, and the machine may be busy
      expect(result.metrics.leaseExpiries).toBe(0);
      for (const check of ['mutualExclusion', 'linearizable'] as const) expect(result.agreement?.[check]?.agree, JSON.stringify(result.agreement)).toBe(true);
      expect(result.agreement?.all, JSON.stringify(result.agreement)).toBe(true);
      expect(result.expect.met, JSON.stringify(result.expect)).toBe(true);
      expect(result.live.knobs.find((k) => k.knob === 'permits')?.real).toMatch(/InterProcessSemaphoreV2.*the first 2 leases hold/);
      // The semaphore really admitted two at once, never more; every lease was a protected lease node.
      expect(seen.filter((e) => e.kind === 'granted').length, JSON.stringify(seen)).toBeGreaterThanOrEqual(result.metrics.sections);
      expect(mostHoldersAtOnce(seen), JSON.stringify(seen)).toBe(2);
      for (const e of seen) expect(e.lease).toMatch(/^_c_[^-]+-c[1-4]-lease-\d{10}$/);
      expect(watcher?.errors).toEqual([]);
    } finally {
      await watcher?.close();
    }
  });
});

const hasFaketime = hasZooKeeper && whyNoFaketime() === null;
const NO_FAKETIME = `SKIPPED: ${hasZooKeeper ? (whyNoFaketime() ?? '') : SKIP}`;
if (hasZooKeeper && !hasFaketime) console.warn(`test/live-zookeeper.test.ts clock faults ${NO_FAKETIME}`);

describe.skipIf(!hasFaketime)(`live zookeeper clock faults${hasFaketime ? '' : ` (${NO_FAKETIME})`}`, () => {
  it('clock-jump-forward (on three servers): s1\'s JVM runs under libfaketime and its wall clock, read back from the server itself, jumps +1 s (20 s scaled) while c1 holds; sessions expire on the monotonic clock, so nothing expires and the lock stays safe, as simulated', async () => {
    const result = await runLiveDesign(onServers(scenario('clock-jump-forward'), 3), 'zookeeper', { registry: DESIGNS, timeScale: SCALE });
    expect(result.unsupported).toBeUndefined();
    expect(result.live.servers.map((s) => s.program)).toEqual(Array(3).fill('zookeeper (libfaketime)'));
    const jump = result.faults[0];
    expect(jump, JSON.stringify(result.faults)).toMatchObject({ kind: 'clock-jump', targets: ['s1'] });
    expect(jump.skipped).toBeUndefined();
    // The server's own wall clock (its log's timestamp for our ruok) is 1 s ahead of ours: the jump took.
    const offsetMs = jump.effect['offsetMs.s1'];
    expect(typeof offsetMs, JSON.stringify(jump)).toBe('number');
    expect(Math.abs((offsetMs as number) - 1000), JSON.stringify(jump)).toBeLessThan(250);
    expect(jump.effect.heldLockExpiredByJump, JSON.stringify(jump)).toBe(0);
    expect(result.metrics.leaseExpiries).toBe(0);
    expect(result.safe, JSON.stringify(result.checks)).toBe(true);
    expect(result.checks.mutualExclusion?.ok).toBe(true);
    expect(result.agreement?.all, JSON.stringify(result.agreement)).toBe(true);
    expect(result.expect.met, JSON.stringify(result.expect)).toBe(true);
  });
});

describe('live zookeeper refuses what it cannot reproduce, saying why', () => {
  it('message loss (message-loss: loss 0.2): every verdict null, nothing started', async () => {
    const result = await runLiveDesign(scenario('message-loss'), 'zookeeper', { registry: DESIGNS, timeScale: SCALE, simulated: false });
    expect(result.safe).toBeNull();
    expect(result.unsupported).toMatch(/loss 0\.2 .*TCP links retransmit/);
    expect(result.live.servers).toEqual([]);
  });
});
