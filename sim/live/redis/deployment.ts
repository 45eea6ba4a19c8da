/**
 * The `redis` design on real servers: which redis-server processes run and
 * how, how each knob of `config.redis` maps onto real configuration (or
 * why nothing real corresponds), and what a crash can keep.
 *
 * Servers: s1 the primary; `replicas: N` adds s2…s(N+1), each a
 * redis-server with `replicaof` pointed at its proxy to s1 (so a partition
 * can cut the replication link). Persistence: `none` → `appendonly no`;
 * `everysec` / `always` → `appendonly yes` with that `appendfsync`.
 * Crash `durable`: `all` keeps the folder; `none` wipes the AOF before the
 * restart; `fsynced` is exact with `always` (Redis fsyncs before it
 * replies) and with no AOF (nothing to keep), and cannot be done with
 * `everysec`: a SIGKILL keeps whatever Redis wrote to the kernel, and only
 * a machine crash would lose the unsynced second.
 * Clocks: every server runs under libfaketime (../faketime.ts), so a
 * `clock-jump` / `clock-drift` on servers moves the wall clock Redis 7
 * expires keys by (only the wall clock: the servers' monotonic clocks keep
 * true speed, where the simulated drift also scales the node's timers).
 * `failover: "sentinel"`: `sentinels: S` real Sentinels (`redis-server
 * --sentinel`) as s(R+2)…s(R+S+1), named as the simulator names them, each
 * `sentinel monitor`ing the primary with `quorum`, `down-after-milliseconds`
 * = failoverAfter, `failover-timeout` = Sentinel's 180 s default scaled as
 * every duration, `parallel-syncs` = the replica count (the model
 * reconfigures every replica at once). Every data server and Sentinel has
 * a relay in front of it (../peer-relay.ts): servers announce it
 * (`replica-announce-port`, `sentinel announce-port`), so every connection
 * a Sentinel or a replica opens goes through its own link's proxy and a
 * partition cuts it as in simulation. Sentinel's own periods are compiled
 * into it and do not scale (see SENTINEL_FIXED below): at a small time
 * scale a real failover takes longer, relative to the scenario, than the
 * model's.
 */
import type { Durability } from '../../core/disk.ts';
import type { RedisChildConfig } from '../child-protocol.ts';
import type { KnobMapping } from '../result.ts';

/** The `redis` knobs live mode reads (algorithms/redis/knobs.ts's RedisKnobs, scaled). */
export interface RedisLiveKnobs {
  readonly ttlUs: number;
  readonly release: 'compare-and-delete' | 'del';
  readonly tokens: 'incr' | 'none';
  readonly replicas: number;
  readonly replicationDelayUs: number;
  readonly failover: 'none' | 'sentinel';
  readonly sentinels: number;
  readonly quorum: number;
  readonly failoverAfterUs: number;
  readonly persistence: 'none' | 'everysec' | 'always';
  readonly expiryClock: 'wall' | 'monotonic';
  readonly retryDelayUs: number;
  readonly retryJitterUs: number;
}

/** The TTL as `PX` takes it: whole milliseconds, at least 1. */
export function ttlMs(knobs: RedisLiveKnobs): number {
  return Math.max(1, Math.round(knobs.ttlUs / 1000));
}

/** Data server names: the primary, then the replicas. */
export function redisDataNames(knobs: RedisLiveKnobs): string[] {
  return Array.from({ length: 1 + knobs.replicas }, (_, i) => `s${i + 1}`);
}

/** Sentinel names, after the data servers (algorithms/redis/index.ts's redisNodes). */
export function redisSentinelNames(knobs: RedisLiveKnobs): string[] {
  const first = 2 + knobs.replicas;
  return knobs.failover === 'sentinel' ? Array.from({ length: knobs.sentinels }, (_, i) => `s${first + i}`) : [];
}

/** Server names: the primary, the replicas, then the Sentinels. */
export function redisServerNames(knobs: RedisLiveKnobs): string[] {
  return [...redisDataNames(knobs), ...redisSentinelNames(knobs)];
}

/** Sentinel's `failover-timeout` default (the model's FAILOVER_TIMEOUT_US). */
const FAILOVER_TIMEOUT_DEFAULT_MS = 180_000;

/** `sentinel failover-timeout`: the default, scaled as every duration of the scenario (at least 1 s). */
export function failoverTimeoutMs(timeScale: number): number {
  return Math.max(1000, Math.round(FAILOVER_TIMEOUT_DEFAULT_MS * timeScale));
}

/** `sentinel down-after-milliseconds`: failoverAfter (already scaled), whole ms, at least 1. */
export function downAfterMs(knobs: RedisLiveKnobs): number {
  return Math.max(1, Math.round(knobs.failoverAfterUs / 1000));
}

/** Sentinel's compiled-in periods (sentinel.c), which no setting changes and no time scale shrinks. */
export const SENTINEL_FIXED =
  "Sentinel's own periods are compiled in and do not scale: PING every 1 s (or down-after when shorter), is-master-down-by-addr every 1 s, hellos every 2 s, INFO every 10 s (1 s while the primary is down), a failover start delayed up to 1 s at random, an old primary converted 8 s after it reports again";

/** Why the deployment cannot run these knobs live (null: it can). */
export function whyRedisUnsupported(_knobs: RedisLiveKnobs): string | null {
  return null;
}

/** Why a crash of a data server with `durable` cannot be done here (null: it can). */
export function whyRedisCannotCrash(knobs: RedisLiveKnobs, durable: Durability): string | null {
  if (durable === 'fsynced' && knobs.persistence === 'everysec') {
    return 'a crash with durable "fsynced" under persistence "everysec" cannot be injected: a SIGKILL keeps what Redis already wrote to the kernel, fsynced or not; only a machine crash loses the unsynced second';
  }
  return null;
}

/** Whether a crash with `durable` loses the server's AOF (it is wiped before the restart). */
export function crashWipes(durable: Durability): boolean {
  return durable === 'none';
}

const ms = (us: number): string => `${Math.round(us / 100) / 10} ms`;

/** How every knob maps onto the real deployment. */
export function redisKnobMappings(knobs: RedisLiveKnobs, permits: number): KnobMapping[] {
  const keys = permits === 1 ? 'lock' : `lock:0..lock:${permits - 1}`;
  const sentinel = knobs.failover === 'sentinel';
  const sentinelOff = 'no Sentinel runs (failover "none")';
  const sentinels = redisSentinelNames(knobs);
  return [
    {
      knob: 'servers',
      value: 1 + knobs.replicas + sentinels.length,
      real: `${1 + knobs.replicas} redis-server process${knobs.replicas === 0 ? '' : 'es'}: s1 primary${knobs.replicas === 0 ? '' : `, s2…s${1 + knobs.replicas} replicas`}${sentinel ? `; ${sentinels.length} redis-server --sentinel: ${sentinels.join(', ')}` : ''}`,
    },
    { knob: 'ttl', value: ms(knobs.ttlUs), real: `SET ${keys} <value> NX PX ${ttlMs(knobs)} (in the acquire script)` },
    { knob: 'release', value: knobs.release, real: knobs.release === 'del' ? 'DEL <key>' : 'Lua: GET <key> = <value> → DEL <key>' },
    { knob: 'tokens', value: knobs.tokens, real: knobs.tokens === 'incr' ? 'INCR lock:token in the acquire script' : null, ...(knobs.tokens === 'none' ? { note: 'no token is issued' } : {}) },
    {
      knob: 'replicas',
      value: knobs.replicas,
      real: knobs.replicas === 0 ? null : sentinel ? 'REPLICAOF 127.0.0.1 <relay of s1> + CONFIG REWRITE on each replica; replica-announce-port <its relay> on every data server' : 'replicaof 127.0.0.1 <proxy to s1> on each replica',
      ...(knobs.replicas === 0 ? { note: 'no replica' } : {}),
    },
    {
      knob: 'replicationDelay',
      value: ms(knobs.replicationDelayUs),
      real: null,
      note: 'real Redis ships each write to its replicas in the same event-loop pass as the reply; no setting delays it',
    },
    ...(sentinel
      ? [
          {
            knob: 'failover',
            value: knobs.failover,
            real: `Redis Sentinel: sentinel monitor ${'locksim'} 127.0.0.1 <relay of s1> ${knobs.quorum}; failover-timeout 180 s × time scale (at least 1 s); parallel-syncs ${Math.max(1, knobs.replicas)}; clients: ioredis in Sentinel mode (sentinels, name, natMap onto their own proxies)`,
            note: SENTINEL_FIXED,
          },
          { knob: 'sentinels', value: knobs.sentinels, real: `${knobs.sentinels} Sentinel processes (${sentinels.join(', ')}), each with sentinel announce-ip 127.0.0.1 / announce-port <its relay>` },
          { knob: 'quorum', value: knobs.quorum, real: `sentinel monitor … ${knobs.quorum} (ODOWN quorum; the failover leader still needs a majority of the Sentinels)` },
          { knob: 'failoverAfter', value: ms(knobs.failoverAfterUs), real: `sentinel down-after-milliseconds locksim ${downAfterMs(knobs)}` },
        ]
      : [
          { knob: 'failover', value: knobs.failover, real: 'none: replicas are never promoted' },
          { knob: 'sentinels', value: knobs.sentinels, real: null, note: sentinelOff },
          { knob: 'quorum', value: knobs.quorum, real: null, note: sentinelOff },
          { knob: 'failoverAfter', value: ms(knobs.failoverAfterUs), real: null, note: sentinelOff },
        ]),
    {
      knob: 'persistence',
      value: knobs.persistence,
      real: knobs.persistence === 'none' ? 'appendonly no, save ""' : `appendonly yes, appendfsync ${knobs.persistence}, save ""`,
    },
    {
      knob: 'expiryClock',
      value: knobs.expiryClock,
      real: knobs.expiryClock === 'wall' ? 'Redis expires keys by its wall clock (the default and only choice)' : null,
      ...(knobs.expiryClock === 'monotonic' ? { note: 'Redis 7 has no setting to expire keys by a monotonic clock: the live server uses its wall clock' } : {}),
    },
    { knob: 'retryDelay', value: ms(knobs.retryDelayUs), real: 'the live client waits this long between attempts while the lock is busy' },
    { knob: 'retryJitter', value: ms(knobs.retryJitterUs), real: 'uniform ± added to retryDelay by the live client' },
    { knob: 'permits', value: permits, real: permits === 1 ? 'one key: lock' : `${permits} keys: ${keys}, SET NX on the first free one` },
  ];
}

/** The client settings of the design's knobs (ioredis with the documented recipe, client.ts), for a client reaching the servers at `servers`. */
export function redisClientSettings(knobs: RedisLiveKnobs, commandTimeoutUs: number, servers: ReadonlyArray<{ name: string; port: number }>): RedisChildConfig {
  return {
    design: 'redis',
    servers,
    ttlMs: ttlMs(knobs),
    release: knobs.release,
    tokens: knobs.tokens,
    retryDelayUs: knobs.retryDelayUs,
    retryJitterUs: knobs.retryJitterUs,
    commandTimeoutUs,
  };
}
