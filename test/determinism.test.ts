import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toyRun } from './support/print-hash.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('the seed is the replay', () => {
  it('same scenario and seed give the same traceHash twice in one process', () => {
    const a = toyRun(42);
    const b = toyRun(42);
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.events).toBe(b.events);
    expect(a).toEqual(b);
  });

  it('and in another process', () => {
    const here = toyRun(42);
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/print-hash.ts'), '42'], { cwd: root, encoding: 'utf8' });
    expect(out.trim()).toBe(`${here.traceHash} ${here.events}`);
  });

  it('different seeds give different traces', () => {
    const hashes = new Set([1, 2, 3, 4, 5].map((seed) => toyRun(seed).traceHash));
    expect(hashes.size).toBe(5);
  });
});
