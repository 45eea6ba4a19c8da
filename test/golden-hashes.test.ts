/**
 * Behaviour is pinned: every built-in scenario on every design gives the
 * traceHash, event count, verdicts and metrics recorded in
 * `test/golden/trace-hashes.json`. A refactor must leave them all alone; a
 * change that means to alter behaviour regenerates the file (see
 * `test/support/golden-hashes.ts`) and says why in its commit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listBuiltinScenarios } from '../sim/scenario/load.ts';
import { GOLDEN_FILE, goldenRows, type GoldenRow } from './support/golden-hashes.ts';

const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Record<string, GoldenRow>;
const builtins = listBuiltinScenarios();

describe('golden trace hashes', () => {
  it('cover every built-in scenario on every design, and nothing else', () => {
    const names = new Set(Object.keys(golden).map((key) => key.slice(0, key.lastIndexOf('/'))));
    expect([...names].sort()).toEqual(builtins.map((b) => b.name).sort());
    expect(Object.keys(golden).length).toBe(builtins.length * 5);
  });

  it.each(builtins.map((b) => [b.name, b.file]))('%s runs exactly as recorded on every design', (name, file) => {
    const rows = goldenRows(name, file);
    for (const [key, row] of Object.entries(rows)) expect({ key, ...row }).toEqual({ key, ...golden[key] });
  });
});
