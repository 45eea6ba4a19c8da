/**
 * The `zookeeper` design deployed for real (deployment.ts says how):
 * starts the ensemble (zookeeper-server.ts) and waits until every server
 * serves, makes the recipe's folders (`/lock`, or `/semaphore/locks` and
 * `/semaphore/leases`; `/locksim/released`), watches the holders' folder
 * with the observer (observer.ts), and gives each client
 * its proxies to every server's client port.
 *
 * `leader`: a poller asks every live server `srvr` every LEADER_POLL_MS and
 * keeps the last mode each one said (`leader`; `standalone` for one
 * server), so a `leader` fault target resolves to what the ensemble said
 * moments before (a paused server keeps the mode it last said; when two
 * say leader — an isolated one that has not yet noticed — the first by
 * name is taken).
 * Crash: SIGKILL, the data folder wiped first for `durable: "none"`.
 * Restart: the same JVM command on the same ports and folder; it resolves
 * once the JVM answers on its client port, not once it serves — a
 * restarted follower serves only when it has synced with a leader, which
 * may need servers that restart after it (every server crashed at once).
 * Clocks: each server's JVM runs under its own faked wall clock when
 * libfaketime is installed (faketime.ts, zookeeper-server.ts), so
 * `clock-jump` and `clock-drift` on servers are live; `fakeClock` hands
 * them to the fault scheduler. Only the wall clock moves: ZooKeeper
 * expires sessions and times its waits on System.nanoTime() (monotonic),
 * so a jump should change nothing the recipes see, as the simulator says.
 * Not modelled: the simulator's drift also scales the node's monotonic
 * clock (its timers); a live server's monotonic clock keeps true speed.
 * Peers: every server reaches every other through a proxy of its own
 * (`s1->s2`, …: quorum and election connections both, zookeeper-server.ts's
 * PeerRelay), so a partition cuts servers apart as it cuts clients off.
 */
import type { Durability } from '../../core/disk.ts';
import type { ZooKeeperChildConfig } from '../child-protocol.ts';
import type { TrueClock } from '../clock.ts';
import { fakeClocksFor, type FakeClock } from '../faketime.ts';
import type { LiveNetwork } from '../network.ts';
import type { LiveProcesses } from '../processes.ts';
import { tcpAsk } from '../ready.ts';
import type { LiveServerInfo } from '../result.ts';
import type { ServerProcess } from '../server.ts';
import { linkClient, type LiveService, type ServiceEvent } from '../service.ts';
import { startZooKeeper, type ZooKeeperServer } from '../zookeeper-server.ts';
import {
  crashWipes,
  holdersPath,
  initLimit,
  negotiatedTimeoutMs,
  RELEASED_PATH,
  requestedTimeoutMs,
  SEMAPHORE_LOCKS_PATH,
  tickTimeMs,
  whyZooKeeperCannotCrash,
  zookeeperServerNames,
  type ZkLiveKnobs,
} from './deployment.ts';
import { ZkConnection } from './connection.ts';
import { ZooKeeperObserver } from './observer.ts';

export interface ZooKeeperServiceOptions {
  readonly knobs: ZkLiveKnobs;
  /** ZooKeeper's reconnect pause (1 s), scaled (ms). */
  readonly reconnectPauseMaxMs: number;
  readonly readyTimeoutMs?: number;
  /** Run the servers under libfaketime (a clock fault names them). */
  readonly fakeClocks: boolean;
}

/** How often the leader poller asks every server. */
const LEADER_POLL_MS = 50;

type Mode = 'leader' | 'follower' | 'standalone' | 'none';

export async function startZooKeeperService(
  registry: LiveProcesses,
  network: LiveNetwork,
  clock: TrueClock,
  options: ZooKeeperServiceOptions,
  onEvent: (event: ServiceEvent) => void,
): Promise<LiveService> {
  const { knobs } = options;
  const names = zookeeperServerNames(knobs);
  // Without libfaketime the servers run on the real clock, and a clock fault says why when it fires.
  const clocks = fakeClocksFor(registry, names, clock, options.fakeClocks) ?? new Map<string, FakeClock>();
  const list = await startZooKeeper(registry, {
    names,
    tickTimeMs: tickTimeMs(knobs),
    initLimit: initLimit(knobs),
    syncLimit: knobs.syncLimit,
    readyTimeoutMs: options.readyTimeoutMs,
    fakeClock: (name) => clocks.get(name),
    peerLink: async (from, to, port) => (await network.link(from, to, port)).port,
  });
  const closeRelays = (): Promise<unknown> => Promise.all(list.map((s) => s.closeRelays()));
  try {
    return await serve(list, clock, clocks, options, onEvent, closeRelays);
  } catch (error) {
    await closeRelays();
    for (const c of clocks.values()) c.close();
    throw error;
  }
}

/** The deployment once its servers serve: the recipe's folders, the leader poller, the observer. */
async function serve(
  list: readonly ZooKeeperServer[],
  clock: TrueClock,
  clocks: ReadonlyMap<string, FakeClock>,
  options: ZooKeeperServiceOptions,
  onEvent: (event: ServiceEvent) => void,
  closeRelays: () => Promise<unknown>,
): Promise<LiveService> {
  const { knobs } = options;
  const names = list.map((s) => s.name);
  const servers = new Map<string, ZooKeeperServer>(list.map((s) => [s.name, s]));
  const direct = list.map((s) => ({ name: s.name, port: s.port }));

  // The recipe's folders, made once by the harness (the clients also make theirs if missing).
  const holders = holdersPath(knobs.permits);
  const folders = knobs.permits === 1 ? [holders, RELEASED_PATH] : [SEMAPHORE_LOCKS_PATH, holders, RELEASED_PATH];
  const setup = new ZkConnection({
    ports: direct.map((s) => s.port),
    requestedTimeoutMs: negotiatedTimeoutMs(knobs),
    reconnectPauseMaxMs: options.reconnectPauseMaxMs,
    curatorLost: false,
    selfExpiry: false,
    random: Math.random,
    onEvent: () => {},
  });
  try {
    if (!(await setup.waitConnected(options.readyTimeoutMs ?? 30_000))) throw new Error('zookeeper: no session for the setup within the ready timeout');
    for (const path of folders) {
      const made = await setup.handle().mkdirp(path);
      if (made.code !== 'ok' && made.code !== 'NodeExists') throw new Error(`zookeeper: could not create ${path}: ${made.code}`);
    }
  } finally {
    await setup.close(200);
  }

  const modes = new Map<string, Mode>(names.map((n) => [n, 'none']));
  const asking = new Set<string>();
  let polling = true;
  const ask = async (name: string): Promise<void> => {
    const server = servers.get(name)!;
    if (asking.has(name) || !server.alive()) {
      if (!server.alive()) modes.set(name, 'none');
      return;
    }
    asking.add(name);
    try {
      const answer = await tcpAsk(server.port, 'srvr', (a) => /Mode: \w+|not currently serving/.test(a), 500);
      const mode = /Mode: (leader|follower|standalone)/.exec(answer)?.[1] as Mode | undefined;
      if (mode !== undefined) modes.set(name, mode);
      else if (/not currently serving/.test(answer)) modes.set(name, 'none');
      // no answer at all (a paused server): keep what it said last
    } finally {
      asking.delete(name);
    }
  };
  // One loop per server, so a paused server (whose probe waits out its timeout) delays no other.
  const poll = async (name: string): Promise<void> => {
    while (polling) {
      await ask(name);
      await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
    }
  };
  await Promise.all(names.map(ask));
  const poller = Promise.all(names.map(poll));
  const leader = (): string | null => names.find((n) => servers.get(n)!.alive() && (modes.get(n) === 'leader' || modes.get(n) === 'standalone')) ?? null;

  let observer: ZooKeeperObserver;
  try {
    observer = await ZooKeeperObserver.start({
      servers: direct,
      holdersPath: holders,
      permits: knobs.permits,
      releasedPath: RELEASED_PATH,
      requestedTimeoutMs: 20 * tickTimeMs(knobs),
      reconnectPauseMaxMs: options.reconnectPauseMaxMs,
      clock,
      leader,
      listener: onEvent,
    });
  } catch (error) {
    polling = false;
    await poller;
    throw error;
  }

  return {
    serverNames: names,
    servers: servers as ReadonlyMap<string, ServerProcess>,
    get events() {
      return observer.events;
    },
    quorum: 1,
    async connectClient(client: string, net: LiveNetwork): Promise<ZooKeeperChildConfig> {
      const ports = await linkClient(net, client, names, servers);
      return {
        design: 'zookeeper',
        servers: ports,
        sessionTimeoutMs: requestedTimeoutMs(knobs),
        onSuspended: knobs.onSuspended,
        clientSelfExpiry: knobs.clientSelfExpiry,
        reconnectPauseMaxMs: options.reconnectPauseMaxMs,
        lockPath: holders,
        releasedPath: RELEASED_PATH,
      };
    },
    leader,
    fakeClock: (node: string) => clocks.get(node),
    whyCannotCrash: (_node: string, durable: Durability) => whyZooKeeperCannotCrash(knobs, durable),
    async crash(node: string, durable: Durability): Promise<Record<string, number>> {
      const server = servers.get(node)!;
      await server.crash();
      modes.set(node, 'none');
      if (!crashWipes(durable)) return {};
      server.wipeData();
      return { dataWiped: 1 };
    },
    async restart(node: string): Promise<void> {
      await servers.get(node)!.restart({ serving: false });
    },
    info: (): LiveServerInfo[] => [...servers.values()].map((s) => ({ name: s.name, program: clocks.has(s.name) ? 'zookeeper (libfaketime)' : 'zookeeper', port: s.port, dir: s.dir })),
    async close(): Promise<void> {
      polling = false;
      await observer.close();
      await poller;
      await closeRelays();
      for (const c of clocks.values()) c.close();
    },
  };
}
