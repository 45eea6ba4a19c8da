/**
 * The `redis` design's knobs (SPEC §3). The knob readers it shares with
 * `redlock` (persistence, expiry clock, retry pacing) are in
 * algorithms/shared/redis/options.ts.
 *
 * Models: the configuration a Redis lock deployment chooses (TTL, release
 * style, INCR tokens, async replicas and how soon they get each write,
 * Sentinel failover with its number of Sentinels, quorum and
 * down-after-milliseconds, AOF persistence). Does not model: Redis settings
 * that do not bear on locking (maxmemory, RDB snapshots,
 * min-replicas-to-write), replica-priority (every replica has the default
 * 100), Sentinel's failover-timeout (its default, 3 min).
 */
import { KnobError, limitsText, TIMER_LIMITS, WAIT_LIMITS, type KnobInfo, type KnobReader, type Micros } from '../api/index.ts';
import { readExpiryClock, readPersistence, readPositiveDuration, readRetry, type ExpiryClock, type Persistence, type ReleaseMode } from '../shared/redis/options.ts';


/** Resolved `redis` knobs, durations in µs. */
export interface RedisKnobs {
  /** Primary count (always 1: replicas come from `replicas`). */
  readonly servers: number;
  readonly ttlUs: Micros;
  readonly release: ReleaseMode;
  readonly tokens: 'incr' | 'none';
  readonly replicas: number;
  /** Lag between a reply and shipping its writes to the replicas. */
  readonly replicationDelayUs: Micros;
  readonly failover: 'none' | 'sentinel';
  /** Sentinel processes (nodes after the replicas), with `failover: "sentinel"`. */
  readonly sentinels: number;
  /** Sentinels that must agree the primary is down (ODOWN). */
  readonly quorum: number;
  /** Sentinel's `down-after-milliseconds`. */
  readonly failoverAfterUs: Micros;
  readonly persistence: Persistence;
  readonly expiryClock: ExpiryClock;
  readonly retryDelayUs: Micros;
  readonly retryJitterUs: Micros;
}

/** Knob metadata for `list` and the README. */
export const REDIS_KNOBS: readonly KnobInfo[] = [
  { name: 'servers', default: 1, meaning: 'primaries (always 1; add servers with `replicas` and `sentinels`; 1 + replicas, or with failover "sentinel" 1 + replicas + sentinels, is also accepted)' },
  { name: 'ttl', default: '10s', meaning: `SET k v NX PX ttl; ${limitsText(TIMER_LIMITS)}` },
  { name: 'release', default: 'compare-and-delete', meaning: '"compare-and-delete" (Lua script) or "del" (plain DEL, can remove another\'s lock)' },
  { name: 'tokens', default: 'incr', meaning: '"incr": fencing token from INCR in the acquire script; "none"' },
  { name: 'replicas', default: 0, meaning: 'asynchronous replicas s2.. of the primary s1' },
  {
    name: 'replicationDelay',
    default: '100us',
    meaning: `lag between a write's reply and its shipping to the replicas, the window a primary crash loses (real Redis writes both in the same event-loop pass: well under a millisecond); ${limitsText(WAIT_LIMITS)}`,
  },
  {
    name: 'failover',
    default: 'none',
    meaning:
      '"sentinel": `sentinels` Sentinel processes on their own nodes after the replicas (replicas: 1 → s3, s4, s5) fail over at ODOWN (`quorum` of them saw no reply from the primary for failoverAfter) once a majority of Sentinels elected a leader; it promotes the replica with the lowest replica-priority, then the largest replication offset, then the smallest run id. Clients find the primary by asking the Sentinels. "none": replicas are never promoted',
  },
  { name: 'sentinels', default: 3, meaning: 'Sentinel processes with failover "sentinel" (1 to 9)' },
  { name: 'quorum', default: 2, meaning: 'Sentinels that must agree the primary is down (ODOWN) before a failover; at most `sentinels`' },
  { name: 'failoverAfter', default: '5s', meaning: `Sentinel's down-after-milliseconds: a primary that has not answered a PING for this long is subjectively down (SDOWN); ${limitsText(TIMER_LIMITS)}` },
  { name: 'persistence', default: 'none', meaning: '"none", "everysec" or "always": what a crashed server keeps (AOF fsync policy)' },
  { name: 'expiryClock', default: 'wall', meaning: '"monotonic": server expiry ignores clock jumps' },
  { name: 'retryDelay', default: '200ms', meaning: `pause between attempts while the lock is busy; ${limitsText(WAIT_LIMITS)} (not 0 with retryJitter 0 on a zero-latency network: the retries would spin at one instant)` },
  { name: 'retryJitter', default: '100ms', meaning: `random ± added to retryDelay; ${limitsText(WAIT_LIMITS)}` },
];

/**
 * Why `servers` and `replicas` disagree, and the fix: redis counts its
 * servers as one primary plus `replicas`, so `servers: 3` alone means
 * `replicas: 2` (the old message, "expected 1 or 1", said neither).
 */
function serversMismatch(servers: number, replicas: number): string {
  const counted = `redis runs one primary (s1) plus "replicas" (${replicas} here)`;
  if (replicas === 0) return `${counted}, so "servers": ${servers} needs "replicas": ${servers - 1} (servers may then be left out); or use "servers": 1`;
  return `${counted}, so servers must be 1 or ${1 + replicas}; got ${servers}: for ${servers} servers set "replicas": ${servers - 1}, or leave "servers" out`;
}

/** Parses `config.redis` over the defaults. Throws `KnobError` for a bad or unknown knob. */
export function parseRedisKnobs(reader: KnobReader): RedisKnobs {
  const ttlUs = readPositiveDuration(reader, 'ttl', '10s');
  const release = reader.oneOf<ReleaseMode>('release', 'compare-and-delete', ['compare-and-delete', 'del']);
  const tokens = reader.oneOf<'incr' | 'none'>('tokens', 'incr', ['incr', 'none']);
  const replicas = reader.number('replicas', 0, { min: 0, max: 16, integer: true });
  const replicationDelayUs = reader.duration('replicationDelay', '100us', WAIT_LIMITS);
  const failover = reader.oneOf<'none' | 'sentinel'>('failover', 'none', ['none', 'sentinel']);
  const sentinels = reader.number('sentinels', 3, { min: 1, max: 9, integer: true });
  const quorum = reader.number('quorum', 2, { min: 1, max: 9, integer: true });
  if (quorum > sentinels) throw new KnobError(['quorum'], `quorum (${quorum}) cannot exceed sentinels (${sentinels}): ODOWN would never be reached`);
  const failoverAfterUs = readPositiveDuration(reader, 'failoverAfter', '5s');
  const servers = reader.number('servers', 1, { min: 1, integer: true });
  const withSentinels = failover === 'sentinel' && servers === 1 + replicas + sentinels;
  if (servers !== 1 && servers !== 1 + replicas && !withSentinels) throw new KnobError(['servers'], serversMismatch(servers, replicas));
  const persistence = readPersistence(reader);
  const expiryClock = readExpiryClock(reader);
  const retry = readRetry(reader);
  reader.finish(['permits']);
  return { servers: 1, ttlUs, release, tokens, replicas, replicationDelayUs, failover, sentinels, quorum, failoverAfterUs, persistence, expiryClock, ...retry };
}
