/**
 * The `redlock` design on real servers: N independent redis-server
 * processes (no replication), each under libfaketime when it is installed
 * (so clock faults can move its wall clock, faketime.ts); how every knob of
 * `config.redlock` maps onto real configuration or onto node-redlock 4.2.0
 * (client.ts), or why nothing real corresponds; and what a crash can keep.
 *
 * Knobs without a real counterpart that would change a verdict make the run
 * unsupported (verdicts null, the reason given) rather than run something
 * else under their name: `expiryClock: "monotonic"` (Redis 7 expires keys
 * by its wall clock and has no setting to do otherwise), `checkValidity:
 * false` (node-redlock always checks the validity), `clientClock:
 * "monotonic"` (node-redlock measures elapsed time with `Date.now()`).
 * Persistence and crashes as for `redis` (../redis/deployment.ts): `none`
 * → no AOF; `everysec` / `always` → `appendonly yes` with that fsync; a
 * crash with `durable: "fsynced"` under `everysec` cannot be injected.
 * `restartDelay`: a restarted instance is started that much later (it
 * refuses connections meanwhile, which the client counts as a no vote, as
 * the simulated instance's silence is).
 */
import type { Durability } from '../../core/disk.ts';
import type { KnobMapping } from '../result.ts';
import { MIN_CLIENT_TIMEOUT_US } from '../time-scale.ts';

/** The `redlock` knobs live mode reads (algorithms/redlock/knobs.ts's RedlockKnobs, scaled). */
export interface RedlockLiveKnobs {
  readonly servers: number;
  readonly ttlUs: number;
  readonly persistence: 'none' | 'everysec' | 'always';
  readonly expiryClock: 'wall' | 'monotonic';
  readonly driftFactor: number;
  readonly requestTimeoutUs: number;
  readonly retryDelayUs: number;
  readonly retryJitterUs: number;
  readonly checkValidity: boolean;
  readonly clientClock: 'wall' | 'monotonic';
  readonly restartDelayUs: number;
}

/** The TTL as node-redlock takes it: whole milliseconds, at least 1. */
export function ttlMs(knobs: RedlockLiveKnobs): number {
  return Math.max(1, Math.round(knobs.ttlUs / 1000));
}

/** The per-instance timeout the client gets (ioredis `commandTimeout`, ms): requestTimeout, never below the floor for a forked node process. */
export function requestTimeoutMs(knobs: RedlockLiveKnobs): number {
  return Math.round(Math.max(knobs.requestTimeoutUs, MIN_CLIENT_TIMEOUT_US) / 1000);
}

/** Server names `s1…sN` (each runs under libfaketime: faketime.ts). */
export function redlockServerNames(knobs: RedlockLiveKnobs): string[] {
  return Array.from({ length: knobs.servers }, (_, i) => `s${i + 1}`);
}

/** Why these knobs cannot run live (null: they can). */
export function whyRedlockUnsupported(knobs: RedlockLiveKnobs): string | null {
  const reasons: string[] = [];
  if (knobs.expiryClock === 'monotonic') {
    reasons.push('expiryClock "monotonic" has no real counterpart: Redis 7 expires keys by its wall clock (mstime) and has no setting to use a monotonic one');
  }
  if (!knobs.checkValidity) reasons.push('checkValidity false has no real counterpart: node-redlock always checks that the validity is still positive before it reports a lock');
  if (knobs.clientClock === 'monotonic') reasons.push('clientClock "monotonic" has no real counterpart: node-redlock measures elapsed time and validity with Date.now(), the wall clock');
  return reasons.length === 0 ? null : reasons.join('; ');
}

/** Why a crash of an instance with `durable` cannot be done (null: it can). */
export function whyRedlockCannotCrash(knobs: RedlockLiveKnobs, durable: Durability): string | null {
  if (durable === 'fsynced' && knobs.persistence === 'everysec') {
    return 'a crash with durable "fsynced" under persistence "everysec" cannot be injected: a SIGKILL keeps what Redis already wrote to the kernel, fsynced or not; only a machine crash loses the unsynced second';
  }
  return null;
}

const ms = (us: number): string => `${Math.round(us / 100) / 10} ms`;

/** How every knob maps onto the real deployment and node-redlock. */
export function redlockKnobMappings(knobs: RedlockLiveKnobs, permits: number): KnobMapping[] {
  const keys = permits === 1 ? 'lock' : `lock:0..lock:${permits - 1}`;
  const floored = knobs.requestTimeoutUs < MIN_CLIENT_TIMEOUT_US;
  return [
    { knob: 'servers', value: knobs.servers, real: `${knobs.servers} independent redis-server processes (no replication); new Redlock([${knobs.servers} ioredis clients]), quorum ⌊N/2⌋+1 = ${Math.floor(knobs.servers / 2) + 1}` },
    { knob: 'ttl', value: ms(knobs.ttlUs), real: `redlock.lock("${keys}", ${ttlMs(knobs)}): EXISTS, then SET ${keys} <value> PX ${ttlMs(knobs)} in node-redlock's lock script` },
    {
      knob: 'persistence',
      value: knobs.persistence,
      real: knobs.persistence === 'none' ? 'appendonly no, save ""' : `appendonly yes, appendfsync ${knobs.persistence}, save ""`,
    },
    {
      knob: 'expiryClock',
      value: knobs.expiryClock,
      real: knobs.expiryClock === 'wall' ? 'Redis expires keys by its wall clock (the default and only choice); clock faults move it through libfaketime' : null,
      ...(knobs.expiryClock === 'monotonic' ? { note: 'Redis 7 has no setting to expire keys by a monotonic clock: the run is not judged' } : {}),
    },
    { knob: 'driftFactor', value: knobs.driftFactor, real: `new Redlock(…, { driftFactor: ${knobs.driftFactor} }): validity = ttl − elapsed − (round(ttl·${knobs.driftFactor}) + 2 ms)` },
    {
      knob: 'requestTimeout',
      value: ms(knobs.requestTimeoutUs),
      real: `ioredis commandTimeout ${requestTimeoutMs(knobs)} ms on each instance's connection (a timeout is a no vote)`,
      note: `node-redlock 4.2.0 has no per-instance timeout of its own and decides an attempt once every instance has answered or timed out, not at the first quorum as the simulated client (node-redlock 5's behaviour): decisions can come up to this much later${floored ? `; raised from ${ms(knobs.requestTimeoutUs)} to the ${ms(MIN_CLIENT_TIMEOUT_US)} floor for a forked node process` : ''}`,
    },
    {
      knob: 'retryDelay',
      value: ms(knobs.retryDelayUs),
      real: "between lock() attempts, node-redlock's own formula max(0, retryDelay + ⌊(2r − 1)·retryJitter⌋)",
      note: 'each attempt is one redlock.lock() with retryCount 0 and the wait between attempts is the live client\'s, because node-redlock 4 cannot stop a lock() that retries and the workload abandons an acquire at its acquireTimeout',
    },
    { knob: 'retryJitter', value: ms(knobs.retryJitterUs), real: 'the ± part of the wait between attempts (as node-redlock)' },
    {
      knob: 'checkValidity',
      value: knobs.checkValidity,
      real: knobs.checkValidity ? 'node-redlock: held only if votes ≥ quorum and expiration > Date.now()' : null,
      ...(knobs.checkValidity ? {} : { note: 'node-redlock always checks the validity: the run is not judged' }),
    },
    {
      knob: 'clientClock',
      value: knobs.clientClock,
      real: knobs.clientClock === 'wall' ? 'node-redlock reads Date.now() (the wall clock)' : null,
      ...(knobs.clientClock === 'wall' ? {} : { note: 'node-redlock measures with Date.now(): the run is not judged' }),
    },
    {
      knob: 'restartDelay',
      value: ms(knobs.restartDelayUs),
      real: knobs.restartDelayUs === 0 ? 'a crashed instance restarts at once' : `a crashed instance is started ${ms(knobs.restartDelayUs)} after its restart is due (connections are refused meanwhile)`,
    },
    { knob: 'permits', value: permits, real: permits === 1 ? 'one resource: lock' : `${permits} resources ${keys}, one per attempt in turn (Redlock itself defines only a mutex)` },
  ];
}
