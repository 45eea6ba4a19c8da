/**
 * The `zookeeper` design on real servers: which ZooKeeper processes run
 * and how, how each knob of `config.zookeeper` maps onto zoo.cfg or onto
 * the live client (or why nothing real corresponds), and what a crash can
 * keep.
 *
 * Servers: `servers: N` → N ZooKeeper 3.8 JVMs (s1…sN; one is standalone,
 * more form an ensemble whose peers reach each other through proxies).
 * zoo.cfg: `tickTime` (whole milliseconds, at least 1), `syncLimit`, and
 * `initLimit` (no knob: 10 ticks, the sample zoo.cfg's, but at least 1 s
 * so a JVM restarting under load can sync); the session-timeout bounds
 * are ZooKeeper's defaults, 2 and 20 ticks, written out. The clients ask
 * for `sessionTimeout`; the server negotiates it into those bounds, as the
 * simulated server does.
 * Client behaviour (sim/live/zookeeper/connection.ts): `onSuspended` and
 * `clientSelfExpiry` are what the client does, so the live client does
 * them: Curator's SUSPENDED / LOST and ZooKeeper 3.9.3's client-side
 * expiry, on top of node-zookeeper-client.
 * No real counterpart: `electionTimeout` and `heartbeat` time the
 * simulated consensus core (Raft standing in for ZAB); ZooKeeper's leader
 * election waits a fixed 200 ms `finalizeWait` and its leader pings
 * followers every tickTime / 2.
 * Crash `durable`: `all` keeps the folder; `fsynced` is the same here,
 * and exact: ZooKeeper (forceSync=yes, the default) fsyncs a transaction
 * before it acknowledges it, so what a SIGKILL keeps beyond the fsynced
 * log is only what this server never acknowledged; `none` wipes the data
 * folder (keeping `myid`) before the restart.
 * `permits`: 1 → the lock recipe under `/lock` (Curator's
 * InterProcessMutex); more → the semaphore recipe (Curator's
 * InterProcessSemaphoreV2: an internal lock under `/semaphore/locks`,
 * leases under `/semaphore/leases`), as the simulated design does.
 */
import type { Durability } from '../../core/disk.ts';
import type { KnobMapping } from '../result.ts';

/** The `zookeeper` knobs live mode reads (algorithms/zookeeper/knobs.ts's ZkKnobs, scaled). */
export interface ZkLiveKnobs {
  readonly servers: number;
  readonly sessionTimeoutUs: number;
  readonly tickTimeUs: number;
  readonly syncLimit: number;
  readonly onSuspended: 'continue' | 'stop';
  readonly clientSelfExpiry: boolean;
  readonly electionTimeoutUs: { readonly minUs: number; readonly maxUs: number };
  readonly heartbeatUs: number;
  readonly permits: number;
}

/** Where the lock recipe keeps its nodes (as the simulated recipe: algorithms/zookeeper/paths.ts). */
export const LOCK_PATH = '/lock';
/** The semaphore recipe's internal lock (serialising lease creation) and its leases (the first `permits` hold). */
export const SEMAPHORE_LOCKS_PATH = '/semaphore/locks';
export const SEMAPHORE_LEASES_PATH = '/semaphore/leases';

/** The parent whose first `permits` children hold: the lock's, or the semaphore's leases. */
export function holdersPath(permits: number): string {
  return permits === 1 ? LOCK_PATH : SEMAPHORE_LEASES_PATH;
}
/**
 * Where a release leaves its mark: the release deletes the lock node and
 * creates `<RELEASED_PATH>/<node name>` in one multi, so the observer can
 * tell a release from the end of a session (see client.ts, observer.ts).
 */
export const RELEASED_PATH = '/locksim/released';

/**
 * The least initLimit × tickTime live mode allows: a (re)started follower
 * must sync with its leader within it, and a JVM on a busy machine is slow.
 * Not more: a leader elected without a quorum of followers (a partition)
 * waits that long before it gives up and a new election can succeed.
 */
const INIT_WINDOW_MS = 1_000;

/** Server names s1…sN. */
export function zookeeperServerNames(knobs: ZkLiveKnobs): string[] {
  return Array.from({ length: knobs.servers }, (_, i) => `s${i + 1}`);
}

/** zoo.cfg's tickTime: whole milliseconds, at least 1. */
export function tickTimeMs(knobs: ZkLiveKnobs): number {
  return Math.max(1, Math.round(knobs.tickTimeUs / 1000));
}

/** The session timeout each client asks for (ms, at least 1). */
export function requestedTimeoutMs(knobs: ZkLiveKnobs): number {
  return Math.max(1, Math.round(knobs.sessionTimeoutUs / 1000));
}

/** What a ZooKeeper server grants for the requested timeout: clamped into [2, 20] ticks (minSessionTimeout, maxSessionTimeout). */
export function negotiatedTimeoutMs(knobs: ZkLiveKnobs): number {
  const tick = tickTimeMs(knobs);
  return Math.min(20 * tick, Math.max(2 * tick, requestedTimeoutMs(knobs)));
}

/** zoo.cfg's initLimit: 10 ticks (the sample zoo.cfg's), and at least INIT_WINDOW_MS. */
export function initLimit(knobs: ZkLiveKnobs): number {
  return Math.max(10, Math.ceil(INIT_WINDOW_MS / tickTimeMs(knobs)));
}

/** Why the deployment cannot run these knobs live (null: it can): every knob has a live counterpart or is listed as having none. */
export function whyZooKeeperUnsupported(_knobs: ZkLiveKnobs): string | null {
  return null;
}

/** Why a crash of a server with `durable` cannot be done here (null: it can): every kind can. */
export function whyZooKeeperCannotCrash(_knobs: ZkLiveKnobs, _durable: Durability): string | null {
  return null;
}

/** Whether a crash with `durable` loses the server's data folder (wiped before the restart). */
export function crashWipes(durable: Durability): boolean {
  return durable === 'none';
}

const ms = (us: number): string => `${Math.round(us / 100) / 10} ms`;

/** How every knob maps onto the real deployment. */
export function zookeeperKnobMappings(knobs: ZkLiveKnobs, permits: number): KnobMapping[] {
  const tick = tickTimeMs(knobs);
  const negotiated = negotiatedTimeoutMs(knobs);
  const clamped = negotiated !== requestedTimeoutMs(knobs);
  return [
    {
      knob: 'servers',
      value: knobs.servers,
      real:
        knobs.servers === 1
          ? '1 ZooKeeper 3.8 server, standalone'
          : `${knobs.servers} ZooKeeper 3.8 servers (an ensemble): server.1…server.${knobs.servers} in zoo.cfg, each reaching the others through its own proxies; initLimit=${initLimit(knobs)}`,
      ...(knobs.servers === 1 ? {} : { note: `initLimit is not a knob: 10 ticks as in the sample zoo.cfg, at least 1 s (${initLimit(knobs) * tick} ms here) for a follower to sync with a new leader` }),
    },
    {
      knob: 'tickTime',
      value: ms(knobs.tickTimeUs),
      real: `zoo.cfg tickTime=${tick}`,
      ...(Math.abs(tick * 1000 - knobs.tickTimeUs) >= 1 ? { note: `rounded to whole milliseconds (ZooKeeper's unit), at least 1` } : {}),
    },
    {
      knob: 'sessionTimeout',
      value: ms(knobs.sessionTimeoutUs),
      real: `the client asks for ${requestedTimeoutMs(knobs)} ms; zoo.cfg minSessionTimeout=${2 * tick}, maxSessionTimeout=${20 * tick} (2 and 20 ticks); negotiated ${negotiated} ms`,
      ...(clamped ? { note: `outside [2, 20] ticks: the server clamps it to ${negotiated} ms, as the simulated server does` } : {}),
    },
    { knob: 'syncLimit', value: knobs.syncLimit, real: `zoo.cfg syncLimit=${knobs.syncLimit} (a follower gives up a silent leader after ${knobs.syncLimit * tick} ms)` },
    {
      knob: 'onSuspended',
      value: knobs.onSuspended,
      real:
        knobs.onSuspended === 'stop'
          ? 'the live client gives the lock up when its connection is lost (Curator SUSPENDED): read timeout 2/3 of the negotiated timeout'
          : 'the live client works on through SUSPENDED; it gives the lock up on LOST (Curator ≥ 3.0: the negotiated timeout after SUSPENDED, or the server saying Expired)',
    },
    {
      knob: 'clientSelfExpiry',
      value: knobs.clientSelfExpiry,
      real: knobs.clientSelfExpiry ? 'the live client expires its own session 4/3 of the negotiated timeout after it last heard a server (ZooKeeper 3.9.3\'s ZOOKEEPER-4508, done in the client)' : 'off: only the server (or Curator\'s LOST) ends a session',
    },
    {
      knob: 'electionTimeout',
      value: `${ms(knobs.electionTimeoutUs.minUs)}–${ms(knobs.electionTimeoutUs.maxUs)}`,
      real: null,
      note: 'times the simulated consensus core (Raft standing in for ZAB); ZooKeeper\'s FastLeaderElection waits a fixed finalizeWait of 200 ms, so a live election takes at least that, whatever the time scale',
    },
    {
      knob: 'heartbeat',
      value: ms(knobs.heartbeatUs),
      real: null,
      note: `times the simulated consensus core; a ZooKeeper leader pings its followers every tickTime / 2 (${Math.max(1, Math.floor(tick / 2))} ms here)`,
    },
    {
      knob: 'permits',
      value: permits,
      real:
        permits === 1
          ? `the lock recipe (Curator's InterProcessMutex): EPHEMERAL_SEQUENTIAL children of ${LOCK_PATH}, the lowest holds`
          : `the semaphore recipe (Curator's InterProcessSemaphoreV2): under the internal lock ${SEMAPHORE_LOCKS_PATH}, an EPHEMERAL_SEQUENTIAL lease under ${SEMAPHORE_LEASES_PATH}; the first ${permits} leases hold`,
    },
  ];
}
