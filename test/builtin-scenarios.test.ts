/**
 * Every built-in scenario meets its own `expect` block: known-bad designs
 * are shown failing and known-good ones passing, by scenario. Each scenario
 * must say what it expects of every design it runs.
 */
import { describe, expect, it } from 'vitest';
import { listBuiltinScenarios } from '../sim/scenario/load.ts';
import { loadScenarioFile } from './support/designs.ts';
import { runScenario } from './support/designs.ts';

const builtins = listBuiltinScenarios();

describe('built-in scenarios', () => {
  it('there is one for every design, and each expects something of every design it runs', () => {
    const designs = new Set<string>();
    for (const builtin of builtins) {
      const scenario = loadScenarioFile(builtin.file);
      for (const design of scenario.designs) {
        designs.add(design);
        expect(Object.keys(scenario.expect[design] ?? {}).length, `${builtin.name} expects nothing of ${design}`).toBeGreaterThan(0);
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
