/**
 * `locksim run <scenario> [--design a,b] [--seed N] [--json] [--trace FILE]`:
 * one scenario, every listed design side by side.
 *
 * The trace has a header line per design (written by the runner). Files (`--trace`, `--report`) are written only after every
 * design ran, each all at once. Exit: 0 every expectation held (or none),
 * 1 one differed, 2 bad input (thrown as `InputError`, handled by `main`).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DESIGNS } from '../../../algorithms/index.ts';
import { renderRun } from '../../../reports/render-run.ts';
import { runScenario } from '../../harness/runner.ts';
import { InputError } from '../../scenario/errors.ts';
import { designOf, loadScenarioFile } from '../../scenario/load.ts';
import { colours, writeFileAtomic, type CliIo } from '../io.ts';

/** `run`'s flags as commander parsed them. */
export interface RunFlags {
  readonly design?: string;
  readonly seed?: number;
  readonly json?: boolean;
  readonly trace?: string;
}

/** Runs `run`; returns the exit code. Throws InputError for bad input. */
export async function runRun(argument: string, flags: RunFlags, io: CliIo): Promise<number> {
  const designFlag = parseDesignFlag(flags.design);
  if (flags.trace !== undefined) checkWritable(flags.trace, '--trace');

  const loaded = loadScenarioFile(argument, DESIGNS, { extraDesigns: designFlag ?? [] });
  const designs = designFlag ?? loaded.designs;
  // A --design the file does not list is run too: the loader validated its knobs.
  const scenario = { ...loaded, designs: [...loaded.designs, ...designs.filter((d) => !loaded.designs.includes(d))] };
  const seed = flags.seed ?? scenario.seed;

  const traceLines: string[] = [];
  // The runner starts each design's trace with a `# design …` header line.
  const trace = flags.trace === undefined ? undefined : (line: string): void => void traceLines.push(line);
  const result = runScenario(scenario, DESIGNS, { designs, seed, trace });
  const ran = result.results.map((r) => r.design);
  if (ran.join(',') !== designs.join(',')) throw new Error(`runScenario ran ${ran.join(', ') || 'nothing'}; expected ${designs.join(', ')}`);
  const results = result.results;

  if (flags.trace !== undefined) writeFileAtomic(flags.trace, traceLines.length === 0 ? '' : `${traceLines.join('\n')}\n`);

  if (flags.json === true) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const header = { argument, seed, designFlag: flags.design === undefined ? undefined : designs.join(','), description: scenario.description, expect: scenario.expect };
    io.stdout(renderRun(result, header, colours(io)));
    if (flags.trace !== undefined) io.stdout(`trace written to ${flags.trace}\n`);
  }
  return results.every((r) => r.expect.met) ? 0 : 1;
}

/** `--design a,b` → registered design names (an unknown one is an InputError). */
function parseDesignFlag(value: string | undefined): string[] | undefined {
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
function checkWritable(file: string, flag: string): void {
  const folder = dirname(resolve(file));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new InputError(undefined, flag, `cannot write ${JSON.stringify(file)}: folder ${JSON.stringify(dirname(file))} does not exist`);
  }
  if (existsSync(file) && statSync(file).isDirectory()) throw new InputError(undefined, flag, `${JSON.stringify(file)} is a directory; expected a file name`);
}
