/**
 * Runs a scenario: every listed design, side by side, each in its own
 * simulated world (see `run-design.ts`), under the same seed. The designs
 * come from the registry passed in. A design the scenario's faults cannot
 * apply to (applicability.ts) is not run: its place in `results` holds a
 * result saying `skipped` and why (unless `runInapplicable`).
 */
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import { LivelockError } from '../core/engine.ts';
import { designOf } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { skippedResult, whyInapplicable } from './applicability.ts';
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

/** Runs one registered design through the scenario and judges it, or skips it (with the reason) when a fault cannot apply to it. */
export function runDesign(scenario: Scenario, registry: DesignRegistry, designName: string, seed: number, options: RunOptions = {}): DesignResult {
  const design = designOf(registry, designName, scenario.source, 'designs');
  if (options.runInapplicable !== true) {
    const reason = whyInapplicable(scenario, design);
    if (reason !== null) {
      options.trace?.(`# design ${designName} skipped: ${reason}`);
      return skippedResult(designName, reason);
    }
  }
  try {
    return runDesignWith(scenario, design, seed, options);
  } catch (error) {
    if (error instanceof LivelockError) error.design ??= designName;
    throw error;
  }
}
