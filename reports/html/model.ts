/**
 * What the HTML and Markdown reports are made from (`ReportInput`), and the
 * few things both derive from it the same way: the designs in column
 * order, the per-design summary (the suite document's when there is one,
 * else computed from the runs as sim/suite/summary.ts does), the fuzz
 * documents as a list. Plain data in, plain data out; types only from sim/.
 */
import type { CheckResult, DesignResult, RunResult } from '../../sim/harness/result.ts';
import type { CheckName } from '../../sim/scenario/types.ts';
import type { DesignSummary } from '../../sim/suite/types.ts';

/** The suite header and summary, as a suite document (SPEC §6) carries them. */
export interface ReportSuite {
  /** The matrix's columns, in the registry's order. */
  readonly designs: readonly string[];
  /** `"i/n"` for one shard, null unsharded or merged. */
  readonly shard: string | null;
  /** Per design, as `suite --json` computed it. */
  readonly summary: Readonly<Record<string, DesignSummary>>;
}

/** One finding of `fuzz --json` (SPEC §2; sim/fuzz/engine.ts `Finding`, restated: reports may not import sim/fuzz). */
export interface FuzzFindingInput {
  readonly design: string;
  readonly property: string;
  /** A SPEC §3 scenario object that `run` reproduces. */
  readonly scenario: Readonly<Record<string, unknown>>;
  /** `locksim replay <token>` re-runs it. */
  readonly replay: string;
  readonly shrinks: number;
  readonly traceHash: string;
  /** The violated check's detail and first violations. */
  readonly violation?: unknown;
  readonly run?: number;
  readonly signature?: string;
}

/** A `fuzz --json` document (sim/fuzz/search.ts `FuzzReport`; only `runs` and `findings` are required). */
export interface FuzzInput {
  readonly runs: number;
  readonly findings: readonly FuzzFindingInput[];
  /** Counters of what the fuzzer's faults did (sim/fuzz/coverage.ts); shown as nested name/number pairs. */
  readonly coverage?: unknown;
  /** The session's parameters. */
  readonly fuzz?: {
    readonly seed?: number;
    readonly designs?: readonly string[];
    readonly property?: string;
    readonly shard?: string | null;
    readonly durationMs?: number;
    readonly maxFaults?: number;
  };
  /** Per design: runs done, failing runs (before shrinking), findings kept. */
  readonly designs?: Readonly<Record<string, { readonly runs: number; readonly failedRuns: number; readonly findings: number }>>;
}

/**
 * What `renderHtmlReport` and `renderMarkdownReport` take.
 *
 * - `title`: the page's heading (escaped).
 * - `sources`: the files or folders it was made from, shown (escaped) under the title.
 * - `runs`: SPEC §4 RunResults, one per scenario, in the order to show them
 *   (a suite's order: by scenario name). A design result's `timeline`
 *   (`RunOptions.timeline`) draws its swimlanes; without one the run still
 *   gets its verdicts and a line saying no timeline was recorded.
 * - `suite`: from a suite document (SPEC §6), when there is one: its
 *   designs (the matrix's columns) and shard. Without it the designs are
 *   those the runs name.
 * - `summary`: per design, as sim/suite/summary.ts computes it over `runs`
 *   (the caller's job: reports render, they do not aggregate).
 * - `fuzz`: one or more `fuzz --json` documents (e.g. one per shard).
 */
export interface ReportInput {
  readonly title: string;
  readonly sources: readonly string[];
  readonly runs: readonly RunResult[];
  readonly suite?: ReportSuite;
  readonly summary: Readonly<Record<string, DesignSummary>>;
  readonly fuzz?: FuzzInput | readonly FuzzInput[];
}

/** Whether a design result was skipped (did not run). */
export function isSkipped(result: DesignResult): boolean {
  return typeof (result as { skipped?: unknown }).skipped === 'string';
}

/** A design result's check, if it has one. */
export function checkOf(result: DesignResult, name: CheckName): CheckResult | undefined {
  return (result.checks as Partial<Record<CheckName, CheckResult>>)[name];
}

/** A metric as a finite number, or undefined. */
export function metricOf(result: DesignResult, name: string): number | undefined {
  const value = (result.metrics as Readonly<Record<string, number | null | undefined>> | undefined)?.[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The designs in column order: the suite's, else those of the run that
 * names the most (its order), then any other in order of first appearance.
 */
export function reportDesigns(input: Pick<ReportInput, 'runs' | 'suite'>): string[] {
  if (input.suite !== undefined) return [...input.suite.designs];
  let widest: readonly DesignResult[] = [];
  for (const run of input.runs) if (run.results.length > widest.length) widest = run.results;
  const designs = widest.map((r) => r.design);
  for (const run of input.runs) for (const r of run.results) if (!designs.includes(r.design)) designs.push(r.design);
  return designs;
}

/** The per-design summary the caller computed (sim/suite/summary.ts, or the suite document's). */
export function reportSummary(input: Pick<ReportInput, 'summary'>): Readonly<Record<string, DesignSummary>> {
  return input.summary;
}

/** The fuzz documents as a list. */
export function fuzzDocuments(input: Pick<ReportInput, 'fuzz'>): readonly FuzzInput[] {
  if (input.fuzz === undefined) return [];
  return Array.isArray(input.fuzz) ? (input.fuzz as readonly FuzzInput[]) : [input.fuzz as FuzzInput];
}

/** Numeric leaves of a nested object as `a.b.c` → n pairs, in key order as given (coverage counters). */
export function numericLeaves(value: unknown, prefix = ''): Array<[string, number]> {
  if (typeof value === 'number') return [[prefix, value]];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => numericLeaves(v, prefix === '' ? k : `${prefix}.${k}`));
}
