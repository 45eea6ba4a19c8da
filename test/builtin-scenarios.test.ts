/**
 * Every built-in scenario meets its own `expect` block: known-bad designs
 * are shown failing and known-good ones passing, by scenario. Each scenario
 * must say what it expects of every design it runs, and of no design it
 * skips (a fault that cannot apply to it: `"designs": "all"` with a
 * `leader` or `holder` target). The suite's coverage is checked in
 * builtin-suite.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { whyInapplicable } from '../sim/harness/applicability.ts';
import { listBuiltinScenarios } from '../sim/scenario/load.ts';
import { DESIGNS, loadScenarioFile } from './support/designs.ts';
import { runScenario } from './support/designs.ts';

const builtins = listBuiltinScenarios();

describe('built-in scenarios', () => {
  it('there is one for every design, and each expects something of every design it runs (and nothing of one it skips)', () => {
    const designs = new Set<string>();
    for (const builtin of builtins) {
      const scenario = loadScenarioFile(builtin.file);
      for (const design of scenario.designs) {
        const expected = Object.keys(scenario.expect[design] ?? {}).length;
        if (whyInapplicable(scenario, DESIGNS.get(design)!) !== null) {
          expect(expected, `${builtin.name} expects something of ${design}, which it skips`).toBe(0);
          continue;
        }
        designs.add(design);
        expect(expected, `${builtin.name} expects nothing of ${design}`).toBeGreaterThan(0);
      }
    }
    expect([...designs].sort()).toEqual(['cas', 'raft-lock', 'redis', 'redlock', 'zookeeper']);
  });

  it.each(builtins.map((b) => [b.name, b.file]))('%s meets its expectations', (_name, file) => {
    const result = runScenario(loadScenarioFile(file));
    for (const r of result.results) {
      expect({ design: r.design, ...r.expect }).toEqual({ design: r.design, met: true, mismatches: [] });
    }
  });
});
