/**
 * Start-up of `bin/locksim.js`: the esbuild bundle of the sources is cached
 * under a key hashed from the sources' contents, so a second invocation
 * imports it without rebuilding, a changed source makes a new bundle, and
 * concurrent invocations that all miss the cache each finish with a complete
 * bundle (written to a temporary file and renamed). Runs against a temporary
 * copy of the sources (its node_modules a link to the repository's, so its
 * bundles land in the same cache under their own keys, and are removed
 * afterwards): the repository itself is never modified.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'locksim-startup-'));
for (const entry of ['sim', 'algorithms', 'reports', 'bin', 'package.json', 'tsconfig.json']) cpSync(join(REPO, entry), join(copy, entry), { recursive: true });
symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir');
const HISTORY = join(copy, 'tiny.jsonl');
writeFileSync(HISTORY, `${JSON.stringify({ process: 1, call: 0, return: 10, f: 'acquire', output: true })}\n`);
const CACHE = join(copy, 'node_modules', '.cache', 'locksim');

/** Bundles this test made, removed at the end. */
const made = new Set<string>();
afterAll(() => {
  for (const file of made) rmSync(file, { force: true });
  rmSync(copy, { recursive: true, force: true });
});

interface Started {
  status: number | null;
  stdout: string;
  /** The bundle used, and whether it was built ('built') or found ('hit'). */
  bundle: string;
  how: 'built' | 'hit';
}

function parse(status: number | null, stdout: string, stderr: string): Started {
  const match = /^locksim: bundle (built|cache hit) (\S+\.mjs)/m.exec(stderr);
  if (match === null) throw new Error(`no bundle debug line on stderr:\n${stderr}`);
  made.add(match[2]);
  return { status, stdout, bundle: match[2], how: match[1] === 'built' ? 'built' : 'hit' };
}

const ARGS = [join(copy, 'bin', 'locksim.js'), 'check', HISTORY, '--model', 'mutex', '--json'];
const ENV = { ...process.env, LOCKSIM_DEBUG_BUNDLE: '1', LOCKSIM_NO_BUNDLE: '' };

/** `node <copy>/bin/locksim.js check tiny.jsonl --model mutex --json`. */
function start(): Started {
  const child = spawnSync(process.execPath, ARGS, { cwd: copy, encoding: 'utf8', env: ENV });
  return parse(child.status, child.stdout, child.stderr);
}

function startAsync(): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ARGS, { cwd: copy, env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      try {
        resolve(parse(status, stdout, stderr));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

function expectLinearizable(run: Started): void {
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, ops: 1 });
}

describe('bin/locksim.js start-up', () => {
  it('builds once, reuses the bundle while the sources are unchanged, and rebuilds when one changes', () => {
    const first = start();
    expectLinearizable(first);
    expect(first.bundle.startsWith(CACHE)).toBe(true);
    // The copy lives elsewhere, so its bundle (which embeds its path) is its own, and new.
    expect(first.how).toBe('built');
    const builtAt = statSync(first.bundle).mtimeMs;

    const second = start();
    expectLinearizable(second);
    expect(second).toMatchObject({ how: 'hit', bundle: first.bundle });
    expect(statSync(first.bundle).mtimeMs).toBe(builtAt);

    // Touching a file without changing it does not rebuild: the key is the content.
    const source = join(copy, 'sim', 'cli', 'help-text.ts');
    const original = readFileSync(source, 'utf8');
    writeFileSync(source, original);
    expect(start()).toMatchObject({ how: 'hit', bundle: first.bundle });

    // Changing a source does.
    appendFileSync(source, '\n// changed by test/startup.test.ts\n');
    const changed = start();
    expectLinearizable(changed);
    expect(changed.how).toBe('built');
    expect(changed.bundle).not.toBe(first.bundle);
    expect(start()).toMatchObject({ how: 'hit', bundle: changed.bundle });

    // Back to the original content: the first bundle again, not rebuilt.
    writeFileSync(source, original);
    expect(start()).toMatchObject({ how: 'hit', bundle: first.bundle });
    expect(statSync(first.bundle).mtimeMs).toBe(builtAt);
  }, 60_000);

  it('concurrent invocations that all miss the cache all run, and leave one whole bundle and no temporary files', async () => {
    appendFileSync(join(copy, 'sim', 'cli', 'help-text.ts'), '\n// concurrent build in test/startup.test.ts\n');
    const runs = await Promise.all(Array.from({ length: 4 }, () => startAsync()));
    for (const run of runs) expectLinearizable(run);
    expect(new Set(runs.map((r) => r.bundle)).size).toBe(1);
    expect(runs.some((r) => r.how === 'built')).toBe(true);
    const name = runs[0].bundle.slice(CACHE.length + 1);
    expect(readdirSync(CACHE).filter((f) => f.startsWith(`${name}.`) && f.endsWith('.tmp'))).toEqual([]);
    expect(start()).toMatchObject({ how: 'hit', bundle: runs[0].bundle });
  }, 60_000);

  it('LOCKSIM_NO_BUNDLE=1 runs the sources through tsx, with no bundle', () => {
    const child = spawnSync(process.execPath, ARGS, { cwd: copy, encoding: 'utf8', env: { ...ENV, LOCKSIM_NO_BUNDLE: '1' } });
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ ok: true });
    expect(child.stderr).not.toMatch(/bundle (built|cache hit)/);
  }, 30_000);
});
