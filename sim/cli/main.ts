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
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { HistoryError } from '../checker/errors.ts';
import { LivelockError } from '../core/engine.ts';
import { InputError } from '../scenario/errors.ts';
import { runBench } from './commands/bench.ts';
import { runList } from './commands/list.ts';
import { REPO_ROOT } from '../scenario/paths.ts';
import { CHECK_TIMEOUT_MS, STDIN, formatTimeout, parseTimeoutMs, runCheck } from './commands/check.ts';
import { runRun, type RunFlags } from './commands/run.ts';
import { EXAMPLES } from './help-text.ts';
import { colourLevel, processIo, type CliIo } from './io.ts';


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
    .addHelpText('after', EXAMPLES.run)
    .action(async (scenario: string, flags: RunFlags) => setCode(await runRun(scenario, flags, io)));

  command('check <history...>', 'check histories for linearizability ("-" reads one from stdin)')
    .option('--model <model>', 'model: register, cas-register, kv, mutex, fenced-mutex, semaphore:N, …')
    .option('--format <format>', 'history format: jsonl, porcupine-etcd, porcupine-kv')
    .addOption(
      new Option('--timeout <duration>', 'wall time allowed per file (reading it included), e.g. 30s, 500ms, 2m; then its verdict is "unknown" (timeout)')
        .default(CHECK_TIMEOUT_MS, formatTimeout(CHECK_TIMEOUT_MS))
        .argParser(parseTimeout),
    )
    .option('--json', 'print JSON (one array for several files); an "unknown" verdict has a "reason" beside "ok": timeout, step budget or memory cap')
    .addHelpText('after', EXAMPLES.check)
    .action(async (files: string[], flags: { model?: string; format?: string; timeout: number; json?: boolean }) => {
      const color = colourLevel(io.env ?? {}, io.isTTY) > 0;
      const stdin = files.includes(STDIN) && io.readStdin !== undefined ? await io.readStdin() : undefined;
      const { timeout, ...rest } = flags;
      setCode(runCheck(files, { ...rest, timeLimitMs: timeout }, { stdout: io.stdout, stderr: io.stderr, color, stdin }));
    });

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

function parseSeed(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0.');
  return n;
}
