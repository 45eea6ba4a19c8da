/**
 * The command line (SPEC §2), in-process through `main(argv, io)` and, a few
 * times, as a real `node bin/locksim.js` subprocess: exit codes, messages for
 * bad input, `run --json`'s shape (SPEC §4), `--trace` (to a file, streamed
 * and atomic, or to stdout with `-`), `check -` (stdin), `list`, `bench`,
 * and colours (TTY, NO_COLOR, FORCE_COLOR). More: test/cli-*.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import { MODEL_NAMES } from '../sim/checker/linearizability/models/index.ts';
import { runBench } from '../sim/cli/commands/bench.ts';
import type { CliIo } from '../sim/cli/io.ts';
import { main } from '../sim/cli/main.ts';
import type { RunResult } from '../sim/harness/result.ts';
import { listBuiltinScenarios } from '../sim/scenario/load.ts';
import { FAULT_KINDS } from '../sim/scenario/types.ts';

/** The escape that starts every ANSI colour sequence. */
const ESC = '\u001b[';
const REPO = fileURLToPath(new URL('..', import.meta.url));
const BAD = join(REPO, 'test', 'fixtures', 'bad');
const tmp = mkdtempSync(join(tmpdir(), 'locksim-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** How the in-process CLI's surroundings look. */
interface Surroundings {
  isTTY?: boolean;
  env?: Record<string, string>;
  /** The text on stdin (absent: the io cannot read stdin). */
  stdin?: string;
  /** Receives `stdoutSync` writes (absent: the io has no `stdoutSync`). */
  stdoutSync?: (text: string) => void;
}

/** Runs the CLI in-process and captures what it writes. */
async function cli(args: string[], around: Surroundings = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    isTTY: around.isTTY ?? false,
    env: around.env ?? {},
    ...(around.stdin === undefined ? {} : { readStdin: async () => around.stdin! }),
    ...(around.stdoutSync === undefined ? {} : { stdoutSync: around.stdoutSync }),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A line of the text trace: a design header, or `<seconds> <node> …`. */
const TRACE_LINE = /^(# design \S+, scenario \S+, seed \d+| {0,5}\d+\.\d{6} \S+.*)$/;

/** A small scenario file (fast: 20 simulated seconds, few sections). */
function scenarioFile(name: string, extra: Record<string, unknown> = {}): string {
  const file = join(tmp, `${name}.json`);
  const scenario = {
    name,
    description: 'a short calm run',
    seed: 3,
    duration: '20s',
    designs: ['redis'],
    workload: { clients: 2, sections: 3, hold: '200ms', think: '100ms' },
    faults: [{ at: '2s', kind: 'pause', target: 'c1', duration: '500ms' }],
    ...extra,
  };
  writeFileSync(file, JSON.stringify(scenario, null, 2));
  return file;
}

describe('list', () => {
  it('names every design, fault kind and model', async () => {
    const { code, stdout, stderr } = await cli(['list']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const design of DESIGNS.names.map((name) => DESIGNS.get(name)!)) {
      expect(stdout).toContain(design.name);
      for (const knob of design.knobs) expect(stdout).toContain(knob.name);
    }
    for (const kind of FAULT_KINDS) expect(stdout).toContain(kind);
    for (const model of MODEL_NAMES) expect(stdout).toContain(model);
  });

  it('--json is one document with the same content', async () => {
    const { code, stdout } = await cli(['list', '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { designs: Array<{ name: string }>; faultKinds: string[]; models: string[]; scenarios: unknown[] };
    expect(listed.designs.map((d) => d.name).sort()).toEqual([...DESIGNS.names].sort());
    expect(listed.faultKinds).toEqual([...FAULT_KINDS]);
    expect(listed.models).toEqual([...MODEL_NAMES]);
    expect(Array.isArray(listed.scenarios)).toBe(true);
  });
});

describe('bad input exits 2 with a message naming the file, the path and what was wanted', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown-field.json', 'workload.holdd', /unknown field "holdd" in workload \(did you mean "hold"\?\); expected one of: clients, /],
    ['wrong-type.json', 'workload.clients', /expected a whole number, got "three"/],
    ['unknown-design.json', 'designs[1]', /unknown design "mongo-lock"; expected one of .*redis/],
    ['unknown-knob.json', 'config.redis.ttll', /unknown knob/],
    ['negative-duration.json', 'faults[0].duration', /expected a positive duration, got "-5s"/],
    ['bad-target.json', 'faults[0].target', /no node "s9" in this scenario.*expected s1\.\.s\d+, c1\.\.c3/],
    ['bad-yaml.yaml', 'line 3', /YAML syntax error/],
    ['bad-json.json', 'line 4', /JSON syntax error/],
  ];
  it.each(cases)('%s', async (name, where, pattern) => {
    const file = join(BAD, name);
    const { code, stdout, stderr } = await cli(['run', file, '--json']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`locksim: ${file}: ${where}: `);
    expect(stderr).toMatch(pattern);
  });

  it('an unknown --design', async () => {
    const { code, stdout, stderr } = await cli(['run', scenarioFile('calm'), '--design', 'redis,nope']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^locksim: --design: unknown design "nope"; expected one of /);
  });

  it('a --seed that is not a whole number', async () => {
    const { code, stderr } = await cli(['run', scenarioFile('calm'), '--seed', 'abc']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--seed <n>.*'abc' is invalid\. expected a whole number >= 0/);
  });

  it('a missing scenario, and nothing is written', async () => {
    const trace = join(tmp, 'never.trace');
    const { code, stderr } = await cli(['run', join(tmp, 'missing.json'), '--trace', trace]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing\.json: no such file, and no built-in scenario of that name/);
    expect(existsSync(trace)).toBe(false);
  });

  it('a trace path in a folder that does not exist, refused before running', async () => {
    const { code, stderr } = await cli(['run', scenarioFile('calm'), '--trace', join(tmp, 'nope', 'x.trace')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--trace: cannot write .*folder .* does not exist/);
  });

  it('an unknown command and a missing argument', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    const missing = await cli(['run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'scenario'/);
  });
});

describe('run', () => {
  it('--json prints exactly one RunResult document in SPEC §4 shape', async () => {
    const { code, stdout, stderr } = await cli(['run', scenarioFile('calm'), '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as RunResult;
    expect(result.scenario).toBe('calm');
    expect(result.seed).toBe(3);
    expect(result.results).toHaveLength(1);
    const [r] = result.results;
    expect(r.design).toBe('redis');
    expect(r.traceHash).toMatch(/^[0-9a-f]+$/);
    expect(r.events).toBeGreaterThan(0);
    expect(typeof r.safe).toBe('boolean');
    for (const check of ['mutualExclusion', 'fencing', 'resource', 'linearizable'] as const) {
      const verdict = (r.checks as Record<string, { ok: unknown }>)[check];
      expect(verdict, check).toBeDefined();
      expect([true, false, null, 'unknown']).toContain(verdict.ok);
    }
    for (const metric of ['sections', 'failedAcquires', 'messages', 'unavailableMs'] as const) expect(typeof r.metrics[metric]).toBe('number');
    expect(r.metrics.sections).toBeGreaterThan(0);
    expect(r.expect).toEqual({ met: true, mismatches: [] });
    expect(r.faults[0]).toMatchObject({ index: 0, kind: 'pause', firedAt: 2_000_000, targets: ['c1'] });
  });

  it('--seed overrides the scenario seed, and the same seed gives the same trace hash', async () => {
    const file = scenarioFile('seeded');
    const a = JSON.parse((await cli(['run', file, '--json', '--seed', '42'])).stdout) as RunResult;
    const b = JSON.parse((await cli(['run', file, '--json', '--seed', '42'])).stdout) as RunResult;
    expect(a.seed).toBe(42);
    expect(a.results[0].traceHash).toBe(b.results[0].traceHash);
  });

  it('exits 1 when an expectation differs, and says which', async () => {
    // A calm run keeps mutual exclusion, so expecting a violation must fail.
    const file = scenarioFile('wrong-expect', { expect: { redis: { mutualExclusion: false } } });
    const json = await cli(['run', file, '--json']);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as RunResult;
    expect(result.results[0].expect.met).toBe(false);
    expect(result.results[0].expect.mismatches).toEqual([{ check: 'mutualExclusion', expected: false, actual: true }]);

    const text = await cli(['run', file]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/redis: MISSED: mutualExclusion expected false, got true/);
  });

  it('exits 0 when every expectation held', async () => {
    const file = scenarioFile('right-expect', { expect: { redis: { mutualExclusion: true } } });
    expect((await cli(['run', file, '--json'])).code).toBe(0);
  });

  it('prints a header with the replay command and a table of checks and metrics, plain off a TTY', async () => {
    const file = scenarioFile('table');
    const { code, stdout } = await cli(['run', file]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^scenario table {2}seed 3 {2}designs redis$/);
    expect(stdout).toContain(`replay: npx locksim run ${file} --seed 3\n`);
    for (const row of ['mutualExclusion', 'fencing', 'resource', 'linearizable', 'sections', 'acquire p50', 'acquire p99', 'failed acquires', 'messages', 'unavailable']) {
      expect(stdout).toMatch(new RegExp(`│ ${row} +│`));
    }
    expect(stdout).toMatch(/#0 pause at 2s on c1: /);
    expect(stdout).toMatch(/redis: no expectations/);
    expect(stdout).not.toContain(ESC);
  });

  it('colours on a TTY', async () => {
    const { stdout } = await cli(['run', scenarioFile('tty')], { isTTY: true });
    expect(stdout).toContain(ESC);
  });

  it('--trace writes one line per event, with a header per design and no temp file left', async () => {
    const file = scenarioFile('traced', { designs: ['redis', 'redlock'] });
    const trace = join(tmp, 'traced.trace');
    const { code, stdout } = await cli(['run', file, '--trace', trace]);
    expect(code).toBe(0);
    expect(stdout).toContain(`trace written to ${trace}`);
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('# design ')).map((l) => l.split(/[ ,]/)[2])).toEqual(['redis', 'redlock']);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).toMatch(TRACE_LINE);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the trace says where each client starts and stops believing it holds the lock', async () => {
    const trace = join(tmp, 'beliefs.trace');
    // Two clients × three sections, every one released: six beliefs begun and ended, in pairs per client.
    const file = scenarioFile('beliefs', { faults: [] });
    expect((await cli(['run', file, '--trace', trace])).code).toBe(0);
    const lines = readFileSync(trace, 'utf8').split('\n');
    const holds = lines.filter((l) => / c\d+ # holds the lock \(token \d+\)$/.test(l));
    const stops = lines.filter((l) => / c\d+ # stops holding: released$/.test(l));
    expect(holds).toHaveLength(6);
    expect(stops).toHaveLength(6);
    // Each client alternates holds / stops, beginning with holds.
    for (const client of ['c1', 'c2']) {
      const mine = lines.filter((l) => l.includes(` ${client} # `)).map((l) => (l.includes('holds the lock') ? 'holds' : 'stops'));
      expect(mine).toEqual(['holds', 'stops', 'holds', 'stops', 'holds', 'stops']);
    }
  });

  it('the trace notes a lost lock with its reason', async () => {
    // gc-pause on redis: c1 pauses 15 s past its 10 s TTL and learns it lost the lock.
    const trace = join(tmp, 'lost.trace');
    expect((await cli(['run', 'gc-pause', '--design', 'redis', '--trace', trace])).code).toBe(0);
    expect(readFileSync(trace, 'utf8')).toMatch(/ c1 # stops holding: (lost|gave up): .+\n/);
  });

  it('the trace notes do not change the trace hash', async () => {
    const file = scenarioFile('hash-with-trace', { designs: ['redis', 'redlock'] });
    const plain = JSON.parse((await cli(['run', file, '--json'])).stdout) as RunResult;
    const traced = JSON.parse((await cli(['run', file, '--json', '--trace', join(tmp, 'hash.trace')])).stdout) as RunResult;
    expect(traced.results.map((r) => r.traceHash)).toEqual(plain.results.map((r) => r.traceHash));
  });

  it('--trace - puts only the trace on stdout and the table on stderr', async () => {
    const { code, stdout, stderr } = await cli(['run', scenarioFile('to-stdout', { designs: ['redis', 'redlock'] }), '--trace', '-']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('# design redis, scenario to-stdout, seed 3');
    for (const line of lines) expect(line).toMatch(TRACE_LINE);
    expect(stdout).toMatch(/ c1 # holds the lock/);
    expect(stderr).toMatch(/^scenario to-stdout {2}seed 3/);
    expect(stderr).toMatch(/│ mutualExclusion +│/);
    expect(stderr).not.toContain('trace written');
    expect(existsSync(join(process.cwd(), '-'))).toBe(false);
  });

  it('--trace - streams through stdoutSync in chunks as the run goes', async () => {
    const chunks: string[] = [];
    const { code, stdout } = await cli(['run', 'gc-pause', '--design', 'redis', '--trace', '-'], { stdoutSync: (s) => chunks.push(s) });
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(chunks.length).toBeGreaterThan(2);
    // Chunks of about 64 KiB (a chunk ends at a line end), not one string at the end.
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(64 * 1024 + 4096);
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    expect(chunks.join('').split('\n')[0]).toBe('# design redis, scenario gc-pause, seed 1');
  });

  it('--trace - with --json is refused (exit 2) before anything runs', async () => {
    const { code, stdout, stderr } = await cli(['run', scenarioFile('both'), '--trace', '-', '--json']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^locksim: --trace: the trace cannot go to stdout \(-\) together with --json/);
  });

  it('a failed run leaves an older trace file as it was, and no temp file', async () => {
    const trace = join(tmp, 'kept.trace');
    writeFileSync(trace, 'old trace\n');
    const { code } = await cli(['run', join(BAD, 'unknown-knob.json'), '--trace', trace]);
    expect(code).toBe(2);
    expect(readFileSync(trace, 'utf8')).toBe('old trace\n');
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--report writes the HTML report; bad input writes none', async () => {
    const report = join(tmp, 'r.html');
    const { code, stderr } = await cli(['run', scenarioFile('reported'), '--report', report]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/report written to /);
    expect(readFileSync(report, 'utf8')).toMatch(/data-run="reported\//);
    const never = join(tmp, 'never.html');
    const bad = await cli(['run', join(tmp, 'no-such-scenario.json'), '--report', never]);
    expect(bad.code).toBe(2);
    expect(existsSync(never)).toBe(false);
  });

  it('runs a built-in scenario by name, exiting 0 because its expectations hold', async () => {
    // gc-pause expects of redis mutualExclusion false, resource and fencing true,
    // and with seed 1 it gets exactly that (test/golden pins the run): exit 0.
    expect(listBuiltinScenarios().map((s) => s.name)).toContain('gc-pause');
    const { code, stdout, stderr } = await cli(['run', 'gc-pause', '--design', 'redis', '--seed', '1']);
    expect(stderr).toBe('');
    expect(stdout).toContain('replay: npx locksim run gc-pause --seed 1 --design redis\n');
    expect(stdout).toMatch(/redis: met\n/);
    expect(code).toBe(0);
    const json = await cli(['run', 'gc-pause', '--design', 'redis', '--seed', '1', '--json']);
    const result = JSON.parse(json.stdout) as RunResult;
    expect(result.results.map((r) => [r.design, r.checks.mutualExclusion?.ok, r.checks.resource?.ok, r.checks.fencing?.ok, r.expect.met])).toEqual([['redis', false, true, true, true]]);
    expect(json.code).toBe(0);
  });

  it('--design picks designs, including one the file does not list', async () => {
    const file = scenarioFile('picked', { designs: ['redis', 'redlock'] });
    const only = JSON.parse((await cli(['run', file, '--json', '--design', 'redlock'])).stdout) as RunResult;
    expect(only.results.map((r) => r.design)).toEqual(['redlock']);
    const added = JSON.parse((await cli(['run', scenarioFile('added'), '--json', '--design', 'redlock,redis'])).stdout) as RunResult;
    expect(added.results.map((r) => r.design)).toEqual(['redlock', 'redis']);
  });
});

describe('check', () => {
  const etcd = (n: string): string => join(REPO, 'test', 'fixtures', 'porcupine', 'test_data', 'jepsen', `etcd_${n}.log`);
  it('hands histories to runCheck and returns its verdict as the exit code', async () => {
    // EXPECTED.tsv: etcd_002 is linearizable, etcd_000 is not.
    const ok = await cli(['check', etcd('002'), '--format', 'porcupine-etcd', '--json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { ok: unknown }).ok).toBe(true);
    const bad = await cli(['check', etcd('000'), '--format', 'porcupine-etcd', '--json']);
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.stdout) as { ok: unknown }).ok).toBe(false);
  });

  const granted = '{"process": 1, "call": 0, "return": 10, "f": "acquire", "output": {"token": 1}}';
  const twice = `${granted}\n{"process": 2, "call": 20, "return": 30, "f": "acquire", "output": {"token": 2}}\n`;

  it('check - reads the history from stdin', async () => {
    const ok = await cli(['check', '-', '--model', 'fenced-mutex', '--json'], { stdin: `${granted}\n` });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ file: '-', ok: true, ops: 1 });
    // Two grants with no release between them: not linearizable, exit 1, and the text names stdin.
    const bad = await cli(['check', '-', '--model', 'fenced-mutex'], { stdin: twice });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^✗ stdin: NOT linearizable/);
  });

  it('check - recognises a Jepsen etcd log on stdin by its content', async () => {
    const text = readFileSync(etcd('000'), 'utf8');
    const { code, stdout } = await cli(['check', '-', '--json'], { stdin: text });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ file: '-', ok: false });
  });

  it('check - beside files, and refused twice or where stdin cannot be read', async () => {
    const both = await cli(['check', etcd('002'), '-', '--json'], { stdin: readFileSync(etcd('002'), 'utf8') });
    expect(both.code).toBe(0);
    expect((JSON.parse(both.stdout) as Array<{ file: string; ok: unknown }>).map((v) => [v.file, v.ok])).toEqual([[etcd('002'), true], ['-', true]]);
    const again = await cli(['check', '-', '-', '--model', 'mutex'], { stdin: '' });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/stdin \(-\) is given more than once/);
    const unreadable = await cli(['check', '-', '--model', 'mutex']);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stdout).toBe('');
    expect(unreadable.stderr).toMatch(/cannot read a history from stdin here/);
  });
});

describe('commands', () => {
  it('--help lists exactly the commands that are built', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['list', 'run', 'check', 'bench', 'suite', 'fuzz', 'replay', 'report', 'live']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it.each([['frobnicate', 'gc-pause']])('%s is an unknown command (exit 2)', async (...args) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/unknown command/);
  });
});

describe('bench', () => {
  it('measures the bare event queue and prints the SPEC §2 JSON shape', async () => {
    let stdout = '';
    const io: CliIo = { stdout: (s) => void (stdout += s), stderr: () => undefined, isTTY: false, env: {} };
    const code = await runBench({ json: true }, io, { engineEvents: 300_000, skipSim: true, skipChecker: true, skipSuite: true, skipFuzz: true });
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { engine: { eventsPerSec: number }; sim: Record<string, unknown>; checker: Record<string, unknown>; suite: Record<string, unknown>; fuzz: Record<string, unknown> };
    expect(result.engine.eventsPerSec).toBeGreaterThan(100_000);
    expect(result.sim).toMatchObject({ eventsPerSec: null, speedup: null });
    expect(result.checker).toMatchObject({ porcupineEtcdMs: null, kvGeneratedMs: null, casGeneratedMs: null });
    expect(result.suite).toMatchObject({ wallMs: null });
    expect(result.fuzz).toMatchObject({ runsPerSec: null });
  });
});

describe('bin/locksim.js as a subprocess', () => {
  const bin = join(REPO, 'bin', 'locksim.js');

  it('list exits 0 and names the designs', () => {
    const stdout = execFileSync(process.execPath, [bin, 'list'], { cwd: REPO, encoding: 'utf8' });
    for (const name of [...DESIGNS.names]) expect(stdout).toContain(name);
  }, 20_000);

  it('--trace - streams the whole trace through a pipe, the same as --trace FILE', () => {
    const file = join(tmp, 'piped.trace');
    expect((spawnSync(process.execPath, [bin, 'run', 'gc-pause', '--design', 'redis,redlock', '--trace', file], { cwd: REPO, encoding: 'utf8' })).status).toBe(0);
    const child = spawnSync(process.execPath, [bin, 'run', 'gc-pause', '--design', 'redis,redlock', '--trace', '-'], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(child.status).toBe(0);
    expect(child.stdout.length).toBeGreaterThan(256 * 1024); // more than a pipe holds: the writer had to wait for the reader
    expect(child.stdout).toBe(readFileSync(file, 'utf8'));
    expect(child.stderr).toMatch(/^scenario gc-pause {2}seed 1/);
  }, 30_000);

  it('check - reads a history piped to stdin', () => {
    const history = readFileSync(join(REPO, 'test', 'fixtures', 'porcupine', 'test_data', 'jepsen', 'etcd_000.log'));
    const child = spawnSync(process.execPath, [bin, 'check', '-', '--json'], { cwd: REPO, encoding: 'utf8', input: history });
    expect(child.status).toBe(1);
    expect(JSON.parse(child.stdout)).toMatchObject({ file: '-', ok: false });
  }, 20_000);

  it('bad input exits 2 with the message on stderr and nothing on stdout', () => {
    const file = join(BAD, 'unknown-knob.json');
    const child = spawnSync(process.execPath, [bin, 'run', file, '--json'], { cwd: REPO, encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr).toContain(`${file}: config.redis.ttll: unknown knob`);
  }, 20_000);
});
