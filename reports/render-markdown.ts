/**
 * The report as Markdown (`report --format md`), for pasting into a review:
 * the scenarios × designs matrix (render-suite.ts's cells: `safe`, the
 * checks that broke, `skip`, `-`; a verdict that differs from the
 * scenario's `expect` in bold with a trailing `!`), the skip reasons, the
 * per-design metrics summary, the expectation mismatches and, when fuzz
 * documents are given, their findings with the command that replays each.
 *
 * Every cell goes through `mdCell` (`|` escaped, newlines flattened); free
 * text from a result (details, reasons) also has `<`, `>` and `&` escaped so a
 * renderer cannot take it for HTML. Same input, same bytes. Types only from sim/.
 */
import { fuzzDocuments, isSkipped, numericLeaves, reportDesigns, reportSummary, type ReportInput } from './html/model.ts';
import { LEGEND, SUMMARY_HEAD, matrixRows, mdCode, mdTable, mismatchLines, suiteHeadline, summaryRow } from './render-suite.ts';

export type { ReportInput } from './html/model.ts';

/** Free text for Markdown: HTML's special characters as entities, line breaks flattened (`mdCell` escapes `|`). */
export function mdText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

/** The report as Markdown. */
export function renderMarkdownReport(input: ReportInput): string {
  const designs = reportDesigns(input);
  const summary = reportSummary(input);
  const runs = input.runs;
  const lines: string[] = [`### ${mdText(input.title)}`, ''];
  if (input.sources.length > 0) lines.push(`<sub>made from ${input.sources.map((s) => mdCode(s.replace(/\r?\n/g, ' '))).join(', ')}</sub>`, '');

  if (runs.length > 0) {
    const headline = suiteHeadline({ suite: { scenarios: runs.length, designs, shard: input.suite?.shard ?? null }, results: runs, summary });
    lines.push(`#### Matrix: ${headline}`, '');
    const rows = matrixRows(runs, designs).map((row) => [mdCode(row.scenario), ...row.cells.map((cell) => (cell.mismatch ? `**${cell.text}**` : cell.text))]);
    lines.push(...mdTable(['scenario', ...designs.map(mdText)], rows, ['l', ...designs.map(() => 'l' as const)]), '', `<sub>${LEGEND}</sub>`, '');

    const skips = runs.flatMap((run) => run.results.filter(isSkipped).map((r) => `- ${mdCode(run.scenario)} / ${mdText(r.design)}: skipped, ${mdText(r.skipped ?? '')}`));
    if (skips.length > 0) lines.push('Skipped (a fault cannot apply to the design; not a failure):', '', ...skips, '');

    lines.push('#### Metrics per design', '');
    lines.push(...mdTable(SUMMARY_HEAD, designs.map((design) => summaryRow(runs, design, summary[design]).map((v, i) => (i === 0 ? mdText(v) : v))), SUMMARY_HEAD.map((_, i) => (i === 0 ? 'l' : 'r'))), '');
    const mismatches = mismatchLines(runs);
    lines.push(mismatches.length === 0 ? 'Every expectation held.' : `**Expectation mismatches (${mismatches.length}):**`, ...mismatches.map((l) => `- ${mdText(l)}`), '');
  }

  const fuzz = fuzzDocuments(input);
  if (fuzz.length > 0) {
    const findings = fuzz.flatMap((doc) => doc.findings);
    const totalRuns = fuzz.reduce((a, doc) => a + (doc.runs ?? 0), 0);
    lines.push(`#### Fuzz: ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${totalRuns} runs`, '');
    if (findings.length === 0) lines.push('No property failed.', '');
    else {
      const rows = findings.map((f) => [
        f.design,
        f.property,
        mdText(typeof f.scenario?.name === 'string' ? f.scenario.name : '(unnamed)'),
        String(f.shrinks),
        mdCode(`npx locksim replay ${f.replay}`),
      ]);
      lines.push(...mdTable(['design', 'property', 'scenario', 'shrinks', 'replay'], rows, ['l', 'l', 'l', 'r', 'l']), '');
    }
    for (const doc of fuzz) {
      const leaves = numericLeaves(doc.coverage);
      if (leaves.length > 0) lines.push(`<sub>coverage: ${leaves.map(([k, v]) => `${mdText(k)} ${v}`).join(' · ')}</sub>`, '');
    }
  }
  if (runs.length === 0 && fuzz.length === 0) lines.push('Nothing to report: no run and no fuzz document.', '');
  while (lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}
