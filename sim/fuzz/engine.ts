/**
 * One fuzz run and one shrink, as pure functions of (seed, design, run
 * index): no threads, no wall time, so any worker computes the same run and
 * the same shrunk counterexample.
 *
 * Run k of design d draws its genome with fast-check (`fc.check` with a seed
 * mixed from the fuzz seed, d and k, and `path` k mod 64 so the bias toward
 * small values varies as it does across a fast-check run), maps it to a
 * SPEC §3 scenario (arbitraries.ts), validates it through `parseScenario`
 * (so a finding is a scenario `run` accepts) and runs it on d. A failing
 * run is re-drawn identically and shrunk with fast-check's shrinker under a
 * budget of runs (`shrinkBudget`; past it every candidate counts as
 * passing, so the search ends with the smallest found so far — deterministic,
 * not timed). The property a shrink keeps failing is the one the original
 * run failed first.
 */
import fc from 'fast-check';
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import type { DesignResult } from '../harness/result.ts';
import { runDesign } from '../harness/runner.ts';
import { designOf, parseScenario } from '../scenario/load.ts';
import type { CheckName } from '../scenario/types.ts';
import { genomeArb, toScenario, type Genome, type RunSpace, type ScenarioJson } from './arbitraries.ts';
import { runCoverage, type Coverage } from './coverage.ts';
import { propertiesFor, violatedProperty } from './property.ts';
import { encodeToken } from './token.ts';

/** What every run of a fuzz session shares (plain data: it crosses to worker threads). */
export interface FuzzConfig {
  readonly seed: number;
  /** `--property`; undefined: each design's defaults (property.ts). */
  readonly property?: CheckName;
  /** Simulated length of each run (ms). */
  readonly durationMs: number;
  readonly maxFaults: number;
  /** The most runs one shrink may spend. */
  readonly shrinkBudget: number;
  /** Step budget of the linearizability checker per run (lower: faster runs; "unknown" is never a failure). */
  readonly linearizabilityBudgetSteps?: number;
}

export const DEFAULT_CONFIG: Omit<FuzzConfig, 'seed'> = { durationMs: 30_000, maxFaults: 4, shrinkBudget: 400, linearizabilityBudgetSteps: 20_000 };

/** A counterexample, shrunk (SPEC §2 fuzz row). */
export interface Finding {
  readonly design: string;
  readonly property: CheckName;
  /** A SPEC §3 scenario object that `run` reproduces. */
  readonly scenario: ScenarioJson;
  /** `locksim replay <token>` re-runs it (token.ts). */
  readonly replay: string;
  readonly shrinks: number;
  readonly traceHash: string;
  /** The run that found it (its index for this design). */
  readonly run: number;
  /** What de-duplicates findings: design, property and the shape of the shrunk schedule. */
  readonly signature: string;
  /** The violated check's detail and first violations, for the reader. */
  readonly violation: unknown;
}

/** A 32-bit mix of the fuzz seed, the design and the run index (FNV-1a over their text, then a murmur finaliser). */
export function runSeed(seed: number, design: string, index: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}/${design}/${index}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function spaceOf(registry: DesignRegistry, config: FuzzConfig, designName: string): RunSpace {
  const design = designOf(registry, designName, undefined, '--design');
  return { design, properties: propertiesFor(design, config.property), durationMs: config.durationMs, maxFaults: config.maxFaults };
}

/** The scenario object of run `index` of `design` for a genome. */
function scenarioOf(space: RunSpace, config: FuzzConfig, index: number, genome: Genome): ScenarioJson {
  const simSeed = (runSeed(config.seed, space.design.name, index) >>> 1) % 1_000_000_007;
  return toScenario(space, genome, `fuzz-${space.design.name}-${config.seed}-${index}`, simSeed);
}

/** Runs a scenario object on its design (validating it first). */
export function runScenarioJson(registry: DesignRegistry, scenario: ScenarioJson, design: string, config: Pick<FuzzConfig, 'linearizabilityBudgetSteps'>): DesignResult {
  const parsed = parseScenario(scenario, `fuzz:${String(scenario.name)}`, registry);
  return runDesign(parsed, registry, design, parsed.seed, config.linearizabilityBudgetSteps === undefined ? {} : { linearizabilityBudgetSteps: config.linearizabilityBudgetSteps });
}

interface Checked<T> {
  readonly details: fc.RunDetails<[Genome]>;
  readonly value: T;
}

/**
 * fast-check's run `index` of `design`: the predicate sees each genome (the
 * original, then shrink candidates); an exception inside it is a bug in
 * locksim (a scenario the mapping should not make, a design crashing), so it
 * is rethrown rather than shrunk as a finding.
 */
function check<T>(space: RunSpace, config: FuzzConfig, index: number, shrink: boolean, predicate: (genome: Genome) => boolean, value: () => T): Checked<T> {
  let thrown: unknown;
  const details = fc.check(
    fc.property(genomeArb(space), (genome) => {
      if (thrown !== undefined) return true;
      try {
        return predicate(genome);
      } catch (error) {
        thrown = error;
        return true;
      }
    }),
    { seed: runSeed(config.seed, space.design.name, index), path: String(index % 64), numRuns: 1, endOnFailure: !shrink },
  );
  if (thrown !== undefined) {
    if (thrown instanceof Error) thrown.message = `fuzz run ${index} of ${space.design.name} (seed ${config.seed}): ${thrown.message}`;
    throw thrown;
  }
  return { details, value: value() };
}

/** One run's outcome. */
export interface RunOutcome {
  readonly index: number;
  /** The property it violated, or null. */
  readonly failed: CheckName | null;
  readonly coverage: Coverage;
  readonly events: number;
  readonly traceHash: string;
}

/** Run `index` of `design`: draws it, runs it, judges it. */
export function fuzzRun(registry: DesignRegistry, config: FuzzConfig, designName: string, index: number): RunOutcome {
  const space = spaceOf(registry, config, designName);
  let outcome: RunOutcome | undefined;
  check(space, config, index, false, (genome) => {
    const scenario = scenarioOf(space, config, index, genome);
    const result = runScenarioJson(registry, scenario, designName, config);
    const failed = violatedProperty(result, space.properties);
    outcome = { index, failed, coverage: runCoverage(scenario, result, failed !== null), events: result.events, traceHash: result.traceHash };
    return failed === null;
  }, () => undefined);
  if (outcome === undefined) throw new Error(`fuzz run ${index} of ${designName}: fast-check ran nothing`);
  return outcome;
}

/** The scenario object of run `index` (for tests and `--check-determinism`). */
export function drawScenario(registry: DesignRegistry, config: FuzzConfig, designName: string, index: number): ScenarioJson {
  const space = spaceOf(registry, config, designName);
  let scenario: ScenarioJson | undefined;
  check(space, config, index, false, (genome) => {
    scenario = scenarioOf(space, config, index, genome);
    return true;
  }, () => undefined);
  return scenario!;
}

/** Shrinks failing run `index` of `design` to its smallest failing schedule; throws if the run does not fail. */
export function shrinkRun(registry: DesignRegistry, config: FuzzConfig, designName: string, index: number): Finding {
  const space = spaceOf(registry, config, designName);
  let target = null as CheckName | null;
  let spent = 0;
  const { details } = check(space, config, index, true, (genome) => {
    if (target !== null && spent >= config.shrinkBudget) return true;
    spent++;
    const result = runScenarioJson(registry, scenarioOf(space, config, index, genome), designName, config);
    if (target === null) {
      target = violatedProperty(result, space.properties);
      return target === null;
    }
    return violatedProperty(result, [target]) === null;
  }, () => undefined);
  if (!details.failed || details.counterexample === null || target === null) throw new Error(`fuzz run ${index} of ${designName} (seed ${config.seed}) did not fail when re-run: the run is not deterministic`);
  const property: CheckName = target;
  const scenario = scenarioOf(space, config, index, details.counterexample[0]);
  const result = runScenarioJson(registry, scenario, designName, config);
  if (violatedProperty(result, [property]) === null) throw new Error(`fuzz run ${index} of ${designName}: the shrunk counterexample no longer fails ${property} when re-run`);
  const verdict = (result.checks as Partial<Record<CheckName, { ok: unknown; detail?: unknown; violations?: unknown[] }>>)[property];
  return {
    design: designName,
    property,
    scenario,
    replay: encodeToken({ property, traceHash: result.traceHash, scenario }),
    shrinks: details.numShrinks,
    traceHash: result.traceHash,
    run: index,
    signature: signatureOf(designName, property, scenario),
    violation: { ...(verdict?.detail === undefined ? {} : { detail: verdict.detail }), violations: (verdict?.violations ?? []).slice(0, 3) },
  };
}

/**
 * A finding's signature: design, property, and per fault its kind, trigger
 * (`at` or the `on` event) and whom it targets (a role — holder, leader —
 * or `server` / `client`), sorted. Two findings with the same signature are
 * the same bug found twice.
 */
export function signatureOf(design: string, property: CheckName, scenario: ScenarioJson): string {
  const faults = ((scenario.faults as ScenarioJson[] | undefined) ?? []).map((f) => {
    const on = f.on as { event?: string } | undefined;
    const trigger = on === undefined ? 'at' : `on ${on.event}`;
    const t = typeof f.target === 'string' ? f.target.replace(/^s\d+$/, 'server').replace(/^c\d+$/, 'client') : typeof f.shape === 'string' ? f.shape : '';
    return `${String(f.kind)}(${t}${t === '' ? '' : ', '}${trigger})`;
  });
  faults.sort();
  return `${design} ${property}: ${faults.length === 0 ? 'no fault' : faults.join(' + ')}`;
}
