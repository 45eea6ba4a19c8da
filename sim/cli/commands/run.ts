/**
 * `locksim run <scenario> [--design a,b] [--seed N] [--json] [--trace FILE|-] [--out DIR]`:
 * one scenario, every listed design side by side.
 *
 * `--trace FILE` streams the one-line-per-event trace (a `# design …` header
 * line per design, written by the runner) into a temp file beside FILE as
 * the run goes, renamed to FILE at the end and removed if anything fails:
 * nothing is held in memory and no half trace is ever visible. `--trace -`
 * streams it to stdout instead, and then stdout carries only the trace: the
 * table goes to stderr, and `--json` is refused (exit 2), since `--json`
 * means one JSON document on stdout and nothing else.
 *
 * `--out DIR` writes the run folder (sim/suite/out-folder.ts):
 * `DIR/<scenario>.json` (the result JSON, with each design's timeline for
 * `locksim report DIR`; `--json` still prints it without), and per design
 * `DIR/<scenario>/<design>.history.jsonl` (the service history, SPEC §5,
 * for `locksim check --model <checks.linearizable.model>`) and
 * `<design>.trace.txt`; staged and renamed into place at the end, nothing
 * written if the run fails. Each design then runs on its own
 * (sim/suite/jobs.ts `runDesignRecorded`), as `runScenario` runs them.
 *
 * `--report FILE.html` records each design's timeline and writes the
 * self-contained HTML report of the run (reports/html/, SPEC §8), also
 * atomically; what `run` prints (table or `--json`) carries no timeline.
 *
 * Exit: 0 every expectation held (or none), 1 one differed, 2 bad input
 * (thrown as `InputError`, handled by `main`).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DESIGNS } from '../../../algorithms/index.ts';
import { renderRun } from '../../../reports/render-run.ts';
import type { RunResult } from '../../harness/result.ts';
import { LivelockError } from '../../core/engine.ts';
import { runScenario } from '../../harness/runner.ts';
import { InputError } from '../../scenario/errors.ts';
import { designOf, loadScenarioFile } from '../../scenario/load.ts';
import type { Scenario } from '../../scenario/types.ts';
import { writeFileAtomic } from '../../suite/atomic-file.ts';
import { runResultJson, withoutTimelines } from '../../suite/document.ts';
import { runDesignRecorded } from '../../suite/jobs.ts';
import { checkOutName, openOutFolder, type OutFolder } from '../../suite/out-folder.ts';
import { colours, type CliIo } from '../io.ts';
import { kib, renderReport } from '../report-render.ts';
import { fileTraceSink, streamTraceSink, type TraceSink } from '../trace-sink.ts';

/** `run`'s flags as commander parsed them. */
export interface RunFlags {
  readonly design?: string;
  readonly seed?: number;
  readonly json?: boolean;
  readonly trace?: string;
  readonly out?: string;
  readonly report?: string;
}

/** The `--trace` value that means stdout. */
export const TRACE_STDOUT = '-';

/** Runs `run`; returns the exit code. Throws InputError for bad input. */
export async function runRun(argument: string, flags: RunFlags, io: CliIo): Promise<number> {
  const toStdout = flags.trace === TRACE_STDOUT;
  if (toStdout && flags.json === true) {
    throw new InputError(undefined, '--trace', 'the trace cannot go to stdout (-) together with --json (stdout holds only the JSON document); give --trace a file name');
  }
  const designFlag = parseDesignFlag(flags.design);
  if (flags.trace !== undefined && !toStdout) checkWritable(flags.trace, '--trace');
  if (flags.report !== undefined) checkWritable(flags.report, '--report');

  const loaded = loadScenarioFile(argument, DESIGNS, { extraDesigns: designFlag ?? [] });
  const designs = designFlag ?? loaded.designs;
  // A --design the file does not list is run too: the loader validated its knobs.
  const scenario = { ...loaded, designs: [...loaded.designs, ...designs.filter((d) => !loaded.designs.includes(d))] };
  const seed = flags.seed ?? scenario.seed;
  if (flags.out !== undefined) checkOutName(scenario.name, argument, '--out', false);

  let sink: TraceSink | undefined;
  let out: OutFolder | undefined;
  let result: RunResult;
  let report: string | undefined;
  try {
    if (flags.trace !== undefined) sink = toStdout ? streamTraceSink(io.stdoutSync ?? io.stdout) : fileTraceSink(flags.trace);
    if (flags.out !== undefined) out = openOutFolder(flags.out, '--out');
    const timeline = flags.report !== undefined;
    const full = out === undefined ? runScenario(scenario, DESIGNS, { designs, seed, trace: sink?.line, timeline }) : runToFolder(scenario, designs, seed, out, sink?.line);
    result = withoutTimelines(full);
    const ran = result.results.map((r) => r.design);
    if (ran.join(',') !== designs.join(',')) throw new Error(`runScenario ran ${ran.join(', ') || 'nothing'}; expected ${designs.join(', ')}`);
    if (flags.report !== undefined) report = await renderReport({ sources: [argument], runs: [full], suite: null, fuzz: null }, 'html', `locksim run: ${scenario.name}`);
    sink?.commit();
    out?.commit();
    if (report !== undefined) writeFileAtomic(flags.report!, report, '--report');
  } catch (error) {
    sink?.abort();
    out?.abort();
    // A scenario whose true time stops advancing is bad input: name the file and the design.
    if (error instanceof LivelockError) throw new InputError(argument, error.design, error.message);
    throw error;
  }

  if (flags.json === true) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const header = { argument, seed, designFlag: flags.design === undefined ? undefined : designs.join(','), description: scenario.description, expect: scenario.expect };
    // With the trace on stdout, the table goes to stderr (and is coloured for stderr).
    const write = toStdout ? io.stderr : io.stdout;
    write(renderRun(result, header, colours(io, toStdout ? 'stderr' : 'stdout')));
    if (flags.trace !== undefined && !toStdout) write(`trace written to ${flags.trace}\n`);
    if (flags.out !== undefined) write(`run folder written to ${flags.out}\n`);
  }
  if (report !== undefined) io.stderr(`report written to ${flags.report} (${kib(report)})\n`);
  return result.results.every((r) => r.expect.met) ? 0 : 1;
}

/** Runs each design on its own into the out folder's staging area, and stages the result JSON; both with timelines. */
function runToFolder(scenario: Scenario, designs: readonly string[], seed: number, out: OutFolder, trace: ((line: string) => void) | undefined): RunResult {
  const runs = designs.map((design) => runDesignRecorded(scenario, DESIGNS, design, seed, { outDir: out.staging, timeline: true, ...(trace === undefined ? {} : { trace }) }));
  const result: RunResult = { ...runs[0], results: runs.flatMap((run) => run.results) };
  out.write(`${scenario.name}.json`, runResultJson(result));
  return result;
}

/** `--design a,b` → registered design names (an unknown one is an InputError). */
export function parseDesignFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new InputError(undefined, '--design', `expected design names such as "redis,redlock", got ${JSON.stringify(value)}`);
  const unique: string[] = [];
  for (const name of names) {
    designOf(DESIGNS, name, undefined, '--design');
    if (!unique.includes(name)) unique.push(name);
  }
  return unique;
}

/** Refuses an output path whose folder does not exist, before anything runs. */
export function checkWritable(file: string, flag: string): void {
  if (file === '') throw new InputError(undefined, flag, 'expected a file name (or - for stdout), got an empty string');
  const folder = dirname(resolve(file));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new InputError(undefined, flag, `cannot write ${JSON.stringify(file)}: folder ${JSON.stringify(dirname(file))} does not exist`);
  }
  if (existsSync(file) && statSync(file).isDirectory()) throw new InputError(undefined, flag, `${JSON.stringify(file)} is a directory; expected a file name`);
}
