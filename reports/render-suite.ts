/**
 * Renders a suite document (SPEC §6) for people: the scenarios × designs
 * matrix — each cell a short verdict — then a per-design summary table,
 * then the expectation mismatches, one line each. As terminal text
 * (`renderSuite`, coloured by the caller's chalk: plain off a TTY) or as
 * Markdown for a pull request (`renderSuiteMarkdown`, the same tables).
 *
 * Cells: `safe` (every check that applies held, liveness too); else the
 * checks that broke, by short name with ✗ (`mutex✗`, `fencing✗`,
 * `resource✗`, `linear✗`, `live✗`; `linear?` when the checker ran out of
 * budget); `skip` for a design whose fault cannot apply (not run); `-` for a
 * design the scenario does not list. A trailing `!` marks a cell whose
 * verdicts differ from the scenario's `expect` (the run exits 1).
 *
 * Pure functions of the document; imports only types from sim/.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { CheckResult, DesignResult, RunResult } from '../sim/harness/result.ts';
import type { CheckName } from '../sim/scenario/types.ts';
import type { DesignSummary, SuiteDocument } from '../sim/suite/types.ts';
import { CHECK_ORDER } from './render-run.ts';
import { COMPACT } from './text-format.ts';

/** A check's short name in a matrix cell. */
export const CHECK_SHORT: Readonly<Record<CheckName, string>> = {
  mutualExclusion: 'mutex',
  fencing: 'fencing',
  resource: 'resource',
  linearizable: 'linear',
  liveness: 'live',
};

/** What a cell says, before colour. */
export interface Cell {
  readonly text: string;
  readonly kind: 'safe' | 'broken' | 'unknown' | 'skip' | 'absent';
  /** The verdicts differ from the scenario's `expect`. */
  readonly mismatch: boolean;
}

/** The legend printed under the matrix. */
export const LEGEND =
  "safe: every check held · mutex✗ fencing✗ resource✗ linear✗ live✗: that check failed (mutualExclusion, fencing, resource, linearizable, liveness) · linear?: the checker's budget ran out · skip: a fault cannot apply to the design · -: not in the scenario · !: differs from the scenario's expect";

/** The legend cut into lines of at most `width` characters, at its ` · ` separators. */
function legendLines(width: number): string[] {
  const lines: string[] = [];
  for (const part of LEGEND.split(' · ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 3 + part.length <= width) lines[last] += ` · ${part}`;
    else lines.push(part);
  }
  return lines;
}

/** A result's cell. */
export function cellOf(result: DesignResult | undefined): Cell {
  if (result === undefined) return { text: '-', kind: 'absent', mismatch: false };
  const mismatch = result.expect?.met === false;
  const mark = mismatch ? '!' : '';
  if (typeof (result as { skipped?: unknown }).skipped === 'string') return { text: `skip${mark}`, kind: 'skip', mismatch };
  const checks = result.checks as Partial<Record<CheckName, CheckResult>>;
  const broken = CHECK_ORDER.filter((name) => checks[name]?.ok === false).map((name) => `${CHECK_SHORT[name]}✗`);
  const unknown = CHECK_ORDER.filter((name) => checks[name]?.ok === 'unknown').map((name) => `${CHECK_SHORT[name]}?`);
  if (broken.length > 0) return { text: `${[...broken, ...unknown].join(' ')}${mark}`, kind: 'broken', mismatch };
  if (unknown.length > 0) return { text: `${unknown.join(' ')}${mark}`, kind: 'unknown', mismatch };
  return { text: `safe${mark}`, kind: 'safe', mismatch };
}

function paint(cell: Cell, c: ChalkInstance): string {
  if (cell.mismatch) return c.bold.yellow(cell.text);
  switch (cell.kind) {
    case 'safe':
      return c.green(cell.text);
    case 'broken':
      return c.red(cell.text);
    case 'unknown':
      return c.yellow(cell.text);
    default:
      return c.dim(cell.text);
  }
}

/** The matrix rows: per scenario, a cell per design (in `designs` order). */
export function matrixRows(runs: readonly RunResult[], designs: readonly string[]): Array<{ scenario: string; cells: Cell[] }> {
  return runs.map((run: RunResult) => ({
    scenario: run.scenario,
    cells: designs.map((design) => cellOf(run.results.find((r) => r.design === design))),
  }));
}

/** The lower median (as the summary's; see sim/suite/summary.ts). */
function lowerMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1];
}

/** The median over a design's runs of `metrics.unavailableMs` (not in the JSON summary; shown beside it). */
export function unavailableP50(runs: readonly RunResult[], design: string): number | null {
  const values = runs
    .flatMap((run) => run.results.filter((r) => r.design === design && typeof (r as { skipped?: unknown }).skipped !== 'string'))
    .map((r) => r.metrics.unavailableMs)
    .filter((v): v is number => typeof v === 'number');
  return lowerMedian(values);
}

/** Milliseconds as people read them: `3.1ms`, `10.02s`, `-`. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(1)}ms`;
}

/** The summary table's head (one row per design, `summaryRow`). */
export const SUMMARY_HEAD = ['design', 'runs', 'safe', 'unsafe', 'expect≠', 'acquire p50', 'acquire p99', 'msgs/section', 'recovery p50', 'recovery max', 'unavailable p50'];

/** A design's summary row (`SUMMARY_HEAD`'s columns); `runs` gives the unavailable-time median the summary does not carry. */
export function summaryRow(runs: readonly RunResult[], design: string, s: DesignSummary | undefined): string[] {
  if (s === undefined) return [design, ...SUMMARY_HEAD.slice(1).map(() => '-')];
  return [
    design,
    String(s.runs),
    String(s.safe),
    String(s.unsafe),
    String(s.expectMismatches),
    formatMs(s.acquireP50Ms),
    formatMs(s.acquireP99Ms),
    s.messagesPerSection === null ? '-' : s.messagesPerSection.toFixed(1),
    formatMs(s.recoveryMs?.p50),
    formatMs(s.recoveryMs?.max),
    formatMs(unavailableP50(runs, design)),
  ];
}

/** `scenario / design: check expected X, got Y` per mismatch. */
export function mismatchLines(runs: readonly RunResult[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    for (const r of run.results) {
      for (const m of r.expect?.mismatches ?? []) lines.push(`${run.scenario} / ${r.design}: ${m.check} expected ${String(m.expected)}, got ${String(m.actual)}`);
    }
  }
  return lines;
}

/** `47 scenarios × 5 designs, shard 2/3`. */
export function suiteHeadline(doc: SuiteDocument): string {
  const { scenarios, designs, shard } = doc.suite;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(scenarios, 'scenario')} × ${plural(designs.length, 'design')}${shard === null ? '' : `, shard ${shard}`}`;
}

/** The terminal report. */
export function renderSuite(doc: SuiteDocument, c: ChalkInstance): string {
  const lines: string[] = [c.bold(`suite: ${suiteHeadline(doc)}`)];
  const grid = new Table({ head: ['scenario', ...doc.suite.designs.map((d) => c.bold(d))], style: { head: [], border: [] }, chars: COMPACT });
  for (const row of matrixRows(doc.results, doc.suite.designs)) grid.push([row.scenario, ...row.cells.map((cell) => paint(cell, c))]);
  lines.push(grid.toString(), ...legendLines(100).map((l) => c.dim(l)), '');
  const summary = new Table({
    head: SUMMARY_HEAD.map((h) => c.bold(h)),
    colAligns: SUMMARY_HEAD.map((_, i) => (i === 0 ? 'left' : 'right')),
    style: { head: [], border: [] },
    chars: COMPACT,
  });
  for (const design of doc.suite.designs) summary.push(summaryRow(doc.results, design, doc.summary[design]));
  lines.push(summary.toString());
  const mismatches = mismatchLines(doc.results);
  if (mismatches.length > 0) lines.push('', c.bold.yellow(`expectation mismatches (${mismatches.length}):`), ...mismatches.map((l) => `  ${c.yellow(l)}`));
  else lines.push(c.green('every expectation held'));
  return `${lines.join('\n')}\n`;
}

/** A Markdown table cell: `|` escaped, newlines flattened. */
export function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Text as a Markdown code span, fenced with enough backticks for the ones inside it. */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest === 0 ? `${fence}${text}${fence}` : `${fence} ${text} ${fence}`;
}

/** A Markdown table's lines, every cell through `mdCell`. */
export function mdTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>, align: ReadonlyArray<'l' | 'r'>): string[] {
  const rule = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [`| ${head.map(mdCell).join(' | ')} |`, `| ${rule.join(' | ')} |`, ...rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`)];
}

/** The same report as Markdown (`--format md`). */
export function renderSuiteMarkdown(doc: SuiteDocument): string {
  const designs = doc.suite.designs;
  const lines: string[] = [`### locksim suite: ${suiteHeadline(doc)}`, ''];
  const rows = matrixRows(doc.results, designs).map((row) => [mdCode(row.scenario), ...row.cells.map((cell) => (cell.mismatch ? `**${cell.text}**` : cell.text))]);
  lines.push(...mdTable(['scenario', ...designs], rows, ['l', ...designs.map(() => 'l' as const)]), '', `<sub>${LEGEND}</sub>`, '');
  lines.push(
    ...mdTable(
      SUMMARY_HEAD,
      designs.map((design) => summaryRow(doc.results, design, doc.summary[design])),
      SUMMARY_HEAD.map((_, i) => (i === 0 ? 'l' : 'r')),
    ),
  );
  const mismatches = mismatchLines(doc.results);
  lines.push('', mismatches.length === 0 ? 'Every expectation held.' : `**Expectation mismatches (${mismatches.length}):**`, ...mismatches.map((l) => `- ${l}`));
  return `${lines.join('\n')}\n`;
}
