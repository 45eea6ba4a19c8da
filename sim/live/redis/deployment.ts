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
 * Not supported yet: `failover: "sentinel"` (redis-sentinel processes).
 */
import type { Durability } from '../../core/disk.ts';
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

/** Server names: the primary, then the replicas. */
export function redisServerNames(knobs: RedisLiveKnobs): string[] {
  return Array.from({ length: 1 + knobs.replicas }, (_, i) => `s${i + 1}`);
}

/** Why the deployment cannot run these knobs live (null: it can). */
export function whyRedisUnsupported(knobs: RedisLiveKnobs): string | null {
  if (knobs.failover === 'sentinel') return 'failover "sentinel" is not live yet: live mode does not run redis-sentinel processes';
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
  const sentinelOff = knobs.failover === 'none' ? 'no Sentinel runs (failover "none")' : 'redis-sentinel is not run by live mode yet';
  return [
    { knob: 'servers', value: 1 + knobs.replicas, real: `${1 + knobs.replicas} redis-server process${knobs.replicas === 0 ? '' : 'es'}: s1 primary${knobs.replicas === 0 ? '' : `, s2…s${1 + knobs.replicas} replicas`}` },
    { knob: 'ttl', value: ms(knobs.ttlUs), real: `SET ${keys} <value> NX PX ${ttlMs(knobs)} (in the acquire script)` },
    { knob: 'release', value: knobs.release, real: knobs.release === 'del' ? 'DEL <key>' : 'Lua: GET <key> = <value> → DEL <key>' },
    { knob: 'tokens', value: knobs.tokens, real: knobs.tokens === 'incr' ? 'INCR lock:token in the acquire script' : null, ...(knobs.tokens === 'none' ? { note: 'no token is issued' } : {}) },
    { knob: 'replicas', value: knobs.replicas, real: knobs.replicas === 0 ? null : 'replicaof 127.0.0.1 <proxy to s1> on each replica', ...(knobs.replicas === 0 ? { note: 'no replica' } : {}) },
    {
      knob: 'replicationDelay',
      value: ms(knobs.replicationDelayUs),
      real: null,
      note: 'real Redis ships each write to its replicas in the same event-loop pass as the reply; no setting delays it',
    },
    { knob: 'failover', value: knobs.failover, real: knobs.failover === 'none' ? 'none: replicas are never promoted' : null, ...(knobs.failover === 'none' ? {} : { note: sentinelOff }) },
    { knob: 'sentinels', value: knobs.sentinels, real: null, note: sentinelOff },
    { knob: 'quorum', value: knobs.quorum, real: null, note: sentinelOff },
    { knob: 'failoverAfter', value: ms(knobs.failoverAfterUs), real: null, note: sentinelOff },
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
