/**
 * Puts the suite document together (SPEC §6): the jobs' one-design
 * RunResults regrouped into one RunResult per scenario (jobs come in
 * scenario-name order, each scenario's designs in its order), the header
 * and the summary. Also how the document is printed: `documentJson` is the
 * one serialisation, used by `--json`, `DIR/suite.json` and `--merge`, so
 * they are byte-identical for the same results. The document never holds
 * timelines (`withoutTimelines`): those go to `DIR/<scenario>.json` and
 * reports only.
 */
import type { RunResult } from '../harness/result.ts';
import type { JobDone } from './pool.ts';
import { summarise } from './summary.ts';
import type { SuiteDocument, SuiteJob } from './types.ts';

/** One RunResult per scenario, from the jobs' results (job order). */
export function groupResults(jobs: readonly SuiteJob[], done: readonly JobDone[]): RunResult[] {
  const runs: RunResult[] = [];
  let current: { scenario: string; run: RunResult } | undefined;
  jobs.forEach((job, i) => {
    const run = JSON.parse(done[i].json) as RunResult;
    if (current !== undefined && current.scenario === job.scenario) {
      current.run = { ...current.run, results: [...current.run.results, ...run.results] };
      runs[runs.length - 1] = current.run;
    } else {
      current = { scenario: job.scenario, run };
      runs.push(run);
    }
  });
  return runs;
}

/**
 * The run without its designs' timelines: what `run --json`, `suite --json`
 * and `suite.json` print. A result's `timeline` is its last field, so the
 * rest serialises exactly as a run made without one.
 */
export function withoutTimelines(run: RunResult): RunResult {
  if (run.results.every((r) => r.timeline === undefined)) return run;
  return { ...run, results: run.results.map(({ timeline: _timeline, ...rest }) => rest) };
}

/** The §6 document. */
export function suiteDocument(designs: readonly string[], shard: string | null, results: readonly RunResult[]): SuiteDocument {
  const plain = results.map(withoutTimelines);
  return { suite: { scenarios: plain.length, designs: [...designs], shard }, results: plain, summary: summarise(designs, plain) };
}

/** The document as printed and written: two-space JSON and a newline. */
export function documentJson(doc: SuiteDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** A scenario's RunResult as written to `DIR/<scenario>.json` (as `run --json` prints it). */
export function runResultJson(run: RunResult): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}

/** Whether every expectation in the results held (exit 0; else 1). */
export function expectationsMet(results: readonly RunResult[]): boolean {
  return results.every((run) => run.results.every((r) => r.expect?.met !== false));
}
