/**
 * `locksim suite [files-or-dirs…] [--design a,b] [--workers N] [--shard i/n]
 * [--shard-count n] [--json] [--out DIR] [--merge DIR…] [--format md]
 * [--timings FILE]` (SPEC §2, §6): many scenarios — by default the built-in
 * suite — every listed design, as the scenarios × designs matrix and a
 * per-design summary (reports/render-suite.ts), or the §6 document with
 * `--json` (nothing else on stdout). The work is sim/suite's; this file
 * parses flags, draws the progress bar, prints, and picks the exit code.
 *
 * - `--workers N` (default: the machine's available parallelism) worker
 *   threads; the document is byte-identical whatever N is.
 * - `--shard i/n`, or `--shard-count n` with `JOB_COMPLETION_INDEX` from a
 *   Kubernetes Indexed Job: this machine's slice (sim/suite/shard.ts).
 * - `--out DIR`: the run folder (sim/suite/out-folder.ts), `DIR/suite.json`
 *   included; `--merge DIR…` merges such folders (shards) into the one
 *   document the unsharded run prints (and, with `--out`, one folder).
 * - `--report FILE.html`: the self-contained HTML report (SPEC §8): the
 *   matrix linking to each run's timeline, and the charts; the runs then
 *   record their timelines (as `--out` folders always do). With `--merge`
 *   it reports the merged folders' runs, timelines included.
 * - Wall time goes to stderr (`suite: 47 scenarios × 5 designs in 12.3 s on
 *   2 workers`) and, with `--timings FILE`, to a JSON file (per job too);
 *   never into the document. A progress bar (cli-progress) draws on stderr
 *   when it is a TTY; nothing otherwise.
 *
 * Exit: 0 every expectation held, 1 one did not, 2 bad input (InputError,
 * handled by main; nothing is written then).
 */
import { availableParallelism } from 'node:os';
import { Presets, SingleBar } from 'cli-progress';
import { DESIGNS } from '../../../algorithms/index.ts';
import { renderSuite, renderSuiteMarkdown, suiteHeadline } from '../../../reports/render-suite.ts';
import { InputError } from '../../scenario/errors.ts';
import { writeFileAtomic } from '../../suite/atomic-file.ts';
import { documentJson, expectationsMet, runResultJson } from '../../suite/document.ts';
import { copyScenarioFiles, mergeFolders } from '../../suite/merge.ts';
import { openOutFolder, SUITE_FILE } from '../../suite/out-folder.ts';
import { runSuite, type SuiteTimings } from '../../suite/run-suite.ts';
import { chooseShard } from '../../suite/shard.ts';
import type { SuiteDocument, SuiteJob } from '../../suite/types.ts';
import { colours, type CliIo } from '../io.ts';
import { workerUrl } from '../worker-url.ts';
import { loadReportInputs, type ReportInputs } from '../report-inputs.ts';
import { kib, renderReport } from '../report-render.ts';
import { checkWritable, parseDesignFlag } from './run.ts';

/** `suite`'s flags as commander parsed them. */
export interface SuiteFlags {
  readonly design?: string;
  readonly workers?: number;
  readonly shard?: string;
  readonly shardCount?: string;
  readonly json?: boolean;
  readonly out?: string;
  readonly merge?: readonly string[];
  readonly format?: string;
  readonly timings?: string;
  readonly report?: string;
}

/** `--format` values. */
export const SUITE_FORMATS = ['text', 'md'] as const;

/** The most worker threads `--workers` accepts. */
export const MAX_WORKERS = 256;

/** Runs `suite`; returns the exit code. Throws InputError for bad input. */
export async function runSuiteCommand(args: readonly string[], flags: SuiteFlags, io: CliIo): Promise<number> {
  const format = flags.format ?? 'text';
  if (!(SUITE_FORMATS as readonly string[]).includes(format)) throw new InputError(undefined, '--format', `unknown format ${JSON.stringify(format)}; expected ${SUITE_FORMATS.join(' or ')}`);
  if (flags.json === true && flags.format !== undefined) throw new InputError(undefined, '--format', '--json prints the JSON document; give --json or --format, not both');
  if (flags.timings !== undefined) checkWritable(flags.timings, '--timings');
  if (flags.report !== undefined) checkWritable(flags.report, '--report');
  if (flags.merge !== undefined) return merge(args, flags, io);

  const designs = parseDesignFlag(flags.design);
  const shard = chooseShard(flags.shard, flags.shardCount, io.env ?? {});
  const workers = flags.workers ?? availableParallelism();
  const bar = progressBar(io);
  let run;
  try {
    run = await runSuite(
      {
        args,
        ...(designs === undefined ? {} : { designs }),
        ...(shard === undefined ? {} : { shard }),
        workers,
        ...(flags.out === undefined ? {} : { outDir: flags.out }),
        ...(flags.report === undefined ? {} : { timeline: true }),
      },
      {
        registry: DESIGNS,
        workerUrl: workerUrl(),
        ...(bar === undefined ? {} : { onPlanned: (jobs: readonly SuiteJob[]) => bar.start(jobs.length), onJobDone: (job: SuiteJob) => bar.done(job) }),
      },
    );
  } finally {
    bar?.stop();
  }
  print(run.document, flags, io);
  const { timings } = run;
  io.stderr(`suite: ${suiteHeadline(run.document)} in ${(timings.wallMs / 1000).toFixed(1)} s on ${timings.workers} worker${timings.workers === 1 ? '' : 's'}\n`);
  if (flags.out !== undefined) io.stderr(`suite: run folder written to ${flags.out} (${run.files.length} files)\n`);
  if (flags.timings !== undefined) writeTimings(flags.timings, run.document, timings);
  if (flags.report !== undefined) {
    const { suite, summary } = run.document;
    const sources = args.length === 0 ? ['the built-in suite'] : [...args];
    await writeReport(flags.report, { sources, runs: run.runs, suite: { designs: suite.designs, shard: suite.shard, summary }, fuzz: null }, io);
  }
  return expectationsMet(run.document.results) ? 0 : 1;
}

/** Renders and writes the HTML report (atomically), and says so on stderr. */
async function writeReport(file: string, inputs: ReportInputs, io: CliIo): Promise<void> {
  const html = await renderReport(inputs, 'html', `locksim suite: ${inputs.runs.length} scenarios × ${inputs.suite?.designs.length ?? 0} designs`);
  writeFileAtomic(file, html, '--report');
  io.stderr(`suite: report written to ${file} (${kib(html)})\n`);
}

/** `--merge DIR…`: the merged document, printed and (with --out) written as one run folder. */
async function merge(args: readonly string[], flags: SuiteFlags, io: CliIo): Promise<number> {
  const clash = [
    args.length > 0 ? 'scenario arguments' : undefined,
    flags.design === undefined ? undefined : '--design',
    flags.shard === undefined ? undefined : '--shard',
    flags.shardCount === undefined ? undefined : '--shard-count',
    flags.workers === undefined ? undefined : '--workers',
    flags.timings === undefined ? undefined : '--timings',
  ].filter((x): x is string => x !== undefined);
  if (clash.length > 0) throw new InputError(undefined, '--merge', `merges finished runs, so it takes no ${clash.join(', ')}; expected only the --out folders (and --json, --format, --out)`);
  const { document, origin } = mergeFolders(flags.merge ?? []);
  if (flags.out !== undefined) {
    const out = openOutFolder(flags.out, '--out');
    try {
      for (const run of document.results) {
        out.write(`${run.scenario}.json`, runResultJson(run));
        copyScenarioFiles(origin.get(run.scenario)!, run.scenario, out, run);
      }
      out.write(SUITE_FILE, documentJson(document));
      out.commit();
    } catch (error) {
      out.abort();
      throw error;
    }
  }
  print(document, flags, io);
  if (flags.out !== undefined) io.stderr(`suite: merged run folder written to ${flags.out}\n`);
  if (flags.report !== undefined) await writeReport(flags.report, loadReportInputs(flags.merge ?? [], DESIGNS), io);
  return expectationsMet(document.results) ? 0 : 1;
}

function print(doc: SuiteDocument, flags: SuiteFlags, io: CliIo): void {
  if (flags.json === true) io.stdout(documentJson(doc));
  else if (flags.format === 'md') io.stdout(renderSuiteMarkdown(doc));
  else io.stdout(renderSuite(doc, colours(io)));
}

/** `--timings FILE`: wall times as JSON (never in the document). */
function writeTimings(file: string, doc: SuiteDocument, timings: SuiteTimings): void {
  const text = `${JSON.stringify({ wallMs: timings.wallMs, workers: timings.workers, scenarios: doc.suite.scenarios, designs: doc.suite.designs, shard: doc.suite.shard, jobs: timings.jobs }, null, 2)}\n`;
  writeFileAtomic(file, text, '--timings');
}

/** A progress bar on the terminal stderr, or undefined (not a TTY: silent). */
function progressBar(io: CliIo): { start(total: number): void; done(job: SuiteJob): void; stop(): void } | undefined {
  if (io.progress === undefined) return undefined;
  const bar = new SingleBar(
    { stream: io.progress, format: 'suite {bar} {value}/{total} runs | {eta_formatted} left | {last}', hideCursor: true, clearOnComplete: true, etaBuffer: 30 },
    Presets.shades_classic,
  );
  let started = false;
  return {
    start(total) {
      bar.start(total, 0, { last: '' });
      started = true;
    },
    done(job) {
      bar.increment(1, { last: `${job.scenario} / ${job.design}` });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
