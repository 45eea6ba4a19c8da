/**
 * The suite's data (SPEC §6): the document `suite --json` prints and
 * `suite --out DIR` writes as `DIR/suite.json`, the per-design summary in
 * it, and the jobs (one scenario on one design) the suite is made of.
 * Types only; every producer lives in its own file of this folder.
 */
import type { RunResult } from '../harness/result.ts';

export type { DesignResult, RunResult } from '../harness/result.ts';

/** The `suite` header of the document. */
export interface SuiteHeader {
  /** Scenarios in `results` (this shard's, or all of them unsharded or merged). */
  readonly scenarios: number;
  /** The designs the suite ran, in the registry's order (the matrix's columns). */
  readonly designs: readonly string[];
  /** `"i/n"` for one shard, null unsharded (and once merged). */
  readonly shard: string | null;
}

/** Percentiles of `metrics.recoveryMs` over a design's runs that report one. */
export interface RecoverySummary {
  readonly p50: number | null;
  readonly max: number | null;
}

/** One design's figures over the suite (summary.ts says how each aggregates). */
export interface DesignSummary {
  readonly runs: number;
  readonly safe: number;
  readonly unsafe: number;
  readonly expectMismatches: number;
  readonly acquireP50Ms: number | null;
  readonly acquireP99Ms: number | null;
  readonly messagesPerSection: number | null;
  readonly recoveryMs: RecoverySummary;
}

/** SPEC §6: what `suite --json` prints, byte-identical whatever `--workers` is. */
export interface SuiteDocument {
  readonly suite: SuiteHeader;
  /** One §4 RunResult per scenario, ordered by scenario name (code points). */
  readonly results: readonly RunResult[];
  readonly summary: Readonly<Record<string, DesignSummary>>;
}

/** A scenario the suite will run: its name, how to load it again (in a worker), and the designs it runs on. */
export interface PlannedScenario {
  readonly name: string;
  /** A file path, or a built-in scenario's name: what `loadScenarioFile` takes. */
  readonly source: string;
  /** The file it was read from (for messages). */
  readonly file: string;
  /** The designs it runs on: its own, filtered by `--design`, in its own order. */
  readonly designs: readonly string[];
}

/** One unit of work: a scenario on one design (what a worker receives; structured-clone-able). */
export interface SuiteJob {
  /** Position in the suite's job list (results are put back in this order). */
  readonly index: number;
  readonly scenario: string;
  readonly source: string;
  readonly design: string;
  /** Folder to write `<scenario>/<design>.history.jsonl` and `.trace.txt` into (a staging folder), if any. */
  readonly outDir?: string;
  /** Record the run's timeline (`DesignResult.timeline`) in the result JSON. */
  readonly timeline?: boolean;
}

/** What a job hands back: the RunResult of its one design as JSON text, or why it failed. */
export type JobOutcome =
  | { readonly ok: true; readonly json: string; readonly ms: number }
  | { readonly ok: false; readonly error: JobFailure };

/** A job's failure, as plain data (errors do not cross threads with their class). */
export interface JobFailure {
  /** `input`: bad input (exit 2); `internal`: a bug (exit 3, with the stack). */
  readonly kind: 'input' | 'internal';
  readonly message: string;
  readonly stack?: string;
}
