/**
 * CLI conventions a newcomer expects: colours follow the TTY unless
 * NO_COLOR (no colour even on a TTY) or FORCE_COLOR (colour even off a TTY;
 * `0` / `false` turn it off) say otherwise — in-process and through the real
 * `bin/locksim.js` — `--json` is never coloured, and `--help` ends with
 * examples that use only commands that exist.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { colourLevel, type CliIo } from '../sim/cli/io.ts';
import { main } from '../sim/cli/main.ts';
import { cli as runCli, type Captured } from './support/cli.ts';

const ESC = '\u001b[';
const REPO = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'locksim-conv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], isTTY: boolean, env: Record<string, string>): Promise<Captured> {
  return runCli(args, { isTTY, env });
}

const SCENARIO = join(tmp, 'calm.json');
writeFileSync(SCENARIO, JSON.stringify({ designs: ['redis'], duration: '10s', workload: { clients: 2, sections: 2, hold: '100ms', think: '50ms' } }));
const BAD_HISTORY = join(tmp, 'bad.jsonl');
writeFileSync(BAD_HISTORY, '{"process": 1, "call": 0, "return": 10, "f": "acquire", "output": true}\n{"process": 2, "call": 20, "return": 30, "f": "acquire", "output": true}\n');

describe('colourLevel', () => {
  it.each([
    ['a TTY', true, {}, 1],
    ['a pipe', false, {}, 0],
    ['NO_COLOR=1 on a TTY', true, { NO_COLOR: '1' }, 0],
    ['NO_COLOR=false on a TTY (any non-empty value counts)', true, { NO_COLOR: 'false' }, 0],
    ['an empty NO_COLOR on a TTY (does not count)', true, { NO_COLOR: '' }, 1],
    ['FORCE_COLOR=1 on a pipe', false, { FORCE_COLOR: '1' }, 1],
    ['an empty FORCE_COLOR on a pipe', false, { FORCE_COLOR: '' }, 1],
    ['FORCE_COLOR=true on a pipe', false, { FORCE_COLOR: 'true' }, 1],
    ['FORCE_COLOR=3 on a pipe', false, { FORCE_COLOR: '3' }, 3],
    ['FORCE_COLOR=0 on a TTY', true, { FORCE_COLOR: '0' }, 0],
    ['FORCE_COLOR=false on a TTY', true, { FORCE_COLOR: 'false' }, 0],
    ['FORCE_COLOR=1 beside NO_COLOR=1 (FORCE_COLOR wins, as in Node)', false, { FORCE_COLOR: '1', NO_COLOR: '1' }, 1],
    ['TERM=dumb on a TTY', true, { TERM: 'dumb' }, 0],
  ] as const)('%s', (_what, isTTY, env, level) => {
    expect(colourLevel(env, isTTY)).toBe(level);
  });
});

describe('colours in the commands', () => {
  it('run: NO_COLOR turns colour off on a TTY; FORCE_COLOR turns it on off a TTY', async () => {
    expect((await cli(['run', SCENARIO], true, {})).stdout).toContain(ESC);
    expect((await cli(['run', SCENARIO], true, { NO_COLOR: '1' })).stdout).not.toContain(ESC);
    expect((await cli(['run', SCENARIO], false, {})).stdout).not.toContain(ESC);
    expect((await cli(['run', SCENARIO], false, { FORCE_COLOR: '1' })).stdout).toContain(ESC);
    expect((await cli(['run', SCENARIO], true, { FORCE_COLOR: '0' })).stdout).not.toContain(ESC);
  });

  it('list and check follow the same rules', async () => {
    expect((await cli(['list'], true, { NO_COLOR: '1' })).stdout).not.toContain(ESC);
    expect((await cli(['list'], false, { FORCE_COLOR: '1' })).stdout).toContain(ESC);
    const forced = await cli(['check', BAD_HISTORY, '--model', 'mutex'], false, { FORCE_COLOR: '1' });
    expect(forced.code).toBe(1);
    expect(forced.stdout).toContain(ESC);
    const off = await cli(['check', BAD_HISTORY, '--model', 'mutex'], true, { NO_COLOR: '1' });
    expect(off.code).toBe(1);
    expect(off.stdout).not.toContain(ESC);
  });

  it('--json is never coloured, even forced on a TTY', async () => {
    for (const args of [['run', SCENARIO, '--json'], ['list', '--json'], ['check', BAD_HISTORY, '--model', 'mutex', '--json']]) {
      const { stdout } = await cli(args, true, { FORCE_COLOR: '3' });
      expect(stdout, args.join(' ')).not.toContain(ESC);
      expect(() => JSON.parse(stdout)).not.toThrow();
    }
  });

  it('with --trace -, the table on stderr is coloured for stderr', async () => {
    let stderr = '';
    const io: CliIo = { stdout: () => undefined, stderr: (s) => void (stderr += s), isTTY: false, stderrIsTTY: true, env: {} };
    expect(await main(['run', SCENARIO, '--trace', '-'], io)).toBe(0);
    expect(stderr).toContain(ESC);
  });

  it('the real binary reads NO_COLOR and FORCE_COLOR from its environment', () => {
    const bin = join(REPO, 'bin', 'locksim.js');
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'FORCE_COLOR' && k !== 'NO_COLOR'));
    const run = (env: Record<string, string | undefined>): string => spawnSync(process.execPath, [bin, 'list'], { cwd: REPO, encoding: 'utf8', env }).stdout;
    // stdout is a pipe here: plain unless forced.
    expect(run(base)).not.toContain(ESC);
    expect(run({ ...base, FORCE_COLOR: '1' })).toContain(ESC);
    expect(run({ ...base, FORCE_COLOR: '1', NO_COLOR: '1' })).toContain(ESC);
    expect(run({ ...base, FORCE_COLOR: '0' })).not.toContain(ESC);
  }, 30_000);
});

describe('--help', () => {
  const BUILT = ['list', 'run', 'check', 'bench', 'suite', 'fuzz', 'replay', 'report', 'live'];

  it.each([[[]], [['list']], [['run']], [['check']], [['bench']], [['suite']], [['fuzz']], [['replay']], [['report']], [['live']]])('%j --help ends with examples of built commands', async (command) => {
    const { code, stdout } = await cli([...command, '--help'], false, {});
    expect(code).toBe(0);
    const examples = stdout.slice(stdout.indexOf('\nExamples:\n'));
    expect(stdout).toContain('\nExamples:\n');
    const commands = [...examples.matchAll(/^ {2}\$ (?:.*\| )?npx locksim (\S+)/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const used of commands) expect(BUILT).toContain(used);
    if (command.length === 1) expect(new Set(commands)).toEqual(new Set(command));
    // Each example has its comment line.
    expect(examples).toMatch(/^ {2}# .+\n {2}\$ /m);
  });

  it('the program help says how colours and exit codes work', async () => {
    const { stdout } = await cli(['--help'], false, {});
    expect(stdout).toMatch(/NO_COLOR/);
    expect(stdout).toMatch(/FORCE_COLOR/);
    expect(stdout).toMatch(/2 bad input/);
  });

  it('run --help documents --trace -', async () => {
    const { stdout } = await cli(['run', '--help'], false, {});
    expect(stdout).toMatch(/--trace <file> +stream .* "-"/s);
  });

  it('the run example with --design and --seed runs and meets its expectations (exit 0)', async () => {
    const { stdout } = await cli(['run', '--help'], false, {});
    const first = /\$ npx locksim (run gc-pause --design redis --seed 42)/.exec(stdout);
    expect(first).not.toBeNull();
    expect((await cli([...first![1].split(' '), '--json'], false, {})).code).toBe(0);
  });
});
