/**
 * The self-contained HTML report (SPEC §8; `run --report`, `suite
 * --report`, `report`): one file, data inlined, no request of any kind,
 * opens from disk. In order: the scenarios × designs matrix (each cell
 * links to its run), the per-design summary and the charts (consistency,
 * latency, cost, availability; Vega-Lite rendered to inline SVG at build
 * time), the fuzz findings if any, then per scenario and design the
 * verdicts, metrics, faults, violations and the swimlane timeline.
 *
 * Deterministic: the same input gives the same bytes (no time, no random
 * id). Pure apart from loading vega on first use; imports only types from sim/.
 */
import { renderCharts } from '../charts/index.ts';
import { suiteHeadline } from '../render-suite.ts';
import { esc } from './escape.ts';
import { renderFuzzSection } from './fuzz-section.ts';
import { renderMatrix, renderSummaryTable } from './matrix.ts';
import { fuzzDocuments, reportDesigns, reportSummary, type ReportInput } from './model.ts';
import { renderPage } from './page.ts';
import { renderRunSection } from './run-section.ts';

export type { FuzzFindingInput, FuzzInput, ReportInput, ReportSuite } from './model.ts';

/** The report as one HTML document. */
export async function renderHtmlReport(input: ReportInput): Promise<string> {
  const designs = reportDesigns(input);
  const summary = reportSummary(input);
  const fuzz = fuzzDocuments(input);
  const runs = input.runs;
  const designRuns = runs.reduce((a, run) => a + run.results.length, 0);
  const headline = suiteHeadline({ suite: { scenarios: runs.length, designs, shard: input.suite?.shard ?? null }, results: runs, summary });
  const sections: string[] = [];
  if (runs.length > 0) {
    sections.push(`<section id="matrix"><h2>Scenarios × designs <small>${esc(headline)}, ${designRuns} runs</small></h2>${renderMatrix(runs, designs)}</section>`);
    const charts = await renderCharts({ runs, designs, summary });
    const figures = charts.map((c) => `<figure data-chart="${c.name}"><figcaption>${esc(c.caption)}</figcaption>${c.svg}</figure>`).join('');
    sections.push(`<section id="summary"><h2>Per design</h2>${renderSummaryTable(runs, designs, summary)}<div class="charts">${figures}</div></section>`);
  }
  const fuzzSection = renderFuzzSection(fuzz);
  if (fuzzSection !== '') sections.push(fuzzSection);
  if (runs.length > 0) {
    sections.push(`<section id="runs"><h2>Runs <small>times are from the workload's start (readyMs; the checkers' details quote true time); hover for details, click a violation to zoom</small></h2>${runs.map((run, i) => renderRunSection(run, i)).join('\n')}</section>`);
  }
  if (sections.length === 0) sections.push('<p class="nt">Nothing to report: no run and no fuzz document.</p>');
  const data = {
    title: input.title,
    sources: input.sources,
    ...(input.suite === undefined ? {} : { suite: input.suite }),
    runs: runs.map((run) => ({ ...run, results: run.results.map(({ timeline: _timeline, ...rest }) => rest) })),
    ...(fuzz.length === 0 ? {} : { fuzz }),
  };
  return renderPage({ title: input.title, sources: input.sources, headline: esc(fuzz.length > 0 && runs.length === 0 ? `${fuzz.length} fuzz document${fuzz.length === 1 ? '' : 's'}` : `${headline}, ${designRuns} runs`), sections, data });
}
