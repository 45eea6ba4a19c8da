/**
 * A whole suite run, start to end, for the CLI and the benchmarks:
 * discover and validate the scenarios (discover.ts), keep this shard's
 * slice (shard.ts), run every scenario × design as a job on the pool
 * (jobs.ts, pool.ts), regroup the results into the §6 document
 * (document.ts, summary.ts) and, with an out folder, write it
 * (out-folder.ts) — committed only once everything ran, dropped on error.
 *
 * Timelines (`timeline`, on by default with an out folder): each job also
 * records its designs' timelines; they go into `DIR/<scenario>.json` and
 * `SuiteRun.runs` (for a report), never into the document, which stays
 * byte-identical to a run without them.
 *
 * The document is a function of the scenarios, the designs and the shard
 * alone: the worker count, the order jobs finish in and the wall clock
 * never enter it. Wall times are returned beside it (`timings`), for
 * stderr and `--timings FILE`.
 */
import { performance } from 'node:perf_hooks';
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import type { RunResult } from '../harness/result.ts';
import { discoverScenarios, suiteDesigns } from './discover.ts';
import { documentJson, groupResults, runResultJson, suiteDocument } from './document.ts';
import { planJobs } from './jobs.ts';
import { checkOutName, openOutFolder, SUITE_FILE, type OutFolder } from './out-folder.ts';
import { runJobs } from './pool.ts';
import { selectShard, shardLabel, type Shard } from './shard.ts';
import type { PlannedScenario, SuiteDocument, SuiteJob } from './types.ts';

/** What to run. */
export interface SuiteRequest {
  /** Scenario files, folders or built-in names; empty: the built-in suite. */
  readonly args: readonly string[];
  /** `--design`: registered names; undefined: every scenario's own designs. */
  readonly designs?: readonly string[];
  readonly shard?: Shard;
  /** Threads (1: this thread). */
  readonly workers: number;
  /** `--out DIR`. */
  readonly outDir?: string;
  /**
   * Record every run's timeline (`DesignResult.timeline`): in `runs` and
   * `DIR/<scenario>.json`, not in the document. Default: with `outDir` only.
   */
  readonly timeline?: boolean;
}

/** How to run it. */
export interface SuiteEnv {
  readonly registry: DesignRegistry;
  /** The worker module (see pool.ts); without it every job runs in this thread. */
  readonly workerUrl?: string;
  /** Called once the jobs are known (e.g. to start a progress bar). */
  readonly onPlanned?: (jobs: readonly SuiteJob[], scenarios: readonly PlannedScenario[]) => void;
  /** Called as each job finishes. */
  readonly onJobDone?: (job: SuiteJob) => void;
}

/** Wall-clock figures of a run (never in the document). */
export interface SuiteTimings {
  readonly wallMs: number;
  readonly workers: number;
  readonly jobs: ReadonlyArray<{ readonly scenario: string; readonly design: string; readonly ms: number }>;
}

/** A finished suite. */
export interface SuiteRun {
  /** The §6 document (no timelines). */
  readonly document: SuiteDocument;
  /** One RunResult per scenario, as in `document.results`, with the timelines when they were recorded. */
  readonly runs: readonly RunResult[];
  readonly timings: SuiteTimings;
  /** Files written under `outDir` (relative to it), in commit order. */
  readonly files: readonly string[];
}

/** Runs a suite. Throws InputError for bad input (nothing is written then). */
export async function runSuite(request: SuiteRequest, env: SuiteEnv): Promise<SuiteRun> {
  const start = performance.now();
  const all = discoverScenarios(env.registry, { args: request.args, ...(request.designs === undefined ? {} : { designs: request.designs }) });
  const designs = suiteDesigns(env.registry, all, request.designs);
  const scenarios = selectShard(all, request.shard);
  if (request.outDir !== undefined) for (const s of scenarios) checkOutName(s.name, s.file, '--out', true);

  const out: OutFolder | undefined = request.outDir === undefined ? undefined : openOutFolder(request.outDir, '--out');
  try {
    const jobs = planJobs(scenarios, out?.staging, request.timeline ?? request.outDir !== undefined);
    env.onPlanned?.(jobs, scenarios);
    // Threads actually used: capped at the jobs; none without a worker module.
    const workers = env.workerUrl === undefined ? 1 : Math.max(1, Math.min(request.workers, jobs.length));
    const done = await runJobs(jobs, { workers, registry: env.registry, ...(env.workerUrl === undefined ? {} : { workerUrl: env.workerUrl }), ...(env.onJobDone === undefined ? {} : { onJobDone: env.onJobDone }) });
    const runs = groupResults(jobs, done);
    const document = suiteDocument(designs, shardLabel(request.shard), runs);
    let files: string[] = [];
    if (out !== undefined) {
      for (const run of runs) out.write(`${run.scenario}.json`, runResultJson(run));
      out.write(SUITE_FILE, documentJson(document));
      files = out.commit();
    }
    const timings: SuiteTimings = {
      wallMs: Math.round(performance.now() - start),
      workers,
      jobs: jobs.map((job, i) => ({ scenario: job.scenario, design: job.design, ms: done[i].ms })),
    };
    return { document, runs, timings, files };
  } catch (error) {
    out?.abort();
    throw error;
  }
}

/**
 * The whole built-in suite on every design its scenarios list, unsharded
 * (what `bench` times as `suite.wallMs`). `workerUrl` as for `runSuite`.
 */
export async function runBuiltinSuite(registry: DesignRegistry, options: { readonly workers: number; readonly workerUrl?: string }): Promise<SuiteRun> {
  return runSuite({ args: [], workers: options.workers }, { registry, ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }) });
}
