/**
 * The Redis server model's options and the knob readers `redis` and
 * `redlock` share: what a crashed server keeps (AOF persistence), the clock
 * key expiry is measured on, how a client releases, and retry pacing.
 */
import { TIMER_LIMITS, WAIT_LIMITS, type KnobReader, type Micros } from '../../api/index.ts';

/** What a crashed server keeps: `none` (no AOF), `everysec` (AOF fsynced each second), `always` (AOF fsynced before each reply). */
export type Persistence = 'none' | 'everysec' | 'always';
/** The clock a server measures key expiry on. Real Redis uses the wall clock. */
export type ExpiryClock = 'wall' | 'monotonic';
/** How a client releases: the Lua compare-and-delete script, or a plain DEL. */
export type ReleaseMode = 'compare-and-delete' | 'del';

/** Reads `persistence`. */
export function readPersistence(reader: KnobReader): Persistence {
  return reader.oneOf<Persistence>('persistence', 'none', ['none', 'everysec', 'always']);
}

/** Reads `expiryClock`. */
export function readExpiryClock(reader: KnobReader): ExpiryClock {
  return reader.oneOf<ExpiryClock>('expiryClock', 'wall', ['wall', 'monotonic']);
}

/** Reads a timer knob that must be above zero (1ms to a day: `TIMER_LIMITS`). */
export function readPositiveDuration(reader: KnobReader, name: string, fallback: string): Micros {
  return reader.duration(name, fallback, TIMER_LIMITS);
}

/** Reads `retryDelay` and `retryJitter` (each 0 to a day: `WAIT_LIMITS`). */
export function readRetry(reader: KnobReader): { retryDelayUs: Micros; retryJitterUs: Micros } {
  return { retryDelayUs: reader.duration('retryDelay', '200ms', WAIT_LIMITS), retryJitterUs: reader.duration('retryJitter', '100ms', WAIT_LIMITS) };
}
