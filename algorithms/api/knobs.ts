/**
 * Reading a design's knobs (`config.<design>` in a scenario) with defaults,
 * units and clear errors. Every design parses its knobs through a `KnobReader`
 * so messages read the same everywhere and unknown knobs are always refused.
 */
import { formatUs, parseDurationUs, type Micros } from './time.ts';

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

  /** A non-negative duration such as "10s"; returns µs. */
  duration(name: string, fallback: string): Micros {
    const value = this.take(name) ?? fallback;
    const us = parseDurationUs(value);
    if (us === undefined) throw new KnobError([name], `expected a duration such as "250ms" or "10s", got ${JSON.stringify(value)}`);
    if (us < 0) throw new KnobError([name], `expected a non-negative duration, got ${JSON.stringify(value)}`);
    return us;
  }

  /** A duration or a {min, max} pair of durations; returns µs. */
  range(name: string, fallback: { min: string; max: string } | string): RangeUs {
    const value = this.take(name) ?? fallback;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (key !== 'min' && key !== 'max') throw new KnobError([name, key], `unknown field; expected "min" and "max"`);
      }
      const minUs = parseDurationUs(record.min);
      const maxUs = parseDurationUs(record.max);
      if (minUs === undefined || minUs < 0) throw new KnobError([name, 'min'], `expected a non-negative duration, got ${JSON.stringify(record.min)}`);
      if (maxUs === undefined || maxUs < 0) throw new KnobError([name, 'max'], `expected a non-negative duration, got ${JSON.stringify(record.max)}`);
      if (maxUs < minUs) throw new KnobError([name], `max (${formatUs(maxUs)}) is below min (${formatUs(minUs)})`);
      return { minUs, maxUs };
    }
    const us = parseDurationUs(value);
    if (us === undefined || us < 0) throw new KnobError([name], `expected a duration or {"min", "max"}, got ${JSON.stringify(value)}`);
    return { minUs: us, maxUs: us };
  }

  /** A number within [min, max]; `integer` demands a whole number. */
  number(name: string, fallback: number, limits: { min?: number; max?: number; integer?: boolean } = {}): number {
    const value = this.take(name) ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new KnobError([name], `expected a number, got ${JSON.stringify(value)}`);
    if (limits.integer === true && !Number.isInteger(value)) throw new KnobError([name], `expected a whole number, got ${value}`);
    if (limits.min !== undefined && value < limits.min) throw new KnobError([name], `expected at least ${limits.min}, got ${value}`);
    if (limits.max !== undefined && value > limits.max) throw new KnobError([name], `expected at most ${limits.max}, got ${value}`);
    return value;
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(name: string, fallback: T, options: readonly T[]): T {
    const value = this.take(name) ?? fallback;
    if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
      throw new KnobError([name], `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.take(name) ?? fallback;
    if (typeof value !== 'boolean') throw new KnobError([name], `expected true or false, got ${JSON.stringify(value)}`);
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
