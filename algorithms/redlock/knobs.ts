/**
 * The `redlock` design's knobs (SPEC §3) and their defaults.
 *
 * Models: the parameters of the Redlock algorithm as redis.io and the
 * reference clients (redlock-py, node-redlock) expose them, plus the
 * instances' persistence, expiry clock and delayed restart. Does not model:
 * node-redlock's `automaticExtensionThreshold` (no lock extension).
 */
import type { KnobInfo } from '../api/index.ts';
import type { KnobReader } from '../api/index.ts';
import type { Micros } from '../api/index.ts';
import { limitsText, TIMER_LIMITS, WAIT_LIMITS } from '../api/index.ts';
import { readExpiryClock, readPersistence, readPositiveDuration, readRetry, type ExpiryClock, type Persistence } from '../shared/redis/options.ts';

/** Resolved `redlock` knobs, durations in µs. */
export interface RedlockKnobs {
  /** Independent Redis primaries. */
  readonly servers: number;
  readonly ttlUs: Micros;
  readonly persistence: Persistence;
  readonly expiryClock: ExpiryClock;
  /** validity = ttl − elapsed − (ttl·driftFactor + 2 ms). */
  readonly driftFactor: number;
  readonly requestTimeoutUs: Micros;
  readonly retryDelayUs: Micros;
  readonly retryJitterUs: Micros;
  readonly checkValidity: boolean;
  readonly clientClock: 'wall' | 'monotonic';
  readonly restartDelayUs: Micros;
}

/** Knob metadata for `list` and the README. */
export const REDLOCK_KNOBS: readonly KnobInfo[] = [
  { name: 'servers', default: 5, meaning: 'independent Redis primaries; quorum ⌊N/2⌋+1' },
  { name: 'ttl', default: '10s', meaning: `SET k v NX PX ttl on every instance; ${limitsText(TIMER_LIMITS)}` },
  { name: 'persistence', default: 'none', meaning: '"none", "everysec" or "always": what a crashed instance keeps' },
  { name: 'expiryClock', default: 'wall', meaning: '"monotonic": instance expiry ignores clock jumps' },
  { name: 'driftFactor', default: 0.01, meaning: 'validity = ttl − elapsed − (ttl·driftFactor + 2ms)' },
  { name: 'requestTimeout', default: '50ms', meaning: `per-instance timeout; ${limitsText(TIMER_LIMITS)}` },
  { name: 'retryDelay', default: '200ms', meaning: `pause between attempts; ${limitsText(WAIT_LIMITS)} (not 0 with retryJitter 0 on a zero-latency network: the retries would spin at one instant)` },
  { name: 'retryJitter', default: '100ms', meaning: `random ± added to retryDelay; ${limitsText(WAIT_LIMITS)}` },
  { name: 'checkValidity', default: true, meaning: 'false: the client skips the elapsed-time check' },
  { name: 'clientClock', default: 'wall', meaning: '"monotonic": the client measures elapsed time on its monotonic clock' },
  {
    name: 'restartDelay',
    default: '0s',
    meaning: `a crashed instance stays down this long after its restart, whatever its disk kept (antirez's delayed restart, an operations rule for instances without persistence: make it longer than the TTL); ${limitsText(WAIT_LIMITS)}`,
  },
];

/** Parses `config.redlock` over the defaults. Throws `KnobError` for a bad or unknown knob. */
export function parseRedlockKnobs(reader: KnobReader): RedlockKnobs {
  const servers = reader.number('servers', 5, { min: 1, max: 99, integer: true });
  const ttlUs = readPositiveDuration(reader, 'ttl', '10s');
  const persistence = readPersistence(reader);
  const expiryClock = readExpiryClock(reader);
  const driftFactor = reader.number('driftFactor', 0.01, { min: 0, max: 1 });
  const requestTimeoutUs = readPositiveDuration(reader, 'requestTimeout', '50ms');
  const retry = readRetry(reader);
  const checkValidity = reader.boolean('checkValidity', true);
  const clientClock = reader.oneOf<'wall' | 'monotonic'>('clientClock', 'wall', ['wall', 'monotonic']);
  const restartDelayUs = reader.duration('restartDelay', '0s', WAIT_LIMITS);
  reader.finish(['permits']);
  return { servers, ttlUs, persistence, expiryClock, driftFactor, requestTimeoutUs, ...retry, checkValidity, clientClock, restartDelayUs };
}
