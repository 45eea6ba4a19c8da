/**
 * The report's Vega-Lite specs, one function per chart, each a pure
 * function of its rows (charts/data.ts). Inline data only (nothing to
 * load), no clipping (no clip-path to reference), no ARIA text (it would
 * double the SVG's size), the browser's sans-serif font (none to fetch).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LatencyRow, MessagesRow, RecoveryRow, VerdictRow } from './data.ts';

const WIDTH = 340;

const CONFIG = {
  aria: false,
  background: 'transparent',
  font: 'sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, orient: 'bottom' as const, title: null },
};

/** The y axis: one band per design, in column order. */
function designAxis(designs: readonly string[]): Record<string, unknown> {
  return { field: 'design', type: 'nominal', sort: [...designs], title: null };
}

/** Consistency: runs safe / unsafe / not judged / skipped, stacked per design. */
export function verdictSpec(rows: readonly VerdictRow[], designs: readonly string[]): TopLevelSpec {
  const order = { safe: 0, unsafe: 1, 'not judged': 2, skipped: 3 };
  const colours = { safe: '#59a14f', unsafe: '#d62728', 'not judged': '#edc948', skipped: '#bab0ac' };
  // Only the verdicts that occur, in this order (a legend entry with no bar would puzzle).
  const shown = (Object.keys(order) as Array<keyof typeof order>).filter((v) => rows.some((r) => r.verdict === v));
  return {
    config: CONFIG,
    width: WIDTH,
    height: { step: 20 },
    data: { values: rows.map((r) => ({ ...r, o: order[r.verdict] })) },
    mark: { type: 'bar' },
    encoding: {
      y: designAxis(designs),
      x: { field: 'runs', type: 'quantitative', stack: 'zero', title: 'runs', axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'verdict', type: 'nominal', scale: { domain: shown, range: shown.map((v) => colours[v]) } },
      order: { field: 'o', type: 'quantitative' },
    },
  } as TopLevelSpec;
}

/** Latency: a box (min–max whiskers) per design over every granted acquire, or each run's p50 and p99 as ticks; log scale. */
export function latencySpec(rows: readonly LatencyRow[], designs: readonly string[], source: 'acquires' | 'runs'): TopLevelSpec {
  const x = { field: 'ms', type: 'quantitative', scale: { type: 'log' }, axis: { grid: false }, title: source === 'acquires' ? 'acquire latency, every granted acquire (ms, log)' : "each run's acquire p50 and p99 (ms, log)" };
  if (source === 'acquires') {
    return {
      config: CONFIG,
      width: WIDTH,
      height: { step: 20 },
      data: { values: rows.map((r) => ({ design: r.design, ms: r.ms })) },
      mark: { type: 'boxplot', extent: 'min-max', size: 12, color: '#4e79a7' },
      encoding: { y: designAxis(designs), x },
    } as TopLevelSpec;
  }
  return {
    config: CONFIG,
    width: WIDTH,
    height: { step: 12 },
    data: { values: rows },
    mark: { type: 'tick', thickness: 1.5, opacity: 0.7 },
    encoding: {
      y: designAxis(designs),
      yOffset: { field: 'stat', type: 'nominal', sort: ['p50', 'p99'] },
      x,
      color: { field: 'stat', type: 'nominal', sort: ['p50', 'p99'], scale: { range: ['#4e79a7', '#f28e2b'] } },
    },
  } as TopLevelSpec;
}

/** Cost: messages per completed section, a bar per design with its figure. */
export function messagesSpec(rows: readonly MessagesRow[], designs: readonly string[]): TopLevelSpec {
  return {
    config: CONFIG,
    width: WIDTH,
    height: { step: 20 },
    data: { values: rows },
    encoding: { y: designAxis(designs), x: { field: 'perSection', type: 'quantitative', title: 'messages per section' } },
    layer: [
      { mark: { type: 'bar', color: '#76b7b2' } },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { text: { field: 'perSection', type: 'quantitative', format: '.1f' } } },
    ],
  } as TopLevelSpec;
}

/** Availability: per design, each faulted run's recovery time and unavailable time as ticks, in seconds. */
export function recoverySpec(rows: readonly RecoveryRow[], designs: readonly string[]): TopLevelSpec {
  return {
    config: CONFIG,
    width: WIDTH,
    height: { step: 12 },
    data: { values: rows.map((r) => ({ design: r.design, measure: r.measure, s: r.ms / 1000 })) },
    mark: { type: 'tick', thickness: 1.5, opacity: 0.6 },
    encoding: {
      y: designAxis(designs),
      yOffset: { field: 'measure', type: 'nominal', sort: ['recovery', 'unavailable'] },
      x: { field: 's', type: 'quantitative', title: 'seconds, one tick per run with a fault' },
      color: { field: 'measure', type: 'nominal', sort: ['recovery', 'unavailable'], scale: { range: ['#4e79a7', '#e15759'] } },
    },
  } as TopLevelSpec;
}
