/**
 * The suite's tables as HTML: the scenarios × designs matrix (the terminal
 * matrix's cells, render-suite.ts `cellOf`; each cell links to its run,
 * each row head to its scenario) and the per-design summary table (the
 * same columns as `suite`'s). Escaped throughout.
 */
import type { CheckResult, RunResult } from '../../sim/harness/result.ts';
import type { DesignSummary } from '../../sim/suite/types.ts';
import { CHECK_ORDER } from '../render-run.ts';
import { LEGEND, SUMMARY_HEAD, cellOf, summaryRow } from '../render-suite.ts';
import { esc } from './escape.ts';
import { checkOf, isSkipped } from './model.ts';
import { runAnchor, scenarioAnchor } from './run-section.ts';

/** What a cell's hover says: the skip reason, the first broken check's detail or first violation, or the mismatches. */
function cellTitle(run: RunResult, design: string): string {
  const r = run.results.find((x) => x.design === design);
  if (r === undefined) return `${design} is not in ${run.scenario}`;
  if (isSkipped(r)) return `skipped: ${r.skipped}`;
  const notes: string[] = [];
  for (const name of CHECK_ORDER) {
    const c: CheckResult | undefined = checkOf(r, name);
    if (c?.ok === false) notes.push(`${name}: ${c.violations?.[0]?.detail ?? c.detail ?? 'violated'}`);
  }
  for (const m of r.expect?.mismatches ?? []) notes.push(`expected ${m.check} ${String(m.expected)}, got ${String(m.actual)}`);
  return notes.length === 0 ? 'every check held' : notes.join('\n');
}

/** The matrix table. */
export function renderMatrix(runs: readonly RunResult[], designs: readonly string[]): string {
  const out = ['<table class="mx"><thead><tr><th>scenario</th>', ...designs.map((d) => `<th>${esc(d)}</th>`), '</tr></thead><tbody>'];
  runs.forEach((run, i) => {
    out.push(`<tr><th><a href="#${scenarioAnchor(i)}">${esc(run.scenario)}</a></th>`);
    for (const design of designs) {
      const j = run.results.findIndex((r) => r.design === design);
      const cell = cellOf(j < 0 ? undefined : run.results[j]);
      const cls = `c-${cell.kind}${cell.mismatch ? ' mm' : ''}`;
      if (j < 0) out.push(`<td class="${cls}">${esc(cell.text)}</td>`);
      else out.push(`<td class="${cls}"><a href="#${runAnchor(i, j)}" title="${esc(cellTitle(run, design))}">${esc(cell.text)}</a></td>`);
    }
    out.push('</tr>');
  });
  out.push(`</tbody></table><p class="lg">${esc(LEGEND)}</p>`);
  return out.join('');
}

/** The per-design summary table. */
export function renderSummaryTable(runs: readonly RunResult[], designs: readonly string[], summary: Readonly<Record<string, DesignSummary>>): string {
  const head = SUMMARY_HEAD.map((h) => `<th>${esc(h)}</th>`).join('');
  const rows = designs.map((d) => `<tr>${summaryRow(runs, d, summary[d]).map((v, i) => (i === 0 ? `<th>${esc(v)}</th>` : `<td>${esc(v)}</td>`)).join('')}</tr>`);
  return `<table class="sm"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
