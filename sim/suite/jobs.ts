/**
 * The suite's unit of work: one scenario on one design. `planJobs` lists
 * them (scenarios in name order, each scenario's designs in its order);
 * `runJob` runs one — in a worker thread (sim/cli/worker.ts hands it
 * the registry) or in the main thread — and never throws: a failure comes
 * back as data (`JobOutcome`), since errors lose their class between
 * threads. The RunResult comes back as JSON text: the bytes `--json`
 * prints, whichever thread made them (and the result holds values, such as
 * the checker's UNKNOWN, that a structured clone would refuse).
 *
 * `runDesignRecorded` is the shared core (also `run --out`): it runs one
 * design through `runScenario`, so a design the harness skips is skipped
 * here too, and with an out folder writes `<scenario>/<design>.trace.txt`
 * (the `run --trace` lines of that design) and
 * `<scenario>/<design>.history.jsonl` (the service history, history-jsonl.ts).
 * With `timeline` the result carries each design's timeline
 * (`DesignResult.timeline`, for `DIR/<scenario>.json` and reports); the run
 * is otherwise the same, byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import { LivelockError } from '../core/engine.ts';
import type { RunResult } from '../harness/result.ts';
import { runScenario } from '../harness/runner.ts';
import { InputError } from '../scenario/errors.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { historyJsonl } from './history-jsonl.ts';
import { openLineFile, type LineFile } from './line-file.ts';
import type { JobFailure, JobOutcome, PlannedScenario, SuiteJob } from './types.ts';

/** Every scenario × design, in result order; `timeline`: each job records its timeline. */
export function planJobs(scenarios: readonly PlannedScenario[], outDir?: string, timeline = false): SuiteJob[] {
  const jobs: SuiteJob[] = [];
  for (const s of scenarios) {
    for (const design of s.designs) {
      jobs.push({ index: jobs.length, scenario: s.name, source: s.source, design, ...(outDir === undefined ? {} : { outDir }), ...(timeline ? { timeline } : {}) });
    }
  }
  return jobs;
}

/** Where a scenario × design's files go inside an out folder. */
export function designFiles(outDir: string, scenario: string, design: string): { trace: string; history: string } {
  return { trace: join(outDir, scenario, `${design}.trace.txt`), history: join(outDir, scenario, `${design}.history.jsonl`) };
}

/** Options of `runDesignRecorded`. */
export interface RecordOptions {
  /** Write the design's trace and service history under this folder. */
  readonly outDir?: string;
  /** Also receives every trace line (`run --trace` beside `--out`). */
  readonly trace?: (line: string) => void;
  /** Record the design's timeline in its result (`RunOptions.timeline`). */
  readonly timeline?: boolean;
}

/** Runs one design of `scenario` (a RunResult with that one design), writing its files when asked. */
export function runDesignRecorded(scenario: Scenario, registry: DesignRegistry, design: string, seed: number, options: RecordOptions = {}): RunResult {
  let traceFile: LineFile | undefined;
  let history: string | undefined;
  const files = options.outDir === undefined ? undefined : designFiles(options.outDir, scenario.name, design);
  if (files !== undefined) traceFile = openLineFile(files.trace);
  const extra = options.trace;
  const trace = traceFile === undefined ? extra : extra === undefined ? traceFile.line : (line: string) => (traceFile.line(line), extra(line));
  try {
    const result = runScenario(scenario, registry, {
      designs: [design],
      seed,
      ...(trace === undefined ? {} : { trace }),
      ...(files === undefined ? {} : { onServiceHistory: (ops) => void (history = historyJsonl(ops)) }),
      ...(options.timeline === true ? { timeline: true } : {}),
    });
    if (files !== undefined && history !== undefined) writeFileSync(files.history, history);
    return result;
  } finally {
    traceFile?.close();
  }
}

/** Runs one job; never throws. */
export function runJob(job: SuiteJob, registry: DesignRegistry): JobOutcome {
  const start = performance.now();
  try {
    const scenario = loadScenarioFile(job.source, registry);
    const result = runDesignRecorded(scenario, registry, job.design, scenario.seed, {
      ...(job.outDir === undefined ? {} : { outDir: job.outDir }),
      ...(job.timeline === true ? { timeline: true } : {}),
    });
    return { ok: true, json: JSON.stringify(result), ms: Math.round(performance.now() - start) };
  } catch (error) {
    return { ok: false, error: describeFailure(job, error) };
  }
}

/** A failure as data: bad input (a scenario that cannot make progress is one) or a bug. */
function describeFailure(job: SuiteJob, error: unknown): JobFailure {
  if (error instanceof LivelockError) {
    return { kind: 'input', message: new InputError(job.source, error.design ?? job.design, error.message).message };
  }
  if (error instanceof InputError) return { kind: 'input', message: error.message };
  const message = `scenario ${job.scenario}, design ${job.design}: ${error instanceof Error ? error.message : String(error)}`;
  return { kind: 'internal', message, ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}) };
}
