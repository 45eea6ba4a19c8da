/**
 * The suite's charts as inline SVG, rendered at build time (render-svg.ts):
 * consistency (verdicts per design), latency (acquire latency per design),
 * cost (messages per section) and availability (recovery and unavailable
 * time after faults), side by side so the designs' trade-off shows at a
 * glance. A chart without data is left out.
 */
import { chartData, type ChartInput } from './data.ts';
import { vegaLiteToSvg } from './render-svg.ts';
import { latencySpec, messagesSpec, recoverySpec, verdictSpec } from './specs.ts';

export type { ChartInput } from './data.ts';

/** One rendered chart. */
export interface Chart {
  /** A short stable name (`verdicts`, `latency`, `messages`, `recovery`), also its ids' prefix. */
  readonly name: string;
  /** What it shows (plain text; the page escapes it). */
  readonly caption: string;
  readonly svg: string;
}

/** The charts, in display order. */
export async function renderCharts(input: ChartInput): Promise<Chart[]> {
  const data = chartData(input);
  const designs = input.designs;
  const planned = [
    { name: 'verdicts', caption: 'Consistency: runs per design that kept every safety check, broke one, or were skipped', rows: data.verdicts.length, spec: () => verdictSpec(data.verdicts, designs) },
    {
      name: 'latency',
      caption: data.latencySource === 'acquires' ? `Latency: every granted acquire (${data.latency.length}), from the timelines` : "Latency: each run's acquire p50 and p99 (no timelines recorded)",
      rows: data.latency.length,
      spec: () => latencySpec(data.latency, designs, data.latencySource),
    },
    { name: 'messages', caption: 'Cost: messages per completed section', rows: data.messages.length, spec: () => messagesSpec(data.messages, designs) },
    { name: 'recovery', caption: 'Availability: after faults, time to the first section after the last fault ended (recovery) and time nobody held the lock (unavailable), per run', rows: data.recovery.length, spec: () => recoverySpec(data.recovery, designs) },
  ];
  const charts: Chart[] = [];
  for (const p of planned) {
    if (p.rows === 0) continue;
    charts.push({ name: p.name, caption: p.caption, svg: await vegaLiteToSvg(p.spec(), `ch-${p.name}`) });
  }
  return charts;
}
