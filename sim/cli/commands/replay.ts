/**
 * `locksim replay <token-or-file> [--json] [--trace FILE|-]` (SPEC §2): re-runs
 * a shrunk fuzz finding, event for event. A token (`ls1.…`, printed by
 * `fuzz`; sim/fuzz/token.ts) holds the whole scenario, so nothing else is
 * needed; a scenario file (or built-in name) works too and runs as `run`
 * does. Prints the result table (or `--json` the §4 result), the
 * `traceHash`, and for a token whether it matches the one the finding had
 * and whether the property still fails.
 *
 * Exit: for a token, 1 when the property fails again (the failure
 * reproduced, as `fuzz` exits 1 on it), 0 when it holds; for a file, as
 * `run` (1 when an expectation differs); 2 bad input.
 */
import { DESIGNS } from '../../../algorithms/index.ts';
import { renderRun } from '../../../reports/render-run.ts';
import { decodeToken, looksLikeToken, propertiesFor, violatedProperty } from '../../fuzz/index.ts';
import type { RunResult } from '../../harness/result.ts';
import { runScenario } from '../../harness/runner.ts';
import { InputError } from '../../scenario/errors.ts';
import { parseScenario } from '../../scenario/load.ts';
import { writeFileAtomic } from '../../suite/atomic-file.ts';
import { colours, type CliIo } from '../io.ts';
import { checkWritable, runRun } from './run.ts';

export interface ReplayFlags {
  readonly json?: boolean;
  readonly trace?: string;
}

export async function runReplay(argument: string, flags: ReplayFlags, io: CliIo): Promise<number> {
  if (!looksLikeToken(argument)) return runRun(argument, flags, io);
  if (flags.trace === '-' && flags.json === true) {
    throw new InputError(undefined, '--trace', 'the trace cannot go to stdout (-) together with --json (stdout holds only the JSON document); give --trace a file name');
  }
  if (flags.trace !== undefined && flags.trace !== '-') checkWritable(flags.trace, '--trace');
  const token = decodeToken(argument);
  const scenario = parseScenario(token.scenario, 'replay token', DESIGNS);
  const lines: string[] = [];
  const toStdout = flags.trace === '-';
  const trace = flags.trace === undefined ? undefined : (line: string): void => void (toStdout ? io.stdout(`${line}\n`) : lines.push(line));
  const result: RunResult = runScenario(scenario, DESIGNS, { ...(trace === undefined ? {} : { trace }) });
  if (flags.trace !== undefined && !toStdout) {
    writeFileAtomic(flags.trace, `${lines.join('\n')}\n`, '--trace');
  }
  const design = result.results[0];
  const properties = token.property === null ? propertiesFor(DESIGNS.get(design.design)!, undefined) : [token.property];
  const failed = violatedProperty(design, properties);
  const matched = token.traceHash === null ? null : token.traceHash === design.traceHash;
  if (flags.json === true) {
    io.stdout(`${JSON.stringify({ ...result, replay: { property: token.property, failed: failed !== null, traceHash: design.traceHash, recordedTraceHash: token.traceHash, matched } }, null, 2)}\n`);
  } else {
    const c = colours(io, toStdout ? 'stderr' : 'stdout');
    const write = toStdout ? io.stderr : io.stdout;
    const table = renderRun(result, { argument: argument, seed: scenario.seed, designFlag: undefined, description: scenario.description, expect: scenario.expect }, c);
    write(table.replace(/^replay: npx locksim run .*$/m, `replay: npx locksim replay ${argument}`));
    write(`traceHash ${design.traceHash}${matched === null ? '' : matched ? c.green(' (the same as the finding)') : c.red(` (the finding had ${token.traceHash}: the run differs)`)}\n`);
    write(failed === null ? c.green(`${properties.join(', ')}: holds\n`) : c.red(`${failed}: violated again\n`));
    if (flags.trace !== undefined && !toStdout) write(`trace written to ${flags.trace}\n`);
  }
  return failed === null ? 0 : 1;
}
