/**
 * Hard edges found by throwing bad inputs at the CLI (issue 8, item 6): each
 * used to exit 3 with a stack, hang, run for ever, or say something
 * misleading. Each must now exit 2 through `main` with one message that names
 * the file, the JSON path or line, the bad value and what was wanted — no
 * stack trace, nothing on stdout, no trace file written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../sim/cli/io.ts';
import { main } from '../sim/cli/main.ts';
import { LIMITS, SCENARIO_LIMITS } from '../sim/scenario/load.ts';
import { DESIGNS } from './support/designs.ts';

const BAD = fileURLToPath(new URL('./fixtures/bad/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'locksim-edges-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), isTTY: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A stack frame line, as an internal error prints it. */
const STACK_LINE = /^\s+at /m;

/** Runs `run FILE --json --trace T` and asserts a clean exit 2: one message on stderr, nothing on stdout, no trace file. */
async function refusedRun(file: string, extra: string[] = []): Promise<string> {
  const trace = join(tmp, `trace-${Math.abs(hashOf(file + extra.join(' ')))}.txt`);
  const out = await cli(['run', file, '--json', '--trace', trace, ...extra]);
  expect(out.code, out.stderr).toBe(2);
  expect(out.stdout).toBe('');
  expect(out.stderr).not.toMatch(STACK_LINE);
  expect(out.stderr).not.toMatch(/internal error/);
  expect(existsSync(trace)).toBe(false);
  return out.stderr;
}

/** Runs `check` and asserts a clean exit 2 with nothing on stdout. */
async function refusedCheck(args: string[]): Promise<string> {
  const out = await cli(['check', ...args]);
  expect(out.code, out.stderr).toBe(2);
  expect(out.stdout).toBe('');
  expect(out.stderr).not.toMatch(STACK_LINE);
  return out.stderr;
}

function hashOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

function write(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

describe('exit 3 became exit 2', () => {
  it('a design named "constructor" (the registry is a Map: no prototype name is a design)', async () => {
    const file = join(BAD, 'constructor-design.json');
    expect(await refusedRun(file)).toBe(`locksim: ${file}: designs[0]: unknown design "constructor"; expected one of redis, redlock, raft-lock, zookeeper, cas\n`);
    expect(DESIGNS.get('constructor')).toBeUndefined();
    expect(DESIGNS.get('toString')).toBeUndefined();
    expect(DESIGNS.get('__proto__')).toBeUndefined();
  });

  it('config for a design named "toString", and --design constructor', async () => {
    const file = join(BAD, 'tostring-config.json');
    expect(await refusedRun(file)).toBe(`locksim: ${file}: config.toString: unknown design "toString"; expected one of redis, redlock, raft-lock, zookeeper, cas\n`);
    const valid = write('valid.json', JSON.stringify({ designs: ['redis'], duration: '2s' }));
    expect(await refusedRun(valid, ['--design', 'constructor'])).toMatch(/^locksim: (.*: )?--design: unknown design "constructor"; expected one of redis/);
  });

  it('a YAML alias bomb ("Excessive alias count") names the file', async () => {
    const file = join(BAD, 'alias-bomb.yaml');
    expect(await refusedRun(file)).toBe(
      `locksim: ${file}: YAML aliases expand too far (an "alias bomb": anchors whose aliases nest exponentially); expected aliases that expand to at most 100× the document\n`,
    );
  });

  it('a 5,000-deep value in a JSON scenario is refused at its line, not crashed on while printing', async () => {
    const file = write('deep.json', `{"designs": ["redis"],\n"name": ${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(await refusedRun(file)).toBe(`locksim: ${file}: line 2: JSON error at column 40: values nested more than ${LIMITS.nesting} levels deep; expected at most ${LIMITS.nesting}\n`);
  });

  it('a deep value in a YAML scenario: refused at its JSON path, or in the text before the YAML reader recurses into it', async () => {
    const shallow = write('deep.yaml', `designs: [redis]\nname: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    expect(await refusedRun(shallow)).toBe(
      `locksim: ${shallow}: name[0][0][0][0][0]… (${LIMITS.nesting} levels): values nested more than ${LIMITS.nesting} levels deep; expected at most ${LIMITS.nesting} (no scenario field nests deeper than 5)\n`,
    );
    const deep = write('deeper.yaml', `designs: [redis]\nname: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expect(await refusedRun(deep)).toBe(`locksim: ${deep}: line 2: YAML nested too deeply at column 135 (more than 128 brackets open); expected at most ${LIMITS.nesting} levels\n`);
    const dashes = write('dashes.yaml', `designs: [redis]\ndescription:\n  ${'- '.repeat(3000)}x\n`);
    expect(await refusedRun(dashes)).toBe(`locksim: ${dashes}: line 3: YAML nested too deeply at column 1 (more than 128 nested "- " indicators on one line); expected at most ${LIMITS.nesting} levels\n`);
  });

  it('a YAML value that contains itself (an alias inside its own anchor)', async () => {
    const file = write('cycle.yaml', 'designs: [redis]\ndescription: &d [*d]\n');
    expect(await refusedRun(file)).toBe(`locksim: ${file}: description[0]: contains itself (a YAML alias inside its own anchor); expected a finite value\n`);
  });

  it('a 5,000-deep line in a check history is printed bounded, and a deep input is refused', async () => {
    const deep = write('deep.jsonl', `${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expect(await refusedCheck([deep, '--model', 'mutex'])).toBe(
      `locksim check: ${deep}: line 1: expected an operation object like {"process": 1, "call": 0, "return": 5, "f": "read", "input": null, "output": 3}, got [[[[…]]]]\n`,
    );
    const input = write('deep-input.jsonl', `{"process": 1, "call": 0, "return": 1, "f": "write", "input": ${'['.repeat(5000)}${']'.repeat(5000)}}\n`);
    expect(await refusedCheck([input, '--model', 'register'])).toBe(
      `locksim check: ${input}: line 1: values nested more than 32 levels deep; expected an operation whose input and output are values like 3, [1, 2] or {"token": 4}\n`,
    );
  });
});

describe('caps with documented maxima', () => {
  const cases: Array<[string, string]> = [
    ['huge-duration.json', 'duration: expected at most 24h (the longest locksim simulates exactly and in reasonable time), got "1000h"'],
    ['duration-1e308.json', 'duration: expected at most 24h (the longest locksim simulates exactly and in reasonable time), got 1e+308'],
    [
      'huge-drift-rate.json',
      'faults[0].rate: expected a number from -0.99 to 100 (a drift rate: the clock runs at (1 + rate)× true speed, from a hundredth of it to 101×), got 1e+300',
    ],
    ['huge-clients.json', 'workload.clients: expected at most 10000 (each client is a simulated node with its own timers and history), got 1000000000'],
    ['heartbeat-1us.json', 'config.raft-lock.heartbeat: expected at least 1ms (1ms to 24h); a shorter timer fires thousands of times per simulated second; got "1us"'],
    ['ticktime-1us.json', 'config.zookeeper.tickTime: expected at least 1ms (1ms to 24h); a shorter timer fires thousands of times per simulated second; got "1us"'],
  ];
  it.each(cases)('%s', async (name, message) => {
    const file = join(BAD, name);
    expect(await refusedRun(file)).toBe(`locksim: ${file}: ${message}\n`);
  });

  it('accepts every cap exactly, and refuses one past it', async () => {
    const at = (extra: Record<string, unknown>): string => write(`cap-${hashOf(JSON.stringify(extra))}.json`, JSON.stringify({ designs: ['redis'], ...extra }));
    const { parseScenario } = await import('./support/designs.ts');
    expect(parseScenario({ designs: ['redis'], duration: '24h', workload: { clients: 10_000 } }, 'x.json').durationUs).toBe(LIMITS.durationUs);
    expect(() => parseScenario({ designs: ['redis'], faults: [{ at: '1s', kind: 'clock-drift', target: 's1', rate: 100 }] }, 'x.json')).not.toThrow();
    expect(() => parseScenario({ designs: ['redis'], faults: [{ at: '1s', kind: 'clock-drift', target: 's1', rate: -0.99 }] }, 'x.json')).not.toThrow();
    expect(() => parseScenario({ designs: ['raft-lock'], config: { 'raft-lock': { heartbeat: '1ms', electionTimeout: { min: '2ms', max: '3ms' } } } }, 'x.json')).not.toThrow();
    expect(await refusedRun(at({ duration: 86_400_001 }))).toMatch(/duration: expected at most 24h/);
    expect(await refusedRun(at({ workload: { clients: 10_001 } }))).toMatch(/workload\.clients: expected at most 10000/);
    expect(await refusedRun(at({ workload: { permits: 10_001 } }))).toMatch(/workload\.permits: expected at most 10000/);
    expect(await refusedRun(at({ faults: [{ at: '1s', kind: 'clock-drift', target: 's1', rate: -0.995 }] }))).toMatch(/faults\[0\]\.rate: expected a number from -0\.99 to 100/);
    expect(await refusedRun(at({ faults: [{ at: '1s', kind: 'clock-jump', target: 's1', by: '-9000h' }] }))).toMatch(/faults\[0\]\.by: expected at most 8784h either way/);
    expect(await refusedRun(at({ config: { redis: { ttl: '25h' } } }))).toMatch(/config\.redis\.ttl: expected at most 24h \(1ms to 24h\)/);
    expect(await refusedRun(at({ workload: { hold: '100000h' } }))).toMatch(/workload\.hold: expected at most 24h/);
  });

  it('documents every cap where `list` and the README can show them', () => {
    expect(SCENARIO_LIMITS.map((l) => `${l.field}: ${l.limit}`)).toEqual([
      'duration, livenessWithin, every duration field: at most 24h',
      'faults[].by (clock-jump): at most 8784h either way',
      'workload.clients, workload.permits: 1 to 10000',
      'faults[].rate (clock-drift): -0.99 to 100',
      'any value: nested at most 32 levels',
    ]);
    // Every timer knob of every design states its range in its documentation.
    const timers: Record<string, string[]> = {
      redis: ['ttl', 'failoverAfter', 'retryDelay', 'retryJitter'],
      redlock: ['ttl', 'requestTimeout', 'retryDelay', 'retryJitter', 'restartDelay'],
      'raft-lock': ['electionTimeout', 'heartbeat', 'sessionTtl', 'keepAlive'],
      zookeeper: ['sessionTimeout', 'tickTime', 'electionTimeout', 'heartbeat'],
      cas: ['failoverAfter', 'backoff'],
    };
    for (const [design, knobs] of Object.entries(timers)) {
      for (const knob of knobs) {
        const info = DESIGNS.get(design)!.knobs.find((k) => k.name === knob);
        expect(info?.meaning, `${design}.${knob}`).toMatch(/(1ms|0s) to 24h/);
      }
    }
  });
});

describe('misleading messages', () => {
  it('a JSON syntax error is reported at its line and column, not at the end of the file', async () => {
    const file = join(BAD, 'syntax-mid-file.json');
    expect(await refusedRun(file)).toBe(
      `locksim: ${file}: line 4: JSON syntax error at column 51: unexpected "tru"; expected a value (an object, a list, a "string", a number, true, false or null)\n`,
    );
    const missingComma = write('missing-comma.json', '{\n  "designs": ["redis"]\n  "seed": 1\n}\n');
    expect(await refusedRun(missingComma)).toBe(`locksim: ${missingComma}: line 3: JSON syntax error at column 3: unexpected '"' (the start of a string); expected "," or "}" after a field's value (or a missing comma)\n`);
    const unclosed = write('unclosed.json', '{\n  "designs": ["redis"],\n  "name": "oops\n}\n');
    expect(await refusedRun(unclosed)).toBe(`locksim: ${unclosed}: line 3: JSON syntax error at column 16: a line break inside a string (is a closing quote missing?)\n`);
  });

  it('a UTF-8 byte-order mark is accepted by run, as by check', async () => {
    const file = write('bom.json', `\uFEFF${JSON.stringify({ designs: ['redis'], duration: '3s', workload: { clients: 1, sections: 1 } })}`);
    const out = await cli(['run', file, '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ scenario: 'bom' });
    const yaml = write('bom.yaml', '\uFEFFdesigns: [redis]\nduration: 3s\nworkload: {clients: 1, sections: 1}\n');
    expect((await cli(['run', yaml, '--json'])).code).toBe(0);
    const history = write('bom.jsonl', '\uFEFF{"process": 1, "call": 0, "return": 1, "f": "acquire", "output": true}\n');
    expect((await cli(['check', history, '--model', 'mutex', '--json'])).code).toBe(0);
  });

  it('/dev/null and a FIFO are "not a regular file", not "a directory"', async () => {
    expect(await refusedRun('/dev/null')).toBe('locksim: /dev/null: is a character device (such as /dev/null), not a regular file; expected a scenario file (.json, .yaml or .yml)\n');
    expect(await refusedRun(tmp)).toBe(`locksim: ${tmp}: is a directory, not a regular file; expected a scenario file (.json, .yaml or .yml)\n`);
    const fifo = join(tmp, 'pipe.json');
    if (spawnSync('mkfifo', [fifo]).status === 0) {
      expect(await refusedRun(fifo)).toBe(`locksim: ${fifo}: is a FIFO (named pipe), not a regular file; expected a scenario file (.json, .yaml or .yml)\n`);
    }
  });

  it('a YAML merge key (<<: *anchor) is supported', async () => {
    const file = write(
      'merge.yaml',
      ['designs: [redis]', 'duration: 5s', 'faults:', '  - &pause {at: 1s, kind: pause, target: c1, duration: 500ms}', '  - <<: *pause', '    at: 3s', ''].join('\n'),
    );
    const out = await cli(['run', file, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const { loadScenarioFile } = await import('./support/designs.ts');
    expect(loadScenarioFile(file).faults.map((f) => [f.kind, f.trigger])).toEqual([
      ['pause', { kind: 'at', atUs: 1_000_000 }],
      ['pause', { kind: 'at', atUs: 3_000_000 }],
    ]);
  });

  it('1e400 is "a number too large", not "got null"', async () => {
    const file = join(BAD, 'number-too-large.json');
    expect(await refusedRun(file)).toBe(`locksim: ${file}: seed: expected a whole number, got a number too large (beyond ±1.8e308)\n`);
    const rate = write('inf-rate.yaml', 'designs: [redis]\nfaults:\n  - {at: 1s, kind: clock-drift, target: s1, rate: .inf}\n');
    expect(await refusedRun(rate)).toMatch(/faults\[0\]\.rate: expected a number, got a number too large \(beyond ±1\.8e308\)\n$/);
    const knob = write('inf-knob.json', '{"designs": ["redlock"], "config": {"redlock": {"driftFactor": -1e400}}}');
    expect(await refusedRun(knob)).toMatch(/config\.redlock\.driftFactor: expected a number, got a number too large \(beyond ±1\.8e308\)\n$/);
  });

  it('redis servers: 3 without replicas says to set replicas: 2 (not "expected 1 or 1")', async () => {
    const file = join(BAD, 'redis-servers.json');
    expect(await refusedRun(file)).toBe(
      `locksim: ${file}: config.redis.servers: redis runs one primary (s1) plus "replicas" (0 here), so "servers": 3 needs "replicas": 2 (servers may then be left out); or use "servers": 1\n`,
    );
    const withReplicas = write('redis-servers-replicas.json', JSON.stringify({ designs: ['redis'], config: { redis: { servers: 5, replicas: 2 } } }));
    expect(await refusedRun(withReplicas)).toMatch(/so servers must be 1 or 3; got 5: for 5 servers set "replicas": 4, or leave "servers" out\n$/);
  });

  it('a duplicate JSON key is refused, naming the key and both lines (as YAML refuses its duplicates)', async () => {
    const file = join(BAD, 'duplicate-key.json');
    expect(await refusedRun(file)).toBe(`locksim: ${file}: line 5: JSON error at column 3: duplicate key "seed" (first given on line 3); a key may appear once in an object\n`);
    const nested = write('dup-nested.json', '{"designs": ["redis"], "workload": {"clients": 2, "clients": 3}}');
    expect(await refusedRun(nested)).toMatch(/line 1: JSON error at column 51: duplicate key "clients" \(first given on line 1\)/);
    const yaml = write('dup.yaml', 'designs: [redis]\nseed: 1\nseed: 2\n');
    expect(await refusedRun(yaml)).toMatch(/dup\.yaml: line 3: YAML syntax error .*Map keys must be unique/);
  });

  it('check on an empty file, or /dev/null, is "no operations" with exit 2 (not linearizable with exit 0)', async () => {
    const empty = write('empty.jsonl', '');
    expect(await refusedCheck([empty, '--model', 'mutex'])).toBe(
      `locksim check: ${empty}: no operations; expected a history with at least one operation (is the file empty, or the wrong file?)\n`,
    );
    const blank = write('blank.log', '\n\n   \n');
    expect(await refusedCheck([blank, '--format', 'porcupine-etcd'])).toMatch(/blank\.log: no operations/);
    expect(await refusedCheck(['/dev/null', '--model', 'mutex'])).toMatch(/^locksim check: \/dev\/null: no operations/);
  });
});

describe('the scenario loader is strict JSON, not a different JSON', () => {
  it('reads every valid document exactly as JSON.parse does (including "__proto__" as a plain field)', async () => {
    const { parseScenarioText } = await import('../sim/scenario/load.ts');
    const texts = [
      '{"a": [1, -2.5e3, 0, true, false, null, "x\\n\\u00e9\\"\\\\"], "b": {}, "c": []}',
      ' \n\t{"__proto__": {"polluted": 1}, "e": "\\ud83d\\ude00"}\r\n',
      '[1e400, -0, 0.5E-3]',
    ];
    for (const text of texts) expect(parseScenarioText(text, 'x.json')).toEqual(JSON.parse(text));
    const proto = parseScenarioText('{"__proto__": {"polluted": 1}}', 'x.json') as Record<string, unknown>;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
