/**
 * The `redis` design's knobs (SPEC §3) and the knob readers it shares with
 * `redlock` (persistence, expiry clock, retry pacing).
 *
 * Models: the configuration a Redis lock deployment chooses (TTL, release
 * style, INCR tokens, async replicas with a Sentinel-like failover, AOF
 * persistence). Does not model: Redis settings that do not bear on locking
 * (maxmemory, RDB snapshots, min-replicas-to-write).
 */
import type { KnobInfo } from '../api/index.ts';
import { KnobError } from '../api/index.ts';
import type { KnobReader } from '../api/index.ts';
import type { Micros } from '../api/index.ts';

/** What a crashed server keeps: `none` (no AOF), `everysec` (AOF fsynced each second), `always` (AOF fsynced before each reply). */
export type Persistence = 'none' | 'everysec' | 'always';
/** The clock a server measures key expiry on. Real Redis uses the wall clock. */
export type ExpiryClock = 'wall' | 'monotonic';
/** How a client releases: the Lua compare-and-delete script, or a plain DEL. */
export type ReleaseMode = 'compare-and-delete' | 'del';

/** Resolved `redis` knobs, durations in µs. */
export interface RedisKnobs {
  /** Primary count (always 1: replicas come from `replicas`). */
  readonly servers: number;
  readonly ttlUs: Micros;
  readonly release: ReleaseMode;
  readonly tokens: 'incr' | 'none';
  readonly replicas: number;
  readonly failover: 'none' | 'sentinel';
  readonly failoverAfterUs: Micros;
  readonly persistence: Persistence;
  readonly expiryClock: ExpiryClock;
  readonly retryDelayUs: Micros;
  readonly retryJitterUs: Micros;
}

/** Knob metadata for `list` and the README. */
export const REDIS_KNOBS: readonly KnobInfo[] = [
  { name: 'servers', default: 1, meaning: 'primaries (always 1; add servers with `replicas`; 1 + replicas is also accepted)' },
  { name: 'ttl', default: '10s', meaning: 'SET k v NX PX ttl' },
  { name: 'release', default: 'compare-and-delete', meaning: '"compare-and-delete" (Lua script) or "del" (plain DEL, can remove another\'s lock)' },
  { name: 'tokens', default: 'incr', meaning: '"incr": fencing token from INCR in the acquire script; "none"' },
  { name: 'replicas', default: 0, meaning: 'asynchronous replicas s2.. of the primary s1' },
  { name: 'failover', default: 'none', meaning: '"sentinel": a replica promotes itself after the primary is silent for failoverAfter' },
  { name: 'failoverAfter', default: '5s', meaning: 'silence from the primary before a replica promotes itself' },
  { name: 'persistence', default: 'none', meaning: '"none", "everysec" or "always": what a crashed server keeps (AOF fsync policy)' },
  { name: 'expiryClock', default: 'wall', meaning: '"monotonic": server expiry ignores clock jumps' },
  { name: 'retryDelay', default: '200ms', meaning: 'pause between attempts while the lock is busy' },
  { name: 'retryJitter', default: '100ms', meaning: 'random ± added to retryDelay' },
];

/** Reads `persistence`. */
export function readPersistence(reader: KnobReader): Persistence {
  return reader.oneOf<Persistence>('persistence', 'none', ['none', 'everysec', 'always']);
}

/** Reads `expiryClock`. */
export function readExpiryClock(reader: KnobReader): ExpiryClock {
  return reader.oneOf<ExpiryClock>('expiryClock', 'wall', ['wall', 'monotonic']);
}

/** Reads a duration knob that must be above zero. */
export function readPositiveDuration(reader: KnobReader, name: string, fallback: string): Micros {
  const us = reader.duration(name, fallback);
  if (us <= 0) throw new KnobError([name], `expected a duration above zero, got ${us}µs`);
  return us;
}

/** Reads `retryDelay` and `retryJitter`. */
export function readRetry(reader: KnobReader): { retryDelayUs: Micros; retryJitterUs: Micros } {
  return { retryDelayUs: reader.duration('retryDelay', '200ms'), retryJitterUs: reader.duration('retryJitter', '100ms') };
}

/** Parses `config.redis` over the defaults. Throws `KnobError` for a bad or unknown knob. */
export function parseRedisKnobs(reader: KnobReader): RedisKnobs {
  const ttlUs = readPositiveDuration(reader, 'ttl', '10s');
  const release = reader.oneOf<ReleaseMode>('release', 'compare-and-delete', ['compare-and-delete', 'del']);
  const tokens = reader.oneOf<'incr' | 'none'>('tokens', 'incr', ['incr', 'none']);
  const replicas = reader.number('replicas', 0, { min: 0, max: 16, integer: true });
  const servers = reader.number('servers', 1, { min: 1, integer: true });
  if (servers !== 1 && servers !== 1 + replicas) {
    throw new KnobError(['servers'], `redis runs one primary (s1) plus \`replicas\`; expected 1 or ${1 + replicas}, got ${servers}`);
  }
  const failover = reader.oneOf<'none' | 'sentinel'>('failover', 'none', ['none', 'sentinel']);
  const failoverAfterUs = readPositiveDuration(reader, 'failoverAfter', '5s');
  const persistence = readPersistence(reader);
  const expiryClock = readExpiryClock(reader);
  const retry = readRetry(reader);
  reader.finish(['permits']);
  return { servers: 1, ttlUs, release, tokens, replicas, failover, failoverAfterUs, persistence, expiryClock, ...retry };
}
