/**
 * `--trace FILE` streams yet stays atomic (sim/cli/trace-sink.ts): lines
 * reach a temp file beside FILE while the run goes (so nothing piles up in
 * memory), FILE appears only on commit, and an abort removes the temp file
 * and leaves an older FILE untouched.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../sim/scenario/errors.ts';
import { fileTraceSink, streamTraceSink } from '../sim/cli/trace-sink.ts';

const tmp = mkdtempSync(join(tmpdir(), 'locksim-sink-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LINE = `${'x'.repeat(99)}`; // 100 characters with its newline
const temps = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('fileTraceSink', () => {
  it('writes to a temp file in the same folder while lines come, and renames it on commit', () => {
    const dir = mkdtempSync(join(tmp, 'commit-'));
    const file = join(dir, 'run.trace');
    const sink = fileTraceSink(file);
    for (let i = 0; i < 5000; i++) sink.line(LINE); // 500 kB
    // Before the commit: no FILE yet, and most of the lines are already on disk in one temp file.
    expect(existsSync(file)).toBe(false);
    const [temp] = temps(dir);
    expect(temps(dir)).toHaveLength(1);
    expect(temp.startsWith('.run.trace.')).toBe(true);
    expect(statSync(join(dir, temp)).size).toBeGreaterThan(500_000 - 70_000);
    sink.commit();
    expect(temps(dir)).toEqual([]);
    const text = readFileSync(file, 'utf8');
    expect(text.length).toBe(500_000);
    expect(text.split('\n').slice(0, -1).every((l) => l === LINE)).toBe(true);
  });

  it('an abort removes the temp file and leaves an older trace as it was', () => {
    const dir = mkdtempSync(join(tmp, 'abort-'));
    const file = join(dir, 'run.trace');
    writeFileSync(file, 'the previous trace\n');
    const sink = fileTraceSink(file);
    for (let i = 0; i < 2000; i++) sink.line(LINE);
    expect(temps(dir)).toHaveLength(1);
    sink.abort();
    sink.abort(); // harmless twice
    expect(temps(dir)).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('the previous trace\n');
  });

  it('an empty trace commits as an empty file', () => {
    const file = join(tmp, 'empty.trace');
    const sink = fileTraceSink(file);
    sink.commit();
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('a folder it cannot write to is an InputError naming --trace', () => {
    expect(() => fileTraceSink(join(tmp, 'no-such-folder', 'x.trace'))).toThrow(InputError);
    expect(() => fileTraceSink(join(tmp, 'no-such-folder', 'x.trace'))).toThrow(/^--trace: cannot write .*x\.trace.* \(ENOENT\)/);
  });
});

describe('streamTraceSink', () => {
  it('hands whole lines on in chunks of about 64 KiB as they come', () => {
    const chunks: string[] = [];
    const sink = streamTraceSink((text) => chunks.push(text));
    for (let i = 0; i < 2000; i++) sink.line(LINE); // 200 kB
    const before = chunks.length;
    expect(before).toBeGreaterThanOrEqual(3); // written before the end, not held
    sink.commit();
    expect(chunks.join('')).toBe(`${LINE}\n`.repeat(2000));
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
  });

  it('writes nothing more after an abort', () => {
    const chunks: string[] = [];
    const sink = streamTraceSink((text) => chunks.push(text));
    sink.line('a');
    sink.abort();
    sink.line('b');
    sink.commit();
    expect(chunks).toEqual([]);
  });
});
