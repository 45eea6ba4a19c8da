/**
 * The scenario loader and runner bound to the built-in design registry, as
 * the CLI binds them: tests call `loadScenarioFile(file)` and
 * `runScenario(scenario)` without passing the registry each time.
 */
import { DESIGNS } from '../../algorithms/index.ts';
import type { NodeEvent, NodeEventKind } from '../../algorithms/api/index.ts';
import * as runner from '../../sim/harness/runner.ts';
import * as load from '../../sim/scenario/load.ts';
import type { DesignResult } from '../../sim/harness/result.ts';
import type { Scenario } from '../../sim/scenario/types.ts';

export { DESIGNS };

export function loadScenarioFile(pathOrName: string, options: Parameters<typeof load.loadScenarioFile>[2] = {}): Scenario {
  return load.loadScenarioFile(pathOrName, DESIGNS, options);
}

export function parseScenario(raw: unknown, source: string, options: Parameters<typeof load.parseScenario>[3] = {}): Scenario {
  return load.parseScenario(raw, source, DESIGNS, options);
}

export function runScenario(scenario: Scenario, options: runner.RunOptions = {}): ReturnType<typeof runner.runScenario> {
  return runner.runScenario(scenario, DESIGNS, options);
}

export function runDesign(scenario: Scenario, name: string, seed: number, options: runner.RunOptions = {}): ReturnType<typeof runner.runDesign> {
  return runner.runDesign(scenario, DESIGNS, name, seed, options);
}

/** An emitted event split as tests read it: its kind, and its fields. */
export interface SeenEvent {
  readonly atUs: number;
  readonly node: string;
  readonly event: NodeEventKind;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Turns a typed `NodeEvent` into `{ event, detail }`. */
export function seen(atUs: number, node: string, event: NodeEvent): SeenEvent {
  const { kind, ...detail } = event;
  return { atUs, node, event: kind, detail };
}

/** Runs a scenario file on its first design, keeping the text trace's lines. */
export function runTraced(file: string): { result: DesignResult; trace: string[] } {
  const trace: string[] = [];
  const result = runScenario(loadScenarioFile(file), { trace: (line) => void trace.push(line) }).results[0];
  return { result, trace };
}

/** The true time, in seconds, at the start of a trace line (`   12.115822 s1 <- c1 …`). */
export const traceSeconds = (line: string): number => Number(line.trim().split(/\s+/)[0]);
