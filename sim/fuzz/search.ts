/**
 * The fuzz session: splits the runs into batches (tasks), hands them to an
 * executor (this thread, or a tinypool of worker threads: pool.ts), then
 * shrinks the first failing runs of each design and de-duplicates the
 * findings by their shrunk signature.
 *
 * Same seed ⇒ same findings, whatever the number of workers: run k of
 * design d is a pure function of (seed, d, k) (engine.ts), the runs done
 * are fixed by `--runs` (with `--time`, by how many batches finished:
 * whichever finished, the findings are a function of that set), the runs
 * shrunk are the lowest-numbered failing ones per design, and findings are
 * ordered by design (as given), then run index. `--shard i/n` takes the runs
 * k with k mod n = i − 1, so n shards together do the unsharded runs.
 */
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import type { CheckName } from '../scenario/types.ts';
import { addCoverage, emptyCoverage, sortedCoverage, type Coverage } from './coverage.ts';
import { fuzzRun, shrinkRun, type Finding, type FuzzConfig } from './engine.ts';

/** A unit of work for an executor (plain data: it crosses to worker threads). */
export type FuzzTask =
  | {
      readonly kind: 'batch';
      readonly config: FuzzConfig;
      readonly design: string;
      readonly indices: readonly number[];
      /** Runs of `indices` whose traceHash comes back (`--check-determinism`'s sample). */
      readonly hashIndices?: readonly number[];
    }
  | { readonly kind: 'shrink'; readonly config: FuzzConfig; readonly design: string; readonly index: number };

export type FuzzTaskResult =
  | {
      readonly kind: 'batch';
      readonly design: string;
      readonly failures: ReadonlyArray<readonly [number, CheckName]>;
      readonly coverage: Coverage;
      readonly runs: number;
      readonly events: number;
      /** [run index, traceHash] of the runs in `hashIndices`. */
      readonly hashes?: ReadonlyArray<readonly [number, string]>;
    }
  | { readonly kind: 'shrink'; readonly finding: Finding };

/** Runs one task in this thread (the worker entry calls this with the built-in registry). */
export function runFuzzTask(task: FuzzTask, registry: DesignRegistry): FuzzTaskResult {
  if (task.kind === 'shrink') return { kind: 'shrink', finding: shrinkRun(registry, task.config, task.design, task.index) };
  const coverage = emptyCoverage();
  const failures: Array<readonly [number, CheckName]> = [];
  let events = 0;
  const hashed = new Set(task.hashIndices ?? []);
  const hashes: Array<readonly [number, string]> = [];
  for (const index of task.indices) {
    const outcome = fuzzRun(registry, task.config, task.design, index);
    addCoverage(coverage, outcome.coverage);
    events += outcome.events;
    if (outcome.failed !== null) failures.push([index, outcome.failed]);
    if (hashed.has(index)) hashes.push([index, outcome.traceHash]);
  }
  return { kind: 'batch', design: task.design, failures, coverage, runs: task.indices.length, events, ...(hashes.length === 0 ? {} : { hashes }) };
}

export type Executor = (task: FuzzTask) => Promise<FuzzTaskResult>;

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export interface FuzzPlan {
  readonly designs: readonly string[];
  readonly config: FuzzConfig;
  /** Runs per design (before sharding); undefined: until `shouldStop` says so. */
  readonly runs?: number;
  readonly shard?: Shard;
  /** Failing runs shrunk per design (the lowest-numbered); the rest are counted only. */
  readonly shrinkPerDesign: number;
  /** Runs per task. */
  readonly batchSize: number;
  /** Tasks in flight at once when running until `shouldStop` (about 2 × workers). */
  readonly inFlight: number;
  /** The first N runs of each design (of this shard), or all, report their traceHash to `onRunHash` (`--check-determinism`). */
  readonly hashSample?: number | 'all';
}

export interface FuzzHooks {
  /** Time budget: asked before each batch is started (`--time`). */
  readonly shouldStop?: () => boolean;
  /** After each batch: runs done and failing runs so far. */
  readonly onProgress?: (runs: number, failedRuns: number) => void;
  /** The traceHash a worker got for run `index` of `design`, for the runs of `hashSample`. */
  readonly onRunHash?: (design: string, index: number, traceHash: string) => void;
}

/** The fuzz document (SPEC §2's fuzz row, plus the session's parameters). No wall time in it. */
export interface FuzzReport {
  readonly fuzz: {
    readonly seed: number;
    readonly designs: readonly string[];
    readonly property: CheckName | 'default';
    readonly durationMs: number;
    readonly maxFaults: number;
    readonly shard: string | null;
  };
  readonly runs: number;
  /** Per design: runs done, failing runs (before shrinking), findings kept. */
  readonly designs: Readonly<Record<string, { readonly runs: number; readonly failedRuns: number; readonly findings: number }>>;
  readonly findings: readonly Finding[];
  readonly coverage: Coverage;
  /** Events simulated (for runs/s and events/s on stderr; deterministic). */
  readonly events: number;
}

/** Run index `j` of this shard → the run index of the unsharded session. */
function globalIndex(j: number, shard: Shard | undefined): number {
  return shard === undefined ? j : j * shard.count + (shard.index - 1);
}

/** Runs the session. */
export async function runFuzz(plan: FuzzPlan, execute: Executor, hooks: FuzzHooks = {}): Promise<FuzzReport> {
  const perDesign = new Map(plan.designs.map((d) => [d, { runs: 0, failures: [] as Array<readonly [number, CheckName]> }]));
  const coverage = emptyCoverage();
  let runs = 0;
  let failed = 0;
  let events = 0;
  const collect = (result: FuzzTaskResult): void => {
    if (result.kind !== 'batch') throw new Error('a batch task came back as a shrink');
    const d = perDesign.get(result.design)!;
    d.runs += result.runs;
    d.failures.push(...result.failures);
    addCoverage(coverage, result.coverage);
    runs += result.runs;
    failed += result.failures.length;
    events += result.events;
    for (const [index, hash] of result.hashes ?? []) hooks.onRunHash?.(result.design, index, hash);
    hooks.onProgress?.(runs, failed);
  };

  // The batches, round-robin over the designs so a time budget spreads over them all.
  const next = batchSource(plan);
  if (plan.runs !== undefined) {
    const tasks: FuzzTask[] = [];
    for (let task = next(); task !== undefined; task = next()) tasks.push(task);
    await Promise.all(tasks.map(async (task) => collect(await execute(task))));
  } else {
    const stop = hooks.shouldStop ?? (() => false);
    const lanes = Array.from({ length: Math.max(1, plan.inFlight) }, async () => {
      while (!stop()) {
        const task = next();
        if (task === undefined) return;
        collect(await execute(task));
      }
    });
    await Promise.all(lanes);
  }

  // Shrink the lowest-numbered failing runs of each design.
  const shrinkTasks: FuzzTask[] = [];
  for (const design of plan.designs) {
    const failures = [...perDesign.get(design)!.failures].sort((a, b) => a[0] - b[0]);
    for (const [index] of failures.slice(0, plan.shrinkPerDesign)) shrinkTasks.push({ kind: 'shrink', config: plan.config, design, index });
  }
  const shrunk = await Promise.all(
    shrinkTasks.map(async (task) => {
      const result = await execute(task);
      if (result.kind !== 'shrink') throw new Error('a shrink task came back as a batch');
      return result.finding;
    }),
  );
  const seen = new Set<string>();
  const findings = shrunk.filter((f) => {
    if (seen.has(f.signature)) return false;
    seen.add(f.signature);
    return true;
  });

  return {
    fuzz: {
      seed: plan.config.seed,
      designs: plan.designs,
      property: plan.config.property ?? 'default',
      durationMs: plan.config.durationMs,
      maxFaults: plan.config.maxFaults,
      shard: plan.shard === undefined ? null : `${plan.shard.index}/${plan.shard.count}`,
    },
    runs,
    designs: Object.fromEntries(
      plan.designs.map((d) => {
        const p = perDesign.get(d)!;
        return [d, { runs: p.runs, failedRuns: p.failures.length, findings: findings.filter((f) => f.design === d).length }];
      }),
    ),
    findings,
    coverage: sortedCoverage(coverage),
    events,
  };
}

/** Yields the session's batches in order (round-robin over designs), until `runs` per design are planned. */
function batchSource(plan: FuzzPlan): () => FuzzTask | undefined {
  const local = plan.runs === undefined ? Infinity : plan.shard === undefined ? plan.runs : countInShard(plan.runs, plan.shard);
  let start = 0;
  let design = 0;
  return () => {
    if (plan.designs.length === 0 || start >= local) return undefined;
    const count = Math.min(plan.batchSize, local - start);
    const indices = Array.from({ length: count }, (_, i) => globalIndex(start + i, plan.shard));
    const sample = plan.hashSample === undefined ? 0 : plan.hashSample === 'all' ? Infinity : plan.hashSample;
    const hashIndices = indices.filter((_, i) => start + i < sample);
    const task: FuzzTask = { kind: 'batch', config: plan.config, design: plan.designs[design], indices, ...(hashIndices.length === 0 ? {} : { hashIndices }) };
    design++;
    if (design === plan.designs.length) {
      design = 0;
      start += count;
    }
    return task;
  };
}

/** How many of runs 0..runs−1 fall in the shard. */
function countInShard(runs: number, shard: Shard): number {
  return Math.max(0, Math.ceil((runs - (shard.index - 1)) / shard.count));
}
