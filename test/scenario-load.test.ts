/**
 * The scenario loader (SPEC §3): defaults, normalisation, and an error for
 * every kind of bad input that names the file, the JSON path and what was
 * wanted. Uses the real design registry (redis, redlock) for knob checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../sim/scenario/errors.ts';
import { listBuiltinScenarios } from '../sim/scenario/load.ts';
import { loadScenarioFile, parseScenario } from './support/designs.ts';

const BAD = new URL('./fixtures/bad/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'locksim-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The InputError message parseScenario throws for `raw`, or fails the test. */
function errorOf(raw: unknown, source = 'bad.json', options = {}): string {
  try {
    parseScenario(raw, source, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

function fileErrorOf(file: string): InputError {
  try {
    loadScenarioFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`expected ${file} to be refused`);
}

const base = { designs: ['redis', 'redlock'] };
const withFault = (fault: Record<string, unknown>): unknown => ({ ...base, faults: [fault] });

describe('defaults', () => {
  it('fills in every SPEC §3 default', () => {
    const s = parseScenario({ designs: ['redis'] }, 'dir/my-scenario.json');
    expect(s.name).toBe('my-scenario');
    expect(s.description).toBe('');
    expect(s.source).toBe('dir/my-scenario.json');
    expect(s.seed).toBe(1);
    expect(s.durationUs).toBe(60_000_000);
    expect(s.livenessWithinUs).toBe(30_000_000);
    expect(s.network).toEqual({ latencyUs: { minUs: 1_000, maxUs: 5_000 }, loss: 0, duplicate: 0 });
    expect(s.workload).toEqual({
      clients: 3,
      sections: 20,
      holdUs: { minUs: 2_000_000, maxUs: 2_000_000 },
      thinkUs: { minUs: 500_000, maxUs: 500_000 },
      staggerUs: 0,
      acquireTimeoutUs: 5_000_000,
      fencing: 'none',
      checkBeforeWrite: false,
      permits: 1,
    });
    expect(s.faults).toEqual([]);
    expect(s.expect).toEqual({});
    expect(s.config).toEqual({});
  });

  it('normalises the SPEC §3 example (designs limited to redis and redlock)', () => {
    const s = parseScenario(
      {
        name: 'gc-pause-holder',
        description: 'holder pauses longer than its lease, then writes',
        seed: 7,
        duration: '2m',
        designs: ['redis', 'redlock'],
        config: { redlock: { servers: 5, ttl: '10s' } },
        network: { latency: { min: '1ms', max: '5ms' }, loss: 0.01, duplicate: 0 },
        workload: { clients: 3, sections: 20, hold: { min: '1s', max: '3s' }, think: 250, acquireTimeout: '5s', fencing: 'writes', permits: 1 },
        faults: [
          { on: { event: 'acquired', node: 'c1', nth: 1 }, delay: '100ms', kind: 'pause', target: 'c1', duration: '15s' },
          { at: '5s', kind: 'clock-jump', target: 's3', by: '-20s' },
          { at: '5s', kind: 'partition', shape: 'isolate', target: 'leader', duration: '3s' },
          { at: '7s', kind: 'crash', target: 's2', restartAfter: '2s' },
          { at: '8s', kind: 'partition', groups: [['c1', 'leader'], ['others', 'store']] },
          { at: '9s', kind: 'partition', cut: [['c1', 's4'], ['c2', 'servers']], oneWay: true, duration: '1s' },
          { at: '10s', kind: 'network', loss: 0.5, delay: '20ms', duration: '2s' },
          { on: { event: 'granted', node: 's1', delay: '1s' }, kind: 'network', duplicate: 0.1, delay: '5ms' },
          { at: '11s', kind: 'clock-drift', target: 'servers', rate: -0.5 },
          { at: '12s', kind: 'heal' },
        ],
        expect: { redlock: { mutualExclusion: false, fencing: null }, redis: { resource: true } },
      },
      'gc.json',
    );
    expect(s.seed).toBe(7);
    expect(s.durationUs).toBe(120_000_000);
    expect(s.workload.holdUs).toEqual({ minUs: 1_000_000, maxUs: 3_000_000 });
    expect(s.workload.thinkUs).toEqual({ minUs: 250_000, maxUs: 250_000 });
    expect(s.network.loss).toBe(0.01);
    expect(s.config).toEqual({ redlock: { servers: 5, ttl: '10s' } });
    expect(s.faults[0]).toEqual({
      index: 0,
      kind: 'pause',
      target: 'c1',
      durationUs: 15_000_000,
      trigger: { kind: 'on', event: 'acquired', node: 'c1', nth: 1, delayUs: 100_000 },
    });
    expect(s.faults[1]).toMatchObject({ kind: 'clock-jump', byUs: -20_000_000, trigger: { kind: 'at', atUs: 5_000_000 } });
    expect(s.faults[2]).toMatchObject({ kind: 'partition', shape: 'isolate', target: 'leader', durationUs: 3_000_000, oneWay: false });
    expect(s.faults[3]).toMatchObject({ kind: 'crash', target: 's2', restartAfterUs: 2_000_000, durable: 'fsynced' });
    expect(s.faults[4]).toMatchObject({ kind: 'partition', shape: undefined, groups: [['c1', 'leader'], ['others', 'store']], durationUs: undefined });
    expect(s.faults[5]).toMatchObject({ kind: 'partition', cut: [['c1', 's4'], ['c2', 'servers']], oneWay: true });
    expect(s.faults[6]).toMatchObject({ kind: 'network', loss: 0.5, duplicate: 0, delayUs: 20_000, durationUs: 2_000_000 });
    // For `network` the top-level `delay` is added latency; the trigger's delay lives in `on.delay`.
    expect(s.faults[7]).toMatchObject({ kind: 'network', delayUs: 5_000, trigger: { kind: 'on', event: 'granted', node: 's1', nth: 1, delayUs: 1_000_000 } });
    expect(s.faults[8]).toMatchObject({ kind: 'clock-drift', rate: -0.5, durationUs: undefined });
    expect(s.faults[9]).toEqual({ index: 9, kind: 'heal', trigger: { kind: 'at', atUs: 12_000_000 } });
    expect(s.expect).toEqual({ redlock: { mutualExclusion: false, fencing: null }, redis: { resource: true } });
  });
});

describe('errors name the file, the JSON path and what was wanted', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['unknown top-level field', { ...base, sead: 3 }, 'bad.json: sead', /unknown field "sead" in a scenario \(did you mean "seed"\?\)/],
    ['unknown workload field', { ...base, workload: { holdd: '1s' } }, 'bad.json: workload.holdd', /did you mean "hold"/],
    ['unknown field in a fault', withFault({ at: '1s', kind: 'crash', target: 's1', duration: '1s' }), 'bad.json: faults[0].duration', /unknown field "duration" in a crash fault; expected one of: .*restartAfter/],
    ['unknown field in a range', { ...base, network: { latency: { min: '1ms', mx: '2ms' } } }, 'bad.json: network.latency.mx', /unknown field "mx"/],
    ['wrong type', { ...base, workload: { clients: 'three' } }, 'bad.json: workload.clients', /expected a whole number, got "three"/],
    ['not an object', [], 'bad.json: (top level)', /expected a scenario object, got \[\]/],
    ['designs missing', {}, 'bad.json: designs', /missing; expected a non-empty list/],
    ['designs empty', { designs: [] }, 'bad.json: designs', /at least one design/],
    ['design listed twice', { designs: ['redis', 'redis'] }, 'bad.json: designs[1]', /listed twice/],
    ['unknown design', { designs: ['redis', 'mongo-lock'] }, 'bad.json: designs[1]', /unknown design "mongo-lock"; expected one of .*redis/],
    ['unknown knob', { designs: ['redis'], config: { redis: { ttll: '10s' } } }, 'bad.json: config.redis.ttll', /unknown knob/],
    ['bad knob value', { designs: ['redlock'], config: { redlock: { ttl: 'soon' } } }, 'bad.json: config.redlock.ttl', /expected a duration/],
    ['bad per-design permits', { designs: ['redis'], config: { redis: { permits: 0 } } }, 'bad.json: config.redis.permits', /whole number >= 1, got 0/],
    ['config for an unlisted design', { designs: ['redis'], config: { redlock: {} } }, 'bad.json: config.redlock', /not in "designs"/],
    ['config for an unknown design', { designs: ['redis'], config: { etcd3: {} } }, 'bad.json: config.etcd3', /unknown design "etcd3"/],
    ['negative duration', { ...base, workload: { hold: '-1s' } }, 'bad.json: workload.hold', /expected a non-negative duration, got "-1s"/],
    ['negative range end', { ...base, workload: { think: { min: '-1s', max: '1s' } } }, 'bad.json: workload.think.min', /non-negative duration/],
    ['range max below min', { ...base, workload: { hold: { min: '2s', max: '1s' } } }, 'bad.json: workload.hold', /max >= min/],
    ['zero scenario duration', { ...base, duration: '0s' }, 'bad.json: duration', /positive duration/],
    ['null is not a default', { ...base, duration: null }, 'bad.json: duration', /expected a duration .*, got null/],
    ['malformed duration', { ...base, duration: '10 parsecs' }, 'bad.json: duration', /expected a duration such as "250ms"/],
    ['probability above 1', { ...base, network: { loss: 1.5 } }, 'bad.json: network.loss', /probability between 0 and 1, got 1.5/],
    ['bad fencing mode', { ...base, workload: { fencing: 'reads' } }, 'bad.json: workload.fencing', /one of "none", "writes", "reads-and-writes"/],
    ['fault target that does not exist', withFault({ at: '1s', kind: 'crash', target: 's9' }), 'bad.json: faults[0].target', /no node "s9" in this scenario \(5 servers.*expected s1..s5, c1..c3/],
    ['client that does not exist', withFault({ at: '1s', kind: 'pause', target: 'c4', duration: '1s' }), 'bad.json: faults[0].target', /no node "c4"/],
    ['store outside a partition', withFault({ at: '1s', kind: 'pause', target: 'store', duration: '1s' }), 'bad.json: faults[0].target', /"store" may be named only in a partition's "groups" or "cut"/],
    ['others outside groups', withFault({ at: '1s', kind: 'partition', cut: [['c1', 'others']] }), 'bad.json: faults[0].cut[0][1]', /"others" may be named only in a partition's "groups"/],
    ['a fault with neither at nor on', withFault({ kind: 'heal' }), 'bad.json: faults[0]', /missing "at" or "on"/],
    ['a fault with both at and on', withFault({ at: '1s', on: { event: 'acquired' }, kind: 'heal' }), 'bad.json: faults[0]', /both "at" and "on"/],
    ['delay with at', withFault({ at: '1s', delay: '1s', kind: 'heal' }), 'bad.json: faults[0].delay', /"on" triggers only/],
    ['at after the end', { ...base, duration: '10s', faults: [{ at: '10s', kind: 'heal' }] }, 'bad.json: faults[0].at', /at or after the scenario's end/],
    ['unknown kind', withFault({ at: '1s', kind: 'meteor' }), 'bad.json: faults[0].kind', /expected one of "pause", "crash"/],
    ['missing kind', withFault({ at: '1s' }), 'bad.json: faults[0].kind', /missing/],
    ['pause without duration', withFault({ at: '1s', kind: 'pause', target: 'c1' }), 'bad.json: faults[0].duration', /a pause fault needs "duration"/],
    ['pause without target', withFault({ at: '1s', kind: 'pause', duration: '1s' }), 'bad.json: faults[0].target', /missing; expected a node/],
    ['negative pause', withFault({ at: '1s', kind: 'pause', target: 'c1', duration: '-5s' }), 'bad.json: faults[0].duration', /positive duration, got "-5s"/],
    ['partition with no form', withFault({ at: '1s', kind: 'partition', duration: '1s' }), 'bad.json: faults[0]', /has none of "shape"/],
    ['partition with two forms', withFault({ at: '1s', kind: 'partition', shape: 'halves', groups: [['c1'], ['others']] }), 'bad.json: faults[0]', /has "shape" and "groups"; expected exactly one/],
    ['isolate without target', withFault({ at: '1s', kind: 'partition', shape: 'isolate' }), 'bad.json: faults[0].target', /"isolate" partition needs a target/],
    ['one-way without target', withFault({ at: '1s', kind: 'partition', shape: 'one-way' }), 'bad.json: faults[0].target', /"one-way" partition needs a target/],
    ['bad shape', withFault({ at: '1s', kind: 'partition', shape: 'donut', target: 's1' }), 'bad.json: faults[0].shape', /expected one of "isolate"/],
    ['oneWay with groups', withFault({ at: '1s', kind: 'partition', groups: [['c1'], ['others']], oneWay: true }), 'bad.json: faults[0].oneWay', /applies to "cut" only/],
    ['one group only', withFault({ at: '1s', kind: 'partition', groups: [['c1']] }), 'bad.json: faults[0].groups', /at least two groups/],
    ['node in two groups', withFault({ at: '1s', kind: 'partition', groups: [['c1'], ['c1', 's1']] }), 'bad.json: faults[0].groups[1][0]', /already in group 0/],
    ['cut link not a pair', withFault({ at: '1s', kind: 'partition', cut: [['c1']] }), 'bad.json: faults[0].cut[0]', /pair of node names/],
    ['network fault with nothing', withFault({ at: '1s', kind: 'network', duration: '1s' }), 'bad.json: faults[0]', /at least one of "loss", "duplicate"/],
    ['network probability', withFault({ at: '1s', kind: 'network', loss: -0.1 }), 'bad.json: faults[0].loss', /probability between 0 and 1/],
    ['drift rate at -1', withFault({ at: '1s', kind: 'clock-drift', target: 's1', rate: -1 }), 'bad.json: faults[0].rate', /expected a number from -0.99 to 100 \(a drift rate: the clock runs at \(1 \+ rate\)× true speed.*got -1$/],
    ['jump without by', withFault({ at: '1s', kind: 'clock-jump', target: 's1' }), 'bad.json: faults[0].by', /a clock-jump fault needs "by"/],
    ['bad durable', withFault({ at: '1s', kind: 'crash', target: 's1', durable: 'some' }), 'bad.json: faults[0].durable', /"all", "fsynced", "none"/],
    ['unknown trigger event', withFault({ on: { event: 'hired' }, kind: 'heal' }), 'bad.json: faults[0].on.event', /expected one of "acquired"/],
    ['trigger nth of 0', withFault({ on: { event: 'acquired', nth: 0 }, kind: 'heal' }), 'bad.json: faults[0].on.nth', /whole number >= 1/],
    ['client event at a server', withFault({ on: { event: 'acquired', node: 's1' }, kind: 'heal' }), 'bad.json: faults[0].on.node', /"acquired" happens at clients/],
    ['server event at a client', withFault({ on: { event: 'elected', node: 'c1' }, kind: 'heal' }), 'bad.json: faults[0].on.node', /"elected" is reported by servers/],
    ['trigger delay twice', withFault({ on: { event: 'acquired', delay: '1s' }, delay: '2s', kind: 'heal' }), 'bad.json: faults[0].delay', /given twice/],
    ['expect for an unlisted design', { designs: ['redis'], expect: { redlock: { safe: true } } }, 'bad.json: expect.redlock', /not in "designs"; expected one of: redis/],
    ['expect unknown check', { designs: ['redis'], expect: { redis: { safety: true } } }, 'bad.json: expect.redis.safety', /unknown field "safety".*expected one of: mutualExclusion, fencing, resource, linearizable, liveness/],
    ['expect non-boolean', { designs: ['redis'], expect: { redis: { resource: 'yes' } } }, 'bad.json: expect.redis.resource', /expected true, false or null, got "yes"/],
    ['negative seed', { ...base, seed: -1 }, 'bad.json: seed', /whole number >= 0/],
    ['fractional clients', { ...base, workload: { clients: 2.5 } }, 'bad.json: workload.clients', /whole number, got 2.5/],
    ['clients above the cap', { ...base, workload: { clients: 10_001 } }, 'bad.json: workload.clients', /expected at most 10000 \(each client is a simulated node/],
    ['duration above the cap', { ...base, duration: '25h' }, 'bad.json: duration', /expected at most 24h .*got "25h"/],
    ['a number too large', { ...base, seed: Infinity }, 'bad.json: seed', /expected a whole number, got a number too large/],
    ['a whole number beyond a double', { ...base, seed: 2 ** 60 }, 'bad.json: seed', /expected at most 9007199254740991 \(the largest whole number a double holds exactly\)/],
    ['a null knob is refused, not defaulted', { designs: ['redis'], config: { redis: { ttl: null } } }, 'bad.json: config.redis.ttl', /expected a duration such as "250ms" or "10s", got null/],
    ['a knob timer below its minimum', { designs: ['redis'], config: { redis: { ttl: '500us' } } }, 'bad.json: config.redis.ttl', /expected at least 1ms \(1ms to 24h\)/],
    ['a deep value', { ...base, description: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown }, 'bad.json: description[0][0][0][0][0]… (32 levels)', /nested more than 32 levels/],
    ['a long bad value is shown shortened', { ...base, name: 'x'.repeat(10_000).split('') }, 'bad.json: name', /got \["x","x",.*\.\.\.$/],
  ];
  it.each(cases)('%s', (_label, raw, prefix, pattern) => {
    const message = errorOf(raw);
    expect(message.startsWith(`${prefix}: `), message).toBe(true);
    expect(message).toMatch(pattern);
  });

  it('widens the valid servers with designs added by --design', () => {
    const raw = { designs: ['redis'], faults: [{ at: '1s', kind: 'crash', target: 's5' }] };
    expect(errorOf(raw)).toMatch(/faults\[0\]\.target: no node "s5" in this scenario \(1 servers/);
    const s = parseScenario(raw, 'x.json', { extraDesigns: ['redlock'] });
    expect(s.designs).toEqual(['redis']);
    expect(s.faults[0]).toMatchObject({ target: 's5' });
    expect(errorOf(raw, 'x.json', { extraDesigns: ['nope'] })).toMatch(/^--design: unknown design "nope"/);
  });

  it('counts servers from the knobs (redlock servers: 3 makes s4 invalid)', () => {
    const raw = { designs: ['redlock'], config: { redlock: { servers: 3 } }, faults: [{ at: '1s', kind: 'crash', target: 's4' }] };
    expect(errorOf(raw)).toMatch(/faults\[0\]\.target: no node "s4" in this scenario \(3 servers/);
  });
});

describe('files', () => {
  const fixtures: Array<[string, string, RegExp]> = [
    ['unknown-field.json', 'workload.holdd', /unknown field "holdd" in workload \(did you mean "hold"\?\)/],
    ['wrong-type.json', 'workload.clients', /expected a whole number, got "three"/],
    ['unknown-design.json', 'designs[1]', /unknown design "mongo-lock"; expected one of/],
    ['unknown-knob.json', 'config.redis.ttll', /unknown knob/],
    ['negative-duration.json', 'faults[0].duration', /expected a positive duration, got "-5s"/],
    ['bad-target.json', 'faults[0].target', /no node "s9"/],
    ['bad-yaml.yaml', 'line 3', /YAML syntax error/],
    ['bad-json.json', 'line 4', /JSON syntax error at column 1/],
  ];
  it.each(fixtures)('%s is refused at %s', (name, where, pattern) => {
    const file = join(BAD, name);
    const error = fileErrorOf(file);
    expect(error.file).toBe(file);
    expect(error.where).toBe(where);
    expect(error.message).toContain(`${file}: ${where}: `);
    expect(error.message).toMatch(pattern);
  });

  it('reads YAML the same as JSON', () => {
    const yamlFile = join(tmp, 'same.yaml');
    writeFileSync(
      yamlFile,
      ['name: same', 'designs: [redis]', 'workload:', '  hold: {min: 1s, max: 2s}', 'faults:', '  - on: {event: acquired, node: c1}', '    kind: pause', '    target: c1', '    duration: 3s', ''].join('\n'),
    );
    const jsonFile = join(tmp, 'same.json');
    writeFileSync(
      jsonFile,
      JSON.stringify({ name: 'same', designs: ['redis'], workload: { hold: { min: '1s', max: '2s' } }, faults: [{ on: { event: 'acquired', node: 'c1' }, kind: 'pause', target: 'c1', duration: '3s' }] }),
    );
    const fromYaml = loadScenarioFile(yamlFile);
    const fromJson = loadScenarioFile(jsonFile);
    expect({ ...fromYaml, source: '' }).toEqual({ ...fromJson, source: '' });
    expect(fromYaml.faults[0]).toMatchObject({ trigger: { kind: 'on', event: 'acquired', node: 'c1', nth: 1, delayUs: 0 } });
  });

  it('refuses a missing file, naming the built-ins', () => {
    const error = fileErrorOf('no-such-scenario-anywhere');
    expect(error.message).toMatch(/^no-such-scenario-anywhere: no such file, and no built-in scenario of that name; built-ins: /);
  });

  it('refuses an unknown extension', () => {
    const file = join(tmp, 'scenario.toml');
    writeFileSync(file, 'designs = ["redis"]\n');
    expect(fileErrorOf(file).message).toMatch(/expected a scenario file ending in .json, .yaml or .yml/);
  });

  it('loads every built-in scenario by name, and each is valid', () => {
    const builtins = listBuiltinScenarios();
    expect(builtins.length).toBeGreaterThan(0);
    for (const builtin of builtins) {
      const scenario = loadScenarioFile(builtin.name);
      expect(scenario.source).toBe(`builtin:${builtin.name}`);
      expect(scenario.designs.length).toBeGreaterThan(0);
      expect(typeof builtin.description).toBe('string');
    }
  });
});
