/**
 * `fuzz.runsPerSec` for `locksim bench`: fuzz runs of 30 simulated seconds
 * (the default run length), checks included, on one core (this thread), per
 * design and over all designs round-robin. Wall time is read here only.
 */
import { performance } from 'node:perf_hooks';
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import { DEFAULT_CONFIG, fuzzRun, type FuzzConfig } from './engine.ts';

export interface FuzzBenchOptions {
  /** Wall time spent per design (ms); default 1500. */
  readonly msPerDesign?: number;
  /** Designs measured (default: every registered design). */
  readonly designs?: readonly string[];
  readonly seed?: number;
}

export interface FuzzBench {
  /** Runs per second on one core, over every design measured. */
  readonly runsPerSec: number;
  readonly perDesign: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

/** Measures fuzz runs per second per design and overall (total runs ÷ total time). */
export function benchFuzzDesigns(registry: DesignRegistry, options: FuzzBenchOptions = {}): FuzzBench {
  const config: FuzzConfig = { ...DEFAULT_CONFIG, seed: options.seed ?? 1 };
  const budget = options.msPerDesign ?? 1500;
  const perDesign: Record<string, number> = {};
  let runs = 0;
  let ms = 0;
  for (const design of options.designs ?? registry.names) {
    fuzzRun(registry, config, design, 0); // warm-up
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < budget) {
      fuzzRun(registry, config, design, 1 + n++);
      now = performance.now();
    }
    perDesign[design] = Math.round((n / (now - start)) * 1000 * 10) / 10;
    runs += n;
    ms += now - start;
  }
  return { runsPerSec: Math.round((runs / ms) * 1000 * 10) / 10, perDesign, durationMs: config.durationMs };
}

/** `fuzz.runsPerSec`: runs per second per core, 30-simulated-second runs of one design at a time, over every design. */
export function benchFuzz(registry: DesignRegistry, options: FuzzBenchOptions = {}): number {
  return benchFuzzDesigns(registry, options).runsPerSec;
}
