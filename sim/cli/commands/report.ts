/**
 * `locksim report <result.json-or-dir…> --out FILE.html [--format md]`
 * (SPEC §2, §8): merges results — run results, suite documents and the
 * `--out` folders of suite shards, fuzz documents (whose findings are
 * replayed to draw them) — into one self-contained HTML report, or with
 * `--format md` into Markdown (to `--out`, or to stdout without it).
 *
 * Reading and merging is report-inputs.ts; rendering is reports/. The file
 * is written atomically: nothing half-written, nothing at all on bad input.
 * Exit: 0 written, 2 bad input or usage.
 */
import { DESIGNS } from '../../../algorithms/index.ts';
import { InputError } from '../../scenario/errors.ts';
import { writeFileAtomic } from '../../suite/atomic-file.ts';
import type { CliIo } from '../io.ts';
import { loadReportInputs, type ReportInputs } from '../report-inputs.ts';
import { kib, parseReportFormat, renderReport } from '../report-render.ts';
import { checkWritable } from './run.ts';

export interface ReportFlags {
  readonly out?: string;
  readonly format?: string;
}

export async function runReport(paths: readonly string[], flags: ReportFlags, io: CliIo): Promise<number> {
  const format = parseReportFormat(flags.format);
  if (format === 'html' && flags.out === undefined) throw new InputError(undefined, '--out', 'expected the HTML file to write (e.g. --out report.html); --format md prints Markdown to stdout without it');
  if (flags.out !== undefined) checkWritable(flags.out, '--out');
  const inputs = loadReportInputs(paths, DESIGNS);
  const text = await renderReport(inputs, format, titleOf(inputs));
  if (flags.out === undefined) {
    io.stdout(text);
    return 0;
  }
  writeFileAtomic(flags.out, text, '--out');
  io.stderr(`${format === 'html' ? 'HTML' : 'Markdown'} report of ${inputs.runs.length} run${inputs.runs.length === 1 ? '' : 's'} written to ${flags.out} (${kib(text)})\n`);
  return 0;
}

/** The report's title, from what was merged. */
function titleOf(inputs: ReportInputs): string {
  if (inputs.suite !== null) return `locksim suite: ${inputs.runs.length} scenarios × ${inputs.suite.designs.length} designs`;
  if (inputs.fuzz !== null && inputs.runs.length === inputs.fuzz.findings.length) return `locksim fuzz: ${inputs.fuzz.findings.length} findings in ${inputs.fuzz.runs} runs`;
  if (inputs.runs.length === 1) return `locksim run: ${inputs.runs[0].scenario}`;
  return `locksim report: ${inputs.runs.length} runs`;
}
