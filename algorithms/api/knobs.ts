/**
 * Reading a design's knobs (`config.<design>` in a scenario) with defaults,
 * units and clear errors. Every design parses its knobs through a `KnobReader`
 * so messages read the same everywhere and unknown knobs are always refused.
 *
 * Every timer knob has a documented minimum and maximum (`TIMER_LIMITS`,
 * `WAIT_LIMITS`, or its own): a µs-scale heartbeat or tick would fire a
 * million times per simulated second on every node and never finish, and a
 * duration beyond a day (or 1e308 ms) is a typo that breaks exact µs
 * arithmetic.
 */
import { formatUs, parseDurationUs, type Micros } from './time.ts';

/** The durations a timer knob accepts, inclusive, as duration strings (shown in `list`). */
export interface DurationLimits {
  readonly min: string;
  readonly max: string;
}

/**
 * The longest any timer knob may be: a day. It matches the longest scenario
 * (sim/scenario's duration cap); a longer TTL or timeout behaves exactly as
 * "never within this run".
 */
export const MAX_TIMER = '24h';

/**
 * Periods and timeouts that must be above zero (heartbeats, ticks, TTLs,
 * sessions, request timeouts): at least 1ms, the finest unit the real
 * systems configure (Redis PX, ZooKeeper tickTime, etcd/Raft heartbeats are
 * all milliseconds). Below it a periodic timer fires thousands of times per
 * simulated second on every node.
 */
export const TIMER_LIMITS: DurationLimits = { min: '1ms', max: MAX_TIMER };

/** Waits that may be zero (retry delay and jitter, restart delay, backoff): 0 to a day. */
export const WAIT_LIMITS: DurationLimits = { min: '0s', max: MAX_TIMER };

/** "1ms to 24h", for knob documentation. */
export function limitsText(limits: DurationLimits): string {
  return `${limits.min} to ${limits.max}`;
}

/** Longest value text an error message shows. */
const SHOW_CHARS = 60;
/** Nesting an error message spells out; deeper lists and objects print as […] and {…}. */
const SHOW_DEPTH = 3;

/**
 * A value as an error message shows it: compact JSON, at most `maxChars`
 * characters, nesting beyond a few levels elided. Bounded in time and stack
 * whatever the value: a 5,000-deep list or a megabyte string from a bad file
 * must not crash the message that reports it (`JSON.stringify` and `String`
 * both recurse without limit). A number beyond a double's range (JSON `1e400`
 * reads as Infinity, where JSON.stringify would print `null`) says so.
 */
export function showValue(value: unknown, maxChars = SHOW_CHARS): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN (not a number)' : 'a number too large (beyond ±1.8e308)';
  const out = new BoundedText(maxChars);
  writeValue(out, value, 0);
  return out.text();
}

/** Text that stops growing once it is longer than it will be shown. */
class BoundedText {
  private readonly parts: string[] = [];
  private length = 0;
  constructor(private readonly maxChars: number) {}

  get full(): boolean {
    return this.length > this.maxChars;
  }

  add(part: string): void {
    if (this.full) return;
    this.parts.push(part);
    this.length += part.length;
  }

  /** The text, cut to `maxChars` with "..." when longer. */
  text(): string {
    const joined = this.parts.join('');
    return joined.length > this.maxChars ? `${joined.slice(0, this.maxChars - 3)}...` : joined;
  }
}

function writeValue(out: BoundedText, value: unknown, depth: number): void {
  if (out.full) return;
  if (value === null || typeof value === 'boolean') return out.add(String(value));
  if (typeof value === 'number') return out.add(String(value));
  if (typeof value === 'string') return out.add(JSON.stringify(value.length > SHOW_CHARS ? value.slice(0, SHOW_CHARS) : value));
  if (typeof value === 'bigint') return out.add(String(value));
  if (Array.isArray(value)) return writeList(out, value, depth);
  if (typeof value === 'object') return writeObject(out, value as Record<string, unknown>, depth);
  out.add(typeof value === 'function' ? 'a function' : String(typeof value));
}

function writeList(out: BoundedText, list: readonly unknown[], depth: number): void {
  if (list.length === 0) return out.add('[]');
  if (depth >= SHOW_DEPTH) return out.add('[…]');
  out.add('[');
  for (let i = 0; i < list.length && !out.full; i++) {
    if (i > 0) out.add(',');
    writeValue(out, list[i] ?? null, depth + 1);
  }
  out.add(']');
}

function writeObject(out: BoundedText, obj: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(obj).filter((key) => obj[key] !== undefined);
  if (keys.length === 0) return out.add('{}');
  if (depth >= SHOW_DEPTH) return out.add('{…}');
  out.add('{');
  for (let i = 0; i < keys.length && !out.full; i++) {
    if (i > 0) out.add(',');
    out.add(`${JSON.stringify(keys[i].length > SHOW_CHARS ? keys[i].slice(0, SHOW_CHARS) : keys[i])}:`);
    writeValue(out, obj[keys[i]], depth + 1);
  }
  out.add('}');
}

/** A bad design knob; the scenario loader reports it at `config.<design>.<path>`. */
export class KnobError extends Error {
  readonly path: ReadonlyArray<string | number>;
  constructor(path: ReadonlyArray<string | number>, what: string) {
    super(what);
    this.name = 'KnobError';
    this.path = path;
  }
}

/** A {min, max} range in µs. */
export interface RangeUs {
  readonly minUs: Micros;
  readonly maxUs: Micros;
}

export class KnobReader {
  private readonly raw: Readonly<Record<string, unknown>>;
  private readonly seen = new Set<string>();

  constructor(raw: Readonly<Record<string, unknown>>) {
    this.raw = raw;
  }

  private take(name: string): unknown {
    this.seen.add(name);
    return this.raw[name];
  }

  /** The knob's value, or `fallback` only when it is absent: a `null` is refused as the wrong type, as scenario fields are. */
  private valueOr(name: string, fallback: unknown): unknown {
    const value = this.take(name);
    return value === undefined ? fallback : value;
  }

  /** A duration such as "10s" within `limits` (default: 0 to a day); returns µs. */
  duration(name: string, fallback: string, limits: DurationLimits = WAIT_LIMITS): Micros {
    const value = this.valueOr(name, fallback);
    const us = parseDurationUs(value);
    if (us === undefined) throw new KnobError([name], `expected a duration such as "250ms" or "10s", got ${showValue(value)}`);
    checkLimits([name], value, us, limits);
    return us;
  }

  /** A duration or a {min, max} pair of durations, each within `limits` (default: 0 to a day); returns µs. */
  range(name: string, fallback: { min: string; max: string } | string, limits: DurationLimits = WAIT_LIMITS): RangeUs {
    const value = this.valueOr(name, fallback);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (key !== 'min' && key !== 'max') throw new KnobError([name, key], `unknown field; expected "min" and "max"`);
      }
      const minUs = parseDurationUs(record.min);
      const maxUs = parseDurationUs(record.max);
      if (minUs === undefined || minUs < 0) throw new KnobError([name, 'min'], `expected a non-negative duration, got ${showValue(record.min)}`);
      if (maxUs === undefined || maxUs < 0) throw new KnobError([name, 'max'], `expected a non-negative duration, got ${showValue(record.max)}`);
      checkLimits([name, 'min'], record.min, minUs, limits);
      checkLimits([name, 'max'], record.max, maxUs, limits);
      if (maxUs < minUs) throw new KnobError([name], `max (${formatUs(maxUs)}) is below min (${formatUs(minUs)})`);
      return { minUs, maxUs };
    }
    const us = parseDurationUs(value);
    if (us === undefined || us < 0) throw new KnobError([name], `expected a duration or {"min", "max"}, got ${showValue(value)}`);
    checkLimits([name], value, us, limits);
    return { minUs: us, maxUs: us };
  }

  /** A number within [min, max]; `integer` demands a whole number. */
  number(name: string, fallback: number, limits: { min?: number; max?: number; integer?: boolean } = {}): number {
    const value = this.valueOr(name, fallback);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new KnobError([name], `expected a number, got ${showValue(value)}`);
    if (limits.integer === true && !Number.isInteger(value)) throw new KnobError([name], `expected a whole number, got ${value}`);
    if (limits.min !== undefined && value < limits.min) throw new KnobError([name], `expected at least ${limits.min}, got ${value}`);
    if (limits.max !== undefined && value > limits.max) throw new KnobError([name], `expected at most ${limits.max}, got ${value}`);
    return value;
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(name: string, fallback: T, options: readonly T[]): T {
    const value = this.valueOr(name, fallback);
    if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
      throw new KnobError([name], `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${showValue(value)}`);
    }
    return value as T;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.valueOr(name, fallback);
    if (typeof value !== 'boolean') throw new KnobError([name], `expected true or false, got ${showValue(value)}`);
    return value;
  }

  /** Call last: refuses any knob that was not read. */
  finish(known: readonly string[] = []): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.seen.has(key) && !known.includes(key)) {
        const names = [...this.seen, ...known].sort().join(', ');
        throw new KnobError([key], `unknown knob; this design's knobs are: ${names}`);
      }
    }
  }
}

/** Throws the KnobError for a duration `us` (read from `value`) outside `limits`. */
function checkLimits(path: ReadonlyArray<string | number>, value: unknown, us: Micros, limits: DurationLimits): void {
  const minUs = parseDurationUs(limits.min) ?? 0;
  const maxUs = parseDurationUs(limits.max) ?? Infinity;
  if (us < 0 && minUs >= 0) throw new KnobError(path, `expected a non-negative duration (${limitsText(limits)}), got ${showValue(value)}`);
  if (us <= 0 && minUs > 0) throw new KnobError(path, `expected a positive duration (above zero: ${limitsText(limits)}), got ${showValue(value)}`);
  if (us < minUs) throw new KnobError(path, `expected at least ${limits.min} (${limitsText(limits)}); a shorter timer fires thousands of times per simulated second; got ${showValue(value)}`);
  if (us > maxUs) throw new KnobError(path, `expected at most ${limits.max} (${limitsText(limits)}), the longest run locksim simulates; got ${showValue(value)}`);
}
