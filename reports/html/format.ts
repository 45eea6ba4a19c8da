/**
 * Numbers as the report writes them: SVG coordinates (milliseconds with at
 * most three decimals, so a true µs time is exact and the markup stays
 * short), times relative to the workload's start, and the time axis's
 * ticks. The page's script (script.ts) repeats `niceStepMs` and
 * `tickLabel` to redraw the axis when a timeline is zoomed: keep them alike.
 */

/** A coordinate: at most three decimals, no trailing zeros, never `-0`. */
export function coord(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  return String(rounded === 0 ? 0 : rounded);
}

/** A span in ms as people read it: `3.1 ms`, `10.049 s`. */
export function formatMsShort(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 1000) return `${coord(ms / 1000)} s`;
  return `${coord(ms)} ms`;
}

/** A tick step (ms) for a span of `spanMs`: 1, 2 or 5 × 10^k, about eight ticks. */
export function niceStepMs(spanMs: number): number {
  const raw = Math.max(spanMs, 1e-3) / 8;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  return (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * magnitude;
}

/** A tick's label: seconds when the step is a second or more, else milliseconds. */
export function tickLabel(tMs: number, stepMs: number): string {
  return stepMs >= 1000 ? `${+(tMs / 1000).toFixed(6)}s` : `${+tMs.toFixed(6)}ms`;
}

/** The ticks (ms) from `fromMs` to `toMs` at `niceStepMs`. */
export function ticksMs(fromMs: number, toMs: number): { stepMs: number; ticks: number[] } {
  const stepMs = niceStepMs(toMs - fromMs);
  const ticks: number[] = [];
  for (let k = Math.ceil(fromMs / stepMs); k * stepMs <= toMs; k++) ticks.push(k * stepMs);
  return { stepMs, ticks };
}
