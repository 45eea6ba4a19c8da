/**
 * Renders merged report inputs (report-inputs.ts) as HTML or Markdown, for
 * `report`, `run --report` and `suite --report`; the renderers are
 * reports/'s. Also the size line the commands print.
 */
import { Buffer } from 'node:buffer';
import { renderHtmlReport } from '../../reports/html/render-report.ts';
import { renderMarkdownReport } from '../../reports/render-markdown.ts';
import { InputError } from '../scenario/errors.ts';
import { summarise } from '../suite/summary.ts';
import type { ReportInputs } from './report-inputs.ts';

/** The report formats `--format` takes. */
export const REPORT_FORMATS = ['html', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The inputs rendered in `format`. */
export async function renderReport(inputs: ReportInputs, format: ReportFormat, title: string): Promise<string> {
  const designs: string[] = [...(inputs.suite?.designs ?? [])];
  for (const run of inputs.runs) for (const r of run.results) if (!designs.includes(r.design)) designs.push(r.design);
  const input = {
    title,
    sources: [...inputs.sources],
    runs: [...inputs.runs],
    summary: inputs.suite?.summary ?? summarise(designs, inputs.runs),
    ...(inputs.suite === null ? {} : { suite: inputs.suite }),
    ...(inputs.fuzz === null ? {} : { fuzz: inputs.fuzz }),
  };
  return format === 'md' ? renderMarkdownReport(input) : renderHtmlReport(input);
}

/** `--format`: html (the default) or md. */
export function parseReportFormat(value: string | undefined): ReportFormat {
  if (value === undefined) return 'html';
  if ((REPORT_FORMATS as readonly string[]).includes(value)) return value as ReportFormat;
  throw new InputError(undefined, '--format', `unknown format ${JSON.stringify(value)}; expected ${REPORT_FORMATS.join(' or ')}`);
}

/** A size for people: "412 KiB". */
export function kib(text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes < 10 * 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KiB`;
}
