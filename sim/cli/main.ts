/**
 * The `locksim` command line (SPEC §2), built with commander.
 *
 * `main(argv, io)` runs in-process (tests pass their own `io`) and returns the
 * exit code instead of exiting: 0 ran and every expectation held, 1 an
 * expectation failed (or `check` found a history not linearizable), 2 bad
 * input or usage (the message names the file, the JSON path and what was
 * wanted), 3 an internal error (a bug in locksim or in a design: the stack is
 * printed). Only commands that exist are registered: `--help` lists nothing
 * that is not built; the program and every command end their help with
 * examples (help-text.ts).
 *
 * The module also re-exports the worker entries (`runSuiteJob` for
 * `suite`, `runCheckPartitions` for `check --workers`), so the esbuild
 * bundle of this file is the worker module too (worker-url.ts).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { HistoryError } from '../checker/errors.ts';
import { LivelockError } from '../core/engine.ts';
import { InputError } from '../scenario/errors.ts';
import { runBench } from './commands/bench.ts';
import { runList } from './commands/list.ts';
import { REPO_ROOT } from '../scenario/paths.ts';
import { CHECK_TIMEOUT_MS, STDIN, formatTimeout, parseTimeoutMs, runCheckCommand } from './commands/check.ts';
import { runRun, type RunFlags } from './commands/run.ts';
import { DEFAULT_DETERMINISM_SAMPLE, DEFAULT_RUNS, DEFAULT_SHRINK, runFuzzCommand, type FuzzFlags } from './commands/fuzz.ts';
import { runLiveCommand, type LiveFlags } from './commands/live.ts';
import { runReport, type ReportFlags } from './commands/report.ts';
import { runReplay, type ReplayFlags } from './commands/replay.ts';
import { MAX_WORKERS, runSuiteCommand, type SuiteFlags } from './commands/suite.ts';
import { EXAMPLES } from './help-text.ts';
import { colourLevel, processIo, type CliIo } from './io.ts';

export { runCheckPartitions, runFuzzTask, runSuiteJob } from './worker.ts';

/** Exit codes (SPEC §2, plus 3 for internal errors). */
export const EXIT = { ok: 0, failed: 1, badInput: 2, internal: 3 } as const;

/** Runs the CLI on `argv` (the arguments after `locksim`, i.e. `process.argv.slice(2)`); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; every other commander error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof LivelockError) {
      // A scenario that cannot make progress is bad input, not a crash: name what spun.
      io.stderr(`locksim: ${error.design === undefined ? '' : `${error.design}: `}${error.message}\n`);
      return EXIT.badInput;
    }
    if (error instanceof InputError || error instanceof HistoryError) {
      io.stderr(`locksim: ${error.message}\n`);
      return EXIT.badInput;
    }
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`locksim: internal error (a bug in locksim or in a design under test):\n${stack}\n`);
    return EXIT.internal;
  }
  return code;
}

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command('locksim')
    .description('Deterministic simulation and fault injection for distributed locks')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXAMPLES.program);
  // Subcommands made with program.command() inherit exitOverride and the output streams.
  const command = (nameAndArgs: string, description: string): Command => program.command(nameAndArgs).description(description);

  command('list', 'designs, built-in scenarios, scenario and fault fields, models')
    .option('--json', 'print one JSON document')
    .addHelpText('after', EXAMPLES.list)
    .action((opts: { json?: boolean }) => setCode(runList(opts, io)));

  command('run <scenario>', 'run one scenario (a file, or a built-in name), every listed design side by side')
    .option('--design <names>', 'comma-separated designs to run (default: the scenario\'s designs)')
    .option('--seed <n>', 'seed (default: the scenario\'s)', parseSeed)
    .option('--json', 'print the result JSON (SPEC §4) and nothing else')
    .option('--trace <file>', 'stream the one-line-per-event trace to FILE (written atomically), or to stdout with "-" (the table then goes to stderr; not with --json)')
    .option('--out <dir>', 'write the run folder: <scenario>.json, and per design <scenario>/<design>.history.jsonl (SPEC §5) and .trace.txt')
    .option('--report <file>', 'write the self-contained HTML report (SPEC §8): per-node timelines, faults, violations')
    .addHelpText('after', EXAMPLES.run)
    .action(async (scenario: string, flags: RunFlags) => setCode(await runRun(scenario, flags, io)));

  command('suite [scenarios...]', 'run many scenarios (files, folders or built-in names; default: the built-in suite) on every listed design: the scenarios × designs matrix and a per-design summary')
    .option('--design <names>', 'comma-separated designs (each scenario runs on these and its own designs in common)')
    .option('--workers <n>', `worker threads (default: this machine's available parallelism; 1 to ${MAX_WORKERS}); the output is the same whatever N`, parseWorkers)
    .option('--shard <i/n>', 'run only shard i of n (1-based; scenario k of the sorted list goes to shard (k mod n) + 1)')
    .option('--shard-count <n>', 'shard by JOB_COMPLETION_INDEX (0-based, a Kubernetes Indexed Job): --shard (index+1)/n')
    .option('--json', 'print the suite document (SPEC §6) and nothing else on stdout')
    .option('--out <dir>', 'write the run folder: <scenario>.json, <scenario>/<design>.history.jsonl and .trace.txt, suite.json')
    .option('--merge <dirs...>', 'merge the --out folders of several shards (or runs) into one document, as the unsharded run prints it')
    .option('--format <format>', 'md: the matrix and the summary as Markdown (for a pull request)')
    .option('--timings <file>', 'write wall times (total and per run) to FILE as JSON')
    .option('--report <file>', 'write the self-contained HTML report (SPEC §8): the matrix, charts, each run\'s timeline')
    .addHelpText('after', EXAMPLES.suite)
    .action(async (scenarios: string[], flags: SuiteFlags) => setCode(await runSuiteCommand(scenarios, flags, io)));

  command('check <history...>', 'check histories for linearizability ("-" reads one from stdin)')
    .option('--model <model>', 'model: register, cas-register, kv, mutex, fenced-mutex, semaphore:N, …')
    .option('--format <format>', 'history format: jsonl, porcupine-etcd, porcupine-kv')
    .addOption(
      new Option('--timeout <duration>', 'wall time allowed per file (reading it included), e.g. 30s, 500ms, 2m; then its verdict is "unknown" (timeout)')
        .default(CHECK_TIMEOUT_MS, formatTimeout(CHECK_TIMEOUT_MS))
        .argParser(parseTimeout),
    )
    .option('--json', 'print JSON (one array for several files); an "unknown" verdict has a "reason" beside "ok": timeout, step budget or memory cap')
    .addOption(
      new Option('--workers <n>', `worker threads checking a big history's partitions (kv keys) side by side, the first illegal one stopping the rest (1 to ${MAX_WORKERS}; 1: this thread); the verdict is the same whatever N`)
        .default(availableParallelism(), `this machine's available parallelism, ${availableParallelism()}`)
        .argParser(parseWorkers),
    )
    .addHelpText('after', EXAMPLES.check)
    .action(async (files: string[], flags: { model?: string; format?: string; timeout: number; json?: boolean; workers: number }) => {
      const color = colourLevel(io.env ?? {}, io.isTTY) > 0;
      const stdin = files.includes(STDIN) && io.readStdin !== undefined ? await io.readStdin() : undefined;
      const { timeout, ...rest } = flags;
      setCode(await runCheckCommand(files, { ...rest, timeLimitMs: timeout }, { stdout: io.stdout, stderr: io.stderr, color, stdin }));
    });

  command('fuzz', 'property-based fault fuzzing: random fault schedules per design, failures shrunk to the smallest schedule that still breaks, printed as a scenario and a replay token')
    .option('--design <names>', 'comma-separated designs (default: every design)')
    .option('--property <check>', 'the check that must hold: mutualExclusion, fencing, resource, linearizable or liveness (default: mutualExclusion for locks, resource with fenced reads and writes for designs with tokens)')
    .option('--runs <n>', `runs per design (default ${DEFAULT_RUNS})`, parsePositive)
    .option('--time <duration>', 'fuzz for this long instead (e.g. 60s, 5m)')
    .option('--seed <n>', 'seed of the session (default: picked from the clock and printed); the same seed gives the same findings whatever --workers', parseSeed)
    .option('--workers <n>', `worker threads (default: this machine's available parallelism; 1 to ${MAX_WORKERS})`, parseWorkers)
    .option('--shard <i/n>', 'only the runs k with k mod n = i - 1 (1-based; n shards do the unsharded runs)')
    .option('--json', 'print one JSON document: {"runs", "findings": [{"design", "property", "scenario", "replay", "shrinks", "traceHash", …}], "coverage"}')
    .option('--check-determinism [n|all]', `re-run the first n runs of each design (default ${DEFAULT_DETERMINISM_SAMPLE}) or all of them twice, and print the first trace line where two runs differ (exit 3)`)
    .option('--duration <duration>', 'simulated length of each run (default 30s)')
    .option('--max-faults <n>', 'the most faults in one run (default 4)', parsePositive)
    .option('--shrink <n>', `failing runs shrunk per design, the lowest-numbered (default ${DEFAULT_SHRINK}); others are counted`, parseCount)
    .addHelpText('after', EXAMPLES.fuzz)
    .action(async (flags: FuzzFlags) => setCode(await runFuzzCommand(flags, io)));

  command('replay <token-or-file>', 're-run a fuzz finding from its replay token (or a scenario file), event for event: the result, its traceHash, and whether the property fails again')
    .option('--json', 'print the result JSON (SPEC §4) with a "replay" verdict, and nothing else')
    .option('--trace <file>', 'write the one-line-per-event trace to FILE, or to stdout with "-"')
    .addHelpText('after', EXAMPLES.replay)
    .action(async (argument: string, flags: ReplayFlags) => setCode(await runReplay(argument, flags, io)));

  command('report <results...>', 'merge results (run --json, suite --json, suite/run --out folders, fuzz --json) into one self-contained HTML report, or Markdown')
    .option('--out <file>', 'the file to write (HTML: required; Markdown: stdout without it)')
    .option('--format <format>', 'html (default) or md: the matrix and the metrics as Markdown')
    .addHelpText('after', EXAMPLES.report)
    .action(async (results: string[], flags: ReportFlags) => setCode(await runReport(results, flags, io)));

  command('live <scenario>', 'the same scenario against real servers on this machine (redis-server, etcd, ZooKeeper; loopback only), live verdicts beside the simulated ones')
    .option('--design <names>', 'comma-separated designs (default: the scenario\'s)')
    .option('--seed <n>', 'seed (default: the scenario\'s): the workload\'s draws and the simulated run compared with', parseSeed)
    .option('--time-scale <x>', 'multiply every duration by x (0 < x ≤ 1, default 1: real time) for a quick check')
    .option('--keep <dir>', 'keep the servers\' folders (data, logs) under DIR')
    .option('--json', 'print {"scenario", "seed", "mode": "live", "results"} (SPEC §9), each result with its "agreement", and nothing else')
    .addHelpText('after', EXAMPLES.live)
    .action(async (scenario: string, flags: LiveFlags) => setCode(await runLiveCommand(scenario, flags, io)));

  command('bench', 'measure this machine: event queue, simulator, checker, fuzzer')
    .option('--json', 'print one JSON object')
    .addHelpText('after', EXAMPLES.bench)
    .action(async (flags: { json?: boolean }) => setCode(await runBench(flags, io)));

  return program;
}

/** The version in package.json. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

function parseTimeout(value: string): number {
  const ms = parseTimeoutMs(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration above zero with a unit, such as 30s, 500ms or 2m.');
  return ms;
}

function parseWorkers(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_WORKERS)) throw new InvalidArgumentError(`expected a whole number of worker threads, 1 to ${MAX_WORKERS}.`);
  return n;
}

function parsePositive(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) throw new InvalidArgumentError('expected a whole number >= 1.');
  return n;
}

function parseCount(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0 && Number.isSafeInteger(n))) throw new InvalidArgumentError('expected a whole number >= 0.');
  return n;
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0.');
  return n;
}
