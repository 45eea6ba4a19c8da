/**
 * The per-design summary of a suite (SPEC §6), computed from the results
 * alone (so a merge of shards recomputes exactly the unsharded summary):
 *
 * - `runs`: the scenarios the design ran in (a skipped design — a fault
 *   that cannot apply to it — is not a run and counts nowhere);
 * - `safe` / `unsafe`: runs whose `safe` is true / false;
 * - `expectMismatches`: runs whose `expect` was not met (a run with two
 *   checks off counts once);
 * - `acquireP50Ms`, `acquireP99Ms`: the median over runs of each run's own
 *   p50 and p99 (runs without acquires left out), i.e. the typical
 *   scenario's figure, not a percentile of all acquires pooled;
 * - `messagesPerSection`: all messages ÷ all completed sections, over the
 *   runs (one decimal; null with no section);
 * - `recoveryMs`: `p50` the median and `max` the largest of the runs'
 *   `metrics.recoveryMs` (runs without one left out: no fault ended, or the
 *   liveness phase is not reported).
 *
 * "Median" is the lower median (the ⌈n/2⌉-th smallest), so every figure
 * is one a run reported and no averaging enters. No wall-clock figure.
 */
import type { DesignResult, RunResult } from '../harness/result.ts';
import type { DesignSummary } from './types.ts';

/** The lower median of `values` (null when empty). */
export function lowerMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1];
}

/** A metric as a number, or undefined when absent or null. */
function metric(result: DesignResult, name: string): number | undefined {
  const value = (result.metrics as Readonly<Record<string, number | null | undefined>>)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Whether a result is a skipped design (did not run). */
export function isSkipped(result: DesignResult): boolean {
  return typeof (result as { skipped?: unknown }).skipped === 'string';
}

/** One design's summary over its results. */
export function summariseDesign(results: readonly DesignResult[]): DesignSummary {
  const ran = results.filter((r) => !isSkipped(r));
  const numbers = (name: string): number[] => ran.map((r) => metric(r, name)).filter((v): v is number => v !== undefined);
  const messages = numbers('messages').reduce((a, b) => a + b, 0);
  const sections = numbers('sections').reduce((a, b) => a + b, 0);
  const recovery = numbers('recoveryMs');
  const safe = ran.filter((r) => r.safe === true).length;
  return {
    runs: ran.length,
    safe,
    unsafe: ran.filter((r) => r.safe === false).length,
    expectMismatches: results.filter((r) => r.expect?.met === false).length,
    acquireP50Ms: lowerMedian(numbers('acquireP50Ms')),
    acquireP99Ms: lowerMedian(numbers('acquireP99Ms')),
    messagesPerSection: sections === 0 ? null : Math.round((messages / sections) * 10) / 10,
    recoveryMs: { p50: lowerMedian(recovery), max: recovery.length === 0 ? null : Math.max(...recovery) },
  };
}

/** The summary of every design in `designs` (in that order) over the scenarios' results. */
export function summarise(designs: readonly string[], results: readonly RunResult[]): Record<string, DesignSummary> {
  const summary: Record<string, DesignSummary> = {};
  for (const design of designs) summary[design] = summariseDesign(results.flatMap((run) => run.results.filter((r) => r.design === design)));
  return summary;
}
