/**
 * Keeps issue 8's random findings at zero (item 6): 2,000 random valid
 * scenarios gave 0 crashes, 0 hangs and 0 determinism mismatches, and bad
 * input must always be an InputError (exit 2), never another error (exit 3).
 *
 * - Random valid scenarios (as JSON text, through the loader) run on every
 *   design with a short duration: no exception, the run ends, and running
 *   it again gives the same traceHash and event count.
 * - Random malformed scenarios (wrong types, unknown fields, bad durations,
 *   huge numbers, deep nesting) make `parseScenario` throw InputError.
 * - Random text makes the file parser throw InputError or return a value,
 *   and the strict JSON reader agrees with JSON.parse on every valid text.
 *
 * Run counts are small (this suite must stay fast); the seeds fast-check
 * prints on a failure replay it. `HARD_EDGES_RUNS=2000 npx vitest run
 * test/hard-edges-random.test.ts` repeats the issue's 2,000-scenario sweep.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../sim/scenario/errors.ts';
import { parseScenarioText } from '../sim/scenario/load.ts';
import { DESIGNS, parseScenario, runScenario } from './support/designs.ts';

const ALL_DESIGNS = DESIGNS.names;
/** Valid scenarios per run (the sweep used 2,000). */
const VALID_RUNS = Number(process.env.HARD_EDGES_RUNS ?? 100);

// ---- valid scenarios ---------------------------------------------------------------------------

const ms = (lo: number, hi: number): fc.Arbitrary<string> => fc.integer({ min: lo, max: hi }).map((n) => `${n}ms`);
const range = (lo: number, hi: number): fc.Arbitrary<unknown> =>
  fc.oneof(ms(lo, hi), fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 0, max: hi })).map(([a, b]) => ({ min: `${a}ms`, max: `${a + b}ms` })));

/** Targets every design in any mix has: s1, c1, and the dynamic and group names. */
const target = fc.constantFrom('s1', 'c1', 'leader', 'holder', 'servers', 'clients');

/** One fault of any kind, firing before `durationMs`. */
function fault(durationMs: number): fc.Arbitrary<Record<string, unknown>> {
  const trigger = fc.oneof(
    fc.integer({ min: 0, max: durationMs - 1 }).map((at) => ({ at: `${at}ms` })),
    fc.record({ event: fc.constantFrom('acquired', 'released', 'granted', 'elected', 'expired'), nth: fc.integer({ min: 1, max: 3 }), delay: ms(0, 500) }).map((on) => ({ on })),
  );
  const body = fc.oneof(
    fc.record({ kind: fc.constant('pause'), target, duration: ms(1, 3000) }),
    fc.record({ kind: fc.constant('crash'), target, restartAfter: fc.option(ms(0, 2000), { nil: undefined }), durable: fc.constantFrom('all', 'fsynced', 'none') }),
    fc.record({ kind: fc.constant('clock-jump'), target, by: fc.integer({ min: -30_000, max: 30_000 }).map((n) => `${n}ms`) }),
    fc.record({ kind: fc.constant('clock-drift'), target, rate: fc.double({ min: -0.9, max: 5, noNaN: true }), duration: fc.option(ms(1, 3000), { nil: undefined }) }),
    fc.record({
      kind: fc.constant('partition'),
      shape: fc.constantFrom('isolate', 'halves', 'majority-minority', 'bridge', 'ring', 'one-way'),
      target,
      duration: fc.option(ms(1, 3000), { nil: undefined }),
    }),
    fc.record({ kind: fc.constant('partition'), groups: fc.constant([['c1', 'leader'], ['others']]), duration: ms(1, 3000) }),
    fc.record({ kind: fc.constant('network'), loss: fc.double({ min: 0, max: 1, noNaN: true }), duplicate: fc.double({ min: 0, max: 0.5, noNaN: true }), duration: ms(1, 2000) }),
    fc.record({ kind: fc.constant('heal') }),
  );
  return fc.tuple(trigger, body).map(([t, b]) => {
    const f: Record<string, unknown> = { ...t, ...b };
    for (const key of Object.keys(f)) if (f[key] === undefined) delete f[key];
    return f;
  });
}

/** Knobs for `design` within their documented ranges (a subset, so defaults are exercised too). */
function knobs(design: string): fc.Arbitrary<Record<string, unknown>> {
  const pick = (fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> => fc.record(fields, { requiredKeys: [] });
  switch (design) {
    case 'redis':
      return pick({ ttl: ms(50, 20_000), retryDelay: ms(1, 300), retryJitter: ms(0, 100), release: fc.constantFrom('compare-and-delete', 'del'), persistence: fc.constantFrom('none', 'everysec', 'always') });
    case 'redlock':
      return pick({ servers: fc.constantFrom(1, 3, 5), ttl: ms(50, 20_000), requestTimeout: ms(1, 200), checkValidity: fc.boolean(), clientClock: fc.constantFrom('wall', 'monotonic') });
    case 'raft-lock':
      return pick({ servers: fc.constantFrom(1, 3, 5), reads: fc.constantFrom('read-index', 'lease') });
    case 'zookeeper':
      return pick({ servers: fc.constantFrom(1, 3, 5), sessionTimeout: ms(4_000, 20_000), onSuspended: fc.constantFrom('continue', 'stop'), clientSelfExpiry: fc.boolean() });
    case 'cas':
      return fc.constantFrom({}, { replication: 'sync', servers: 3 }, { replication: 'async', servers: 2 }, { retries: 0 }, { backoff: '0s' });
    default:
      return fc.constant({});
  }
}

/** A valid scenario document, 0.2–8 simulated seconds long. */
const validScenario: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
    durationMs: fc.integer({ min: 200, max: 8000 }),
    designs: fc.subarray([...ALL_DESIGNS], { minLength: 1 }),
    latency: range(0, 20),
    loss: fc.constantFrom(0, 0, 0.01, 0.2),
    duplicate: fc.constantFrom(0, 0, 0.05),
    workload: fc.record(
      {
        clients: fc.integer({ min: 1, max: 5 }),
        sections: fc.integer({ min: 1, max: 5 }),
        hold: range(0, 1500),
        think: range(0, 800),
        stagger: ms(0, 300),
        acquireTimeout: ms(50, 3000),
        fencing: fc.constantFrom('none', 'writes', 'reads-and-writes'),
        checkBeforeWrite: fc.boolean(),
        permits: fc.integer({ min: 1, max: 3 }),
      },
      { requiredKeys: [] },
    ),
  })
  .chain((base) =>
    fc
      .record({
        faults: fc.array(fault(base.durationMs), { maxLength: 4 }),
        config: fc.tuple(...base.designs.map((d) => knobs(d))),
      })
      .map(({ faults, config }) => ({
        name: 'random',
        seed: base.seed,
        duration: `${base.durationMs}ms`,
        designs: base.designs,
        network: { latency: base.latency, loss: base.loss, duplicate: base.duplicate },
        workload: base.workload,
        config: Object.fromEntries(base.designs.map((d, i) => [d, config[i]])),
        faults,
      })),
  );

describe('random valid scenarios', () => {
  it('load, run on every design without an exception, end, and give the same traceHash twice', () => {
    fc.assert(
      fc.property(validScenario, (doc) => {
        // Through the file parser as a user's file would be.
        const scenario = parseScenario(parseScenarioText(JSON.stringify(doc), 'random.json'), 'random.json');
        const first = runScenario(scenario, { designs: ALL_DESIGNS });
        const second = runScenario(scenario, { designs: ALL_DESIGNS });
        expect(first.results.map((r) => r.design)).toEqual(ALL_DESIGNS);
        expect(second.results.map((r) => [r.design, r.traceHash, r.events])).toEqual(first.results.map((r) => [r.design, r.traceHash, r.events]));
      }),
      { numRuns: VALID_RUNS },
    );
  });
});

// ---- malformed scenarios -----------------------------------------------------------------------

/** `depth` lists nested in one another (built without recursion). */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

/** Values no scenario field accepts where a duration or a count is wanted. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, '', 'soon', '10 parsecs', '1000h', '-5s', '5', 'NaN', {}, [], { min: '1s' }, { min: '2s', max: '1s' }),
  fc.constantFrom(1e308, -1e308, Infinity, -Infinity, NaN, 1e300, Number.MAX_VALUE, 2 ** 53 + 2, -1, -0.5),
  fc.integer({ min: 33, max: 6000 }).map(nested),
  fc.string({ minLength: 1, maxLength: 5 }).map((s) => ({ [`x${s}`]: 1 })),
  fc.array(fc.constant('1s'), { minLength: 1, maxLength: 3 }),
);

/** A field of a valid base scenario and a value it must refuse there. */
const FIELDS_THAT_REFUSE: ReadonlyArray<readonly [string[], fc.Arbitrary<unknown>]> = [
  [['duration'], badValue],
  [['seed'], fc.constantFrom(-1, 0.5, Number('1e400'), '1', null, 2 ** 60, [1])],
  [['designs'], fc.constantFrom([], ['nope'], 'redis', [1], ['redis', 'redis'], ['constructor'], ['__proto__'], ['toString'])],
  [['workload', 'clients'], fc.constantFrom(0, 10_001, 1e9, 2.5, '3', null, Infinity, nested(40))],
  [['workload', 'hold'], badValue],
  [['workload', 'acquireTimeout'], badValue],
  [['network', 'latency'], badValue],
  [['network', 'loss'], fc.constantFrom(-0.1, 1.5, Infinity, NaN, '0', null)],
  [['config', 'redis', 'ttl'], badValue],
  [['config', 'redis', 'retryDelay'], fc.constantFrom('1000h', -1, 'x', Infinity, nested(50))],
  [['config', 'raft-lock', 'heartbeat'], fc.constantFrom('1us', '0s', '25h', 1e308, true)],
  [['config', 'zookeeper', 'tickTime'], fc.constantFrom('1us', '0s', '25h', Number('1e400'), [])],
  [['faults'], fc.constantFrom({}, 'none', [1], [{}], [{ at: '1s' }], [{ at: '1s', kind: 'meteor' }], [{ at: '1s', kind: 'clock-drift', target: 's1', rate: 1e300 }])],
];

const BASE = {
  duration: '10s',
  designs: ['redis', 'raft-lock', 'zookeeper'],
  workload: { clients: 2, hold: '1s', acquireTimeout: '2s' },
  network: { latency: '1ms', loss: 0 },
  config: { redis: { ttl: '5s', retryDelay: '100ms' }, 'raft-lock': { heartbeat: '50ms' }, zookeeper: { tickTime: '2s' } },
};

/** A deep copy of BASE with `path` set to `value`. */
function withField(path: readonly string[], value: unknown): unknown {
  const doc = structuredClone(BASE) as Record<string, unknown>;
  let at = doc;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path[path.length - 1]] = value;
  return doc;
}

/** An unknown field added at a place that refuses unknown fields. */
const unknownField = fc
  .tuple(fc.constantFrom([], ['workload'], ['network'], ['config', 'redis'], ['config', 'zookeeper']), fc.string({ minLength: 1, maxLength: 12 }), fc.anything())
  .filter(([, key]) => !['duration', 'designs', 'workload', 'network', 'config', 'seed', 'name', 'description', 'faults', 'expect', 'livenessWithin', 'clients', 'hold', 'acquireTimeout', 'sections', 'think', 'stagger', 'fencing', 'checkBeforeWrite', 'permits', 'latency', 'loss', 'duplicate', 'ttl', 'retryDelay', 'tickTime', 'release', 'tokens', 'replicas', 'failover', 'failoverAfter', 'persistence', 'expiryClock', 'retryJitter', 'servers', 'sessionTimeout', 'onSuspended', 'clientSelfExpiry', 'electionTimeout', 'heartbeat', '__proto__'].includes(key))
  .map(([path, key, value]) => {
    const doc = structuredClone(BASE) as Record<string, unknown>;
    let at = doc;
    for (const segment of path) at = at[segment] as Record<string, unknown>;
    at[key] = value;
    return doc;
  });

/** The error `parseScenario` throws for `raw`, or undefined when it accepts it. */
function errorOf(raw: unknown): unknown {
  try {
    parseScenario(raw, 'fuzz.json');
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('random malformed scenarios', () => {
  it('a field set to a value it refuses: always an InputError naming the file', () => {
    const mutation = fc.constantFrom(...FIELDS_THAT_REFUSE).chain(([path, values]) => values.map((value) => withField(path, value)));
    fc.assert(
      fc.property(mutation, (raw) => {
        const error = errorOf(raw);
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).file).toBe('fuzz.json');
        expect((error as Error).message.length).toBeLessThan(600);
      }),
      { numRuns: 300 },
    );
  });

  it('an unknown field anywhere: always an InputError', () => {
    fc.assert(
      fc.property(unknownField, (raw) => {
        expect(errorOf(raw)).toBeInstanceOf(InputError);
      }),
      { numRuns: 200 },
    );
  });

  it('anything at all, however nested: accepted or an InputError, never another error', () => {
    const anything = fc.oneof(
      fc.anything({ maxDepth: 6, withNullPrototype: true, withBigInt: true, withObjectString: true }),
      fc.integer({ min: 1, max: 8000 }).map(nested),
      fc.integer({ min: 1, max: 8000 }).map((depth) => ({ designs: ['redis'], description: nested(depth) })),
      fc.dictionary(fc.constantFrom('designs', 'duration', 'workload', 'faults', 'config', 'network', 'seed'), fc.anything({ maxDepth: 3 })),
    );
    fc.assert(
      fc.property(anything, (raw) => {
        const error = errorOf(raw);
        if (error !== undefined) expect(error).toBeInstanceOf(InputError);
      }),
      { numRuns: 300 },
    );
  });
});

describe('random text', () => {
  it('a scenario file of any text: a value or an InputError, in JSON and YAML alike', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json().map((json) => json.slice(0, Math.max(1, json.length - 1))),
      fc.json().chain((json) => fc.integer({ min: 0, max: json.length }).map((cut) => `${json.slice(0, cut)}${json.slice(cut + 1)}`)),
      fc.integer({ min: 1, max: 6000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
      fc.constantFrom('', '\uFEFF', '{"a": 1e400}', '{"a": 1, "a": 2}', 'a: &a [*a]', '<<: *nope', 'a: !!binary xx'),
    );
    fc.assert(
      fc.property(text, fc.constantFrom('f.json', 'f.yaml'), (body, file) => {
        try {
          parseScenarioText(body, file);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the strict JSON reader returns what JSON.parse returns for every valid JSON text', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 8 }), (json) => {
        expect(parseScenarioText(json, 'f.json')).toEqual(JSON.parse(json));
      }),
      { numRuns: 300 },
    );
  });
});
