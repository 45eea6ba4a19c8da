/**
 * Field readers for scenario validation: each checks one value at a JSON path
 * and throws an `InputError` naming the file, the path, the bad value and what
 * was wanted. Hand-written rather than zod so every message reads the same and
 * unknown fields get a "did you mean" hint.
 *
 * Models: SPEC §3's value types (durations, {min, max} ranges, probabilities,
 * counts, enums). Does not model anything scenario-specific; `load.ts` and
 * `faults-schema.ts` compose these readers.
 */
import { InputError, jsonPath } from './errors.ts';
import { showValue, type RangeUs } from '../../algorithms/api/index.ts';
import { formatUs, parseDurationUs, US_PER_S, type Micros } from '../../algorithms/api/index.ts';

/**
 * The largest values a scenario may ask for; beyond them the loader refuses
 * the file (exit 2) instead of running out of memory or time. Each is far
 * beyond any experiment the built-in scenarios run, and small enough that a
 * run stays exact and finishes. `SCENARIO_LIMITS` documents them for `list`
 * and the README.
 */
export const LIMITS = {
  /**
   * `duration`, `livenessWithin` and every other duration field: one day of
   * simulated time. Longer than any lease, session or failover window worth
   * studying, and already minutes of wall time per design (a default
   * scenario handles ~300 events per simulated second); "1000h" or 1e308 is
   * a typo, and beyond 2^53 µs time stops being exact.
   */
  durationUs: 24 * 3600 * US_PER_S,
  /** A clock-jump's `by`: a clock set up to a year off (wrong year in an RTC), either way. */
  clockJumpUs: 366 * 24 * 3600 * US_PER_S,
  /**
   * Workload `clients` (and `permits`): 10,000. Each client is a simulated
   * node with its own timers and history; node ids are packed in 15 bits in
   * the trace hash. 1,000,000,000 clients passed validation and killed V8.
   */
  clients: 10_000,
  /**
   * A clock-drift `rate` (the clock runs at (1 + rate)× true speed): from
   * −0.99 (a hundredth of true speed) to 100 (101×). Real clocks drift by
   * parts per million; at rate 1e300 every timer fires 1µs after it is set.
   */
  driftRate: { min: -0.99, max: 100 },
  /** Nesting of any value: a scenario's deepest field (`faults[i].cut[j][k]`) is five levels down. */
  nesting: 32,
} as const;

/** A limit in whole hours when it is one ("24h" rather than "86400s"). */
export function formatLongUs(us: Micros): string {
  const hourUs = 3600 * US_PER_S;
  return us >= hourUs && us % hourUs === 0 ? `${us / hourUs}h` : formatUs(us);
}

/** The limits as `list` and the README show them. */
export const SCENARIO_LIMITS: ReadonlyArray<{ readonly field: string; readonly limit: string }> = [
  { field: 'duration, livenessWithin, every duration field', limit: `at most ${formatLongUs(LIMITS.durationUs)}` },
  { field: 'faults[].by (clock-jump)', limit: `at most ${formatLongUs(LIMITS.clockJumpUs)} either way` },
  { field: 'workload.clients, workload.permits', limit: `1 to ${LIMITS.clients}` },
  { field: 'faults[].rate (clock-drift)', limit: `${LIMITS.driftRate.min} to ${LIMITS.driftRate.max}` },
  { field: 'any value', limit: `nested at most ${LIMITS.nesting} levels` },
];

/** A JSON path as segments: ['faults', 2, 'at']. */
export type Path = ReadonlyArray<string | number>;

/** What a reader knows about where it is: the file, for messages. */
export interface Where {
  readonly file: string;
}

/** Throws the InputError for `path` in `where.file`. */
export function fail(where: Where, path: Path, what: string): never {
  throw new InputError(where.file, jsonPath(path), what);
}

/** A value as it should appear in a message: JSON, shortened, depth-bounded (never throws, whatever the value). */
export function show(value: unknown): string {
  return showValue(value);
}

/** A plain object (not an array, not null) or an error. */
export function readObject(where: Where, value: unknown, path: Path, wanted = 'an object'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, path, `expected ${wanted}, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Refuses any key of `obj` that is not in `allowed`, suggesting the closest known one. */
export function refuseUnknownFields(where: Where, obj: Record<string, unknown>, path: Path, allowed: readonly string[], owner: string): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    const suggestion = hint === undefined ? '' : ` (did you mean ${JSON.stringify(hint)}?)`;
    fail(where, [...path, key], `unknown field ${JSON.stringify(key)} in ${owner}${suggestion}; expected one of: ${allowed.join(', ')}`);
  }
}

/** The allowed name closest to `name` by edit distance, if close enough to be a typo. */
function closest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

/** Which durations a field accepts. */
export type DurationSign = 'positive' | 'non-negative' | 'any';

const DURATION_FORM = 'a duration such as "250ms", "10s", "2m" or a number of milliseconds';

/**
 * A duration in µs; `sign` says whether zero or negative values are allowed,
 * `maxUs` the largest magnitude (default: `LIMITS.durationUs`, a day).
 */
export function readDuration(where: Where, value: unknown, path: Path, sign: DurationSign, maxUs: Micros = LIMITS.durationUs): Micros {
  const us = parseDurationUs(value);
  if (us === undefined) fail(where, path, `expected ${DURATION_FORM}, got ${show(value)}`);
  if (sign === 'non-negative' && us < 0) fail(where, path, `expected a non-negative duration, got ${show(value)}`);
  if (sign === 'positive' && us <= 0) fail(where, path, `expected a positive duration, got ${show(value)}`);
  if (Math.abs(us) > maxUs) {
    fail(where, path, `expected at most ${formatLongUs(maxUs)}${sign === 'any' ? ' either way' : ''} (the longest locksim simulates exactly and in reasonable time), got ${show(value)}`);
  }
  return us;
}

/** A duration or `{min, max}` of non-negative durations, as a range in µs (a plain duration gives min = max). */
export function readRange(where: Where, value: unknown, path: Path): RangeUs {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    refuseUnknownFields(where, record, path, ['min', 'max'], 'a {min, max} range');
    if (record.min === undefined) fail(where, [...path, 'min'], `missing; a range needs "min" and "max"`);
    if (record.max === undefined) fail(where, [...path, 'max'], `missing; a range needs "min" and "max"`);
    const minUs = readDuration(where, record.min, [...path, 'min'], 'non-negative');
    const maxUs = readDuration(where, record.max, [...path, 'max'], 'non-negative');
    if (maxUs < minUs) fail(where, path, `expected max >= min, got ${show(value)}`);
    return { minUs, maxUs };
  }
  if (parseDurationUs(value) === undefined) {
    fail(where, path, `expected ${DURATION_FORM}, or {"min": …, "max": …}, got ${show(value)}`);
  }
  const us = readDuration(where, value, path, 'non-negative');
  return { minUs: us, maxUs: us };
}

/** A probability in [0, 1]. */
export function readProbability(where: Where, value: unknown, path: Path): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    fail(where, path, `expected a probability between 0 and 1, got ${show(value)}`);
  }
  return value;
}

/** A whole number at least `min` and at most `max` (default: the largest exact double; `why` says why the maximum). */
export function readInteger(where: Where, value: unknown, path: Path, min: number, max?: { value: number; why: string }): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(where, path, `expected a whole number, got ${show(value)}`);
  if (value < min) fail(where, path, `expected a whole number >= ${min}, got ${show(value)}`);
  const limit = max ?? { value: Number.MAX_SAFE_INTEGER, why: 'the largest whole number a double holds exactly' };
  if (value > limit.value) fail(where, path, `expected at most ${limit.value} (${limit.why}), got ${show(value)}`);
  return value;
}

/** A number within [min, max] (`why` says why those bounds). */
export function readBoundedNumber(where: Where, value: unknown, path: Path, bounds: { min: number; max: number; why: string }): number {
  const n = readNumber(where, value, path);
  if (n < bounds.min || n > bounds.max) fail(where, path, `expected a number from ${bounds.min} to ${bounds.max} (${bounds.why}), got ${show(value)}`);
  return n;
}

/** A finite number. */
export function readNumber(where: Where, value: unknown, path: Path): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(where, path, `expected a number, got ${show(value)}`);
  return value;
}

/** A string. */
export function readString(where: Where, value: unknown, path: Path): string {
  if (typeof value !== 'string') fail(where, path, `expected a string, got ${show(value)}`);
  return value;
}

/** true or false. */
export function readBoolean(where: Where, value: unknown, path: Path): boolean {
  if (typeof value !== 'boolean') fail(where, path, `expected true or false, got ${show(value)}`);
  return value;
}

/** One of a fixed set of strings. */
export function readEnum<T extends string>(where: Where, value: unknown, path: Path, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    fail(where, path, `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

/** An array. */
export function readArray(where: Where, value: unknown, path: Path, wanted = 'a list'): readonly unknown[] {
  if (!Array.isArray(value)) fail(where, path, `expected ${wanted}, got ${show(value)}`);
  return value;
}
