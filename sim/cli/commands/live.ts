/**
 * `locksim live <scenario> [--design a,b] [--json] [--keep DIR]
 * [--time-scale X]` (SPEC §9): the scenario's workload, faults and checks
 * against real servers on this machine (loopback only), each design's live
 * verdicts beside the simulated ones. The work is sim/live's; this file
 * parses flags, says how long the run will take before it starts, prints
 * (reports/render-live.ts, or `--json`: `{scenario, seed, mode: "live",
 * results}`, each result with its `agreement`), and picks the exit code.
 *
 * - `--time-scale X` multiplies every duration of the scenario (0 < X ≤ 1;
 *   default 1: real time) for quick checks; process start-up and loopback
 *   round trips do not shrink, so a small scale can change a verdict.
 * - `--keep DIR` keeps the servers' folders (data, logs) under DIR.
 * - A server program that is not installed: exit 2 with the `apt-get
 *   install` command, before anything starts.
 *
 * Exit: 0 every live expectation held (none: ran), 1 one did not, 2 bad
 * input or a missing server binary.
 */
import { existsSync, statSync } from 'node:fs';
import { DESIGNS } from '../../../algorithms/index.ts';
import { renderLive } from '../../../reports/render-live.ts';
import { LIVE_DESIGNS, locate, MissingBinaryError, runLive } from '../../live/index.ts';
import { LIVE_ADAPTERS } from '../../live/designs.ts';
import { InputError } from '../../scenario/errors.ts';
import { loadScenarioFile } from '../../scenario/load.ts';
import { colours, type CliIo } from '../io.ts';
import { parseDesignFlag } from './run.ts';

export interface LiveFlags {
  readonly design?: string;
  readonly json?: boolean;
  readonly keep?: string;
  readonly timeScale?: string;
  readonly seed?: number;
}

/** Start-up and teardown per design, roughly (servers up, client processes forked), for the estimate. */
const SETUP_MS_PER_DESIGN = 3000;

export async function runLiveCommand(argument: string, flags: LiveFlags, io: CliIo): Promise<number> {
  const timeScale = parseTimeScale(flags.timeScale);
  if (flags.keep !== undefined && !(existsSync(flags.keep) && statSync(flags.keep).isDirectory())) {
    throw new InputError(undefined, '--keep', `${JSON.stringify(flags.keep)} is not an existing folder; expected a folder to keep the servers' data and logs in`);
  }
  const designFlag = parseDesignFlag(flags.design);
  const loaded = loadScenarioFile(argument, DESIGNS, { extraDesigns: designFlag ?? [] });
  const designs = designFlag ?? loaded.designs;
  const scenario = { ...loaded, designs: [...loaded.designs, ...designs.filter((d) => !loaded.designs.includes(d))] };
  const seed = flags.seed ?? scenario.seed;

  // Every program the designs need, before anything starts.
  try {
    for (const design of designs) for (const program of LIVE_ADAPTERS.get(design)?.programs ?? []) locate(program);
  } catch (error) {
    if (error instanceof MissingBinaryError) throw new InputError(undefined, 'live', `${error.message} (live mode runs real servers: ${error.install})`);
    throw error;
  }

  const runnable = designs.filter((d) => LIVE_DESIGNS.includes(d));
  const wallS = (runnable.length * (scenario.durationUs / 1e6) * timeScale + designs.length * (SETUP_MS_PER_DESIGN / 1000)).toFixed(0);
  io.stderr(`live: ${scenario.name} on ${designs.join(', ')} at time scale ${timeScale}: about ${wallS} s of real time (${(scenario.durationUs / 1e6) * timeScale} s per design, plus start-up)\n`);
  if (runnable.length < designs.length) io.stderr(`live: ${designs.filter((d) => !runnable.includes(d)).join(', ')} not live yet (live mode runs ${LIVE_DESIGNS.join(', ')}): verdicts null\n`);

  let result;
  try {
    result = await runLive(scenario, { registry: DESIGNS, designs, timeScale, seed, ...(flags.keep === undefined ? {} : { keep: flags.keep }), log: (line) => io.stderr(`live: ${line}\n`) });
  } catch (error) {
    if (error instanceof MissingBinaryError) throw new InputError(undefined, 'live', `${error.message} (live mode runs real servers: ${error.install})`);
    throw error;
  }
  if (flags.json === true) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout(renderLive(result.results, { scenario: result.scenario, seed: result.seed, timeScale }, colours(io)));
  return result.results.every((r) => r.expect.met) ? 0 : 1;
}

/** `--time-scale`: a number in (0, 1]; default 1. */
export function parseTimeScale(value: string | undefined): number {
  if (value === undefined) return 1;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new InputError(undefined, '--time-scale', `${JSON.stringify(value)}: expected a number above 0 and at most 1 (0.1 runs a 30 s scenario in 3 s)`);
  }
  return scale;
}
