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
import type { RangeUs } from '../../algorithms/api/knobs.ts';
import { parseDurationUs, type Micros } from '../../algorithms/api/time.ts';

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

/** A value as it should appear in a message: JSON, shortened. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
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

/** A duration in µs; `sign` says whether zero or negative values are allowed. */
export function readDuration(where: Where, value: unknown, path: Path, sign: DurationSign): Micros {
  const us = parseDurationUs(value);
  if (us === undefined) fail(where, path, `expected ${DURATION_FORM}, got ${show(value)}`);
  if (sign === 'non-negative' && us < 0) fail(where, path, `expected a non-negative duration, got ${show(value)}`);
  if (sign === 'positive' && us <= 0) fail(where, path, `expected a positive duration, got ${show(value)}`);
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

/** A whole number at least `min`. */
export function readInteger(where: Where, value: unknown, path: Path, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    fail(where, path, `expected a whole number, got ${show(value)}`);
  }
  if (value < min) fail(where, path, `expected a whole number >= ${min}, got ${show(value)}`);
  return value;
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
