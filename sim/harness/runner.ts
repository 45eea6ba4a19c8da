/**
 * Runs a scenario: every listed design, side by side, each in its own
 * simulated world (see `run-design.ts`), under the same seed. The designs
 * come from the registry passed in.
 */
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import { LivelockError } from '../core/engine.ts';
import { designOf } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import type { DesignResult, RunResult } from './result.ts';
import { runDesignWith, type RunOptions } from './run-design.ts';

export type { RunOptions } from './run-design.ts';

export function runScenario(scenario: Scenario, registry: DesignRegistry, options: RunOptions = {}): RunResult {
  const seed = options.seed ?? scenario.seed;
  const designs = options.designs ?? scenario.designs;
  return {
    scenario: scenario.name,
    seed,
    results: designs.map((name) => {
      options.trace?.(`# design ${name}, scenario ${scenario.name}, seed ${seed}`);
      return runDesign(scenario, registry, name, seed, options);
    }),
  };
}

/** Runs one registered design through the scenario and judges it. */
export function runDesign(scenario: Scenario, registry: DesignRegistry, designName: string, seed: number, options: RunOptions = {}): DesignResult {
  const design = designOf(registry, designName, scenario.source, 'designs');
  try {
    return runDesignWith(scenario, design, seed, options);
  } catch (error) {
    if (error instanceof LivelockError) error.design ??= designName;
    throw error;
  }
}
