/**
 * The charts' data, taken from the runs (never re-simulated), one row per
 * point, in a fixed order (designs' order, then the runs' order) so the
 * same input gives the same charts:
 *
 * - `verdicts`: per design, how many runs were safe, unsafe, not judged or skipped;
 * - `latency`: every granted acquire's latency (ms) from the timelines'
 *   `acquires` when every run that ran has a timeline, else each run's own
 *   `acquireP50Ms` and `acquireP99Ms`;
 * - `messages`: messages per completed section, per design (the suite
 *   summary's figure when given, else all messages ÷ all sections);
 * - `recovery`: over the runs in which a fault fired, each run's
 *   `metrics.recoveryMs` (end of the last fault → first section after it)
 *   and `metrics.unavailableMs`.
 */
import type { DesignResult, RunResult } from '../../sim/harness/result.ts';
import type { DesignSummary } from '../../sim/suite/types.ts';

export interface ChartInput {
  readonly runs: readonly RunResult[];
  /** The designs in column order. */
  readonly designs: readonly string[];
  /** Per design (for messages per section). */
  readonly summary: Readonly<Record<string, DesignSummary>>;
}

export interface VerdictRow { readonly design: string; readonly verdict: 'safe' | 'unsafe' | 'not judged' | 'skipped'; readonly runs: number }
export interface LatencyRow { readonly design: string; readonly ms: number; readonly stat: string }
export interface MessagesRow { readonly design: string; readonly perSection: number }
export interface RecoveryRow { readonly design: string; readonly measure: 'recovery' | 'unavailable'; readonly ms: number }

export interface ChartData {
  readonly verdicts: readonly VerdictRow[];
  /** `acquires`: one row per granted acquire; `runs`: each run's p50 and p99. */
  readonly latencySource: 'acquires' | 'runs';
  readonly latency: readonly LatencyRow[];
  readonly messages: readonly MessagesRow[];
  readonly recovery: readonly RecoveryRow[];
}

function skipped(r: DesignResult): boolean {
  return typeof (r as { skipped?: unknown }).skipped === 'string';
}

function num(r: DesignResult, name: string): number | undefined {
  const v = (r.metrics as Readonly<Record<string, number | null | undefined>> | undefined)?.[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Rounds to a microsecond's worth of milliseconds (keeps the specs' numbers short and exact). */
function ms3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The rows of every chart. */
export function chartData(input: ChartInput): ChartData {
  const { runs, designs } = input;
  const resultsOf = (design: string): DesignResult[] => runs.flatMap((run) => run.results.filter((r) => r.design === design));
  const verdicts: VerdictRow[] = [];
  const messages: MessagesRow[] = [];
  const recovery: RecoveryRow[] = [];
  for (const design of designs) {
    const results = resultsOf(design);
    const ran = results.filter((r) => !skipped(r));
    const counts = { safe: ran.filter((r) => r.safe === true).length, unsafe: ran.filter((r) => r.safe === false).length, 'not judged': ran.filter((r) => r.safe !== true && r.safe !== false).length, skipped: results.length - ran.length };
    for (const verdict of ['safe', 'unsafe', 'not judged', 'skipped'] as const) if (counts[verdict] > 0) verdicts.push({ design, verdict, runs: counts[verdict] });
    const perSection = input.summary[design]?.messagesPerSection ?? perSectionOf(ran);
    if (perSection !== null) messages.push({ design, perSection });
    for (const r of ran) {
      if (!r.faults.some((f) => f.firedAt !== null)) continue;
      const rec = num(r, 'recoveryMs');
      if (rec !== undefined) recovery.push({ design, measure: 'recovery', ms: ms3(rec) });
      const unavailable = num(r, 'unavailableMs');
      if (unavailable !== undefined) recovery.push({ design, measure: 'unavailable', ms: ms3(unavailable) });
    }
  }
  const ranAll = designs.flatMap((d) => resultsOf(d).filter((r) => !skipped(r)));
  const fromTimelines = ranAll.length > 0 && ranAll.every((r) => r.timeline !== undefined);
  const latency: LatencyRow[] = [];
  for (const design of designs) {
    for (const r of resultsOf(design).filter((x) => !skipped(x))) {
      if (fromTimelines) {
        for (const a of r.timeline!.acquires) if (a.ok) latency.push({ design, ms: ms3(Math.max(a.endUs - a.startUs, 1) / 1000), stat: 'acquire' });
      } else {
        const p50 = num(r, 'acquireP50Ms');
        const p99 = num(r, 'acquireP99Ms');
        if (p50 !== undefined) latency.push({ design, ms: Math.max(ms3(p50), 0.001), stat: 'p50' });
        if (p99 !== undefined) latency.push({ design, ms: Math.max(ms3(p99), 0.001), stat: 'p99' });
      }
    }
  }
  return { verdicts, latencySource: fromTimelines ? 'acquires' : 'runs', latency, messages, recovery };
}

function perSectionOf(ran: readonly DesignResult[]): number | null {
  const messages = ran.reduce((a, r) => a + (num(r, 'messages') ?? 0), 0);
  const sections = ran.reduce((a, r) => a + (num(r, 'sections') ?? 0), 0);
  return sections === 0 ? null : Math.round((messages / sections) * 10) / 10;
}
