/**
 * Simulated time: integer microseconds.
 *
 * True time (only the simulator and checkers see it) and every local clock
 * reading are integer microseconds. Durations in scenario files are strings
 * such as "250ms", "10s", "2m", "1.5s", "-20s" or a number of milliseconds;
 * `parseDurationUs` turns them into microseconds.
 */

export type Micros = number;

export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;

const UNIT_US: Record<string, number> = {
  us: 1,
  µs: 1,
  ms: US_PER_MS,
  s: US_PER_S,
  m: 60 * US_PER_S,
  min: 60 * US_PER_S,
  h: 3600 * US_PER_S,
};

const DURATION_RE = /^([+-]?)(\d+(?:\.\d+)?)\s*(us|µs|ms|s|min|m|h)$/;

/** Parses "250ms", "+20s", "2m" or a number of milliseconds into integer µs; undefined when malformed. */
export function parseDurationUs(value: unknown): Micros | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? Math.round(value * US_PER_MS) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = DURATION_RE.exec(value.trim());
  if (match === null) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  return sign * Math.round(Number(match[2]) * UNIT_US[match[3]]);
}

/** Formats µs for people: 1500 → "1.5ms", 12000000 → "12s". */
export function formatUs(us: Micros): string {
  const abs = Math.abs(us);
  if (abs >= US_PER_S) return `${trim(us / US_PER_S)}s`;
  if (abs >= US_PER_MS) return `${trim(us / US_PER_MS)}ms`;
  return `${us}us`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

/** µs → ms as a float, for metrics. */
export function usToMs(us: Micros): number {
  return us / US_PER_MS;
}
