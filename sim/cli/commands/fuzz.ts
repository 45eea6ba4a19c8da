/**
 * `locksim fuzz [--design a,b] [--property CHECK] [--runs N | --time 60s]
 * [--seed N] [--workers N] [--shard i/n] [--json] [--check-determinism [N|all]]`
 * (SPEC §2, issue 12): property-based fault fuzzing (sim/fuzz). Each design
 * gets `--runs` runs (default 200) or as many as `--time` allows; failing
 * runs are shrunk to the smallest schedule that still fails and printed as a
 * SPEC §3 scenario with the one command that replays it; findings are
 * de-duplicated by their shrunk signature; coverage of the fault space ends
 * the output. `--json` prints `{"runs", "findings": [{"design",
 * "property", "scenario", "replay", "shrinks", "traceHash", …}],
 * "coverage"}` and nothing else on stdout. Wall time and the progress line
 * (runs/s, failing runs; only when stderr is a terminal) go to stderr.
 *
 * Same seed ⇒ same findings whatever `--workers` (sim/fuzz/search.ts).
 * Without `--seed` one is picked from the clock and printed.
 *
 * Exit: 0 no property failed, 1 one did, 2 bad input.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseDurationUs } from '../../../algorithms/api/index.ts';
import { DESIGNS } from '../../../algorithms/index.ts';
import { DEFAULT_CONFIG, drawScenario, fuzzExecutor, isCheckName, runFuzz, type Coverage, type FuzzConfig, type FuzzReport } from '../../fuzz/index.ts';
import { runDesign } from '../../harness/runner.ts';
import { InputError } from '../../scenario/errors.ts';
import { parseScenario } from '../../scenario/load.ts';
import { CHECK_NAMES, type CheckName } from '../../scenario/types.ts';
import { parseShard } from '../../suite/shard.ts';
import { workerUrl } from '../worker-url.ts';
import { colours, type CliIo } from '../io.ts';
import { parseDesignFlag } from './run.ts';

export interface FuzzFlags {
  readonly design?: string;
  readonly property?: string;
  readonly runs?: number;
  readonly time?: string;
  readonly seed?: number;
  readonly workers?: number;
  readonly shard?: string;
  readonly json?: boolean;
  readonly checkDeterminism?: string | boolean;
  readonly duration?: string;
  readonly maxFaults?: number;
  readonly shrink?: number;
}

export const DEFAULT_RUNS = 200;
/** Failing runs shrunk per design by default. */
export const DEFAULT_SHRINK = 3;
/** Runs sampled by a bare `--check-determinism`. */
export const DEFAULT_DETERMINISM_SAMPLE = 5;

/** Runs `fuzz`; returns the exit code. Throws InputError for bad input. */
export async function runFuzzCommand(flags: FuzzFlags, io: CliIo): Promise<number> {
  const designs = parseDesignFlag(flags.design) ?? [...DESIGNS.names];
  let property: CheckName | undefined;
  if (flags.property !== undefined) {
    if (!isCheckName(flags.property)) throw new InputError(undefined, '--property', `unknown check ${JSON.stringify(flags.property)}; expected one of ${CHECK_NAMES.join(', ')}`);
    property = flags.property;
  }
  if (flags.runs !== undefined && flags.time !== undefined) throw new InputError(undefined, '--time', 'give --runs N or --time DURATION, not both');
  const timeMs = flags.time === undefined ? undefined : positiveMs(flags.time, '--time');
  const durationMs = flags.duration === undefined ? DEFAULT_CONFIG.durationMs : positiveMs(flags.duration, '--duration');
  if (durationMs < 1000) throw new InputError(undefined, '--duration', `${JSON.stringify(flags.duration)} is too short; expected at least 1s of simulated time per run`);
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  const sample = parseSample(flags.checkDeterminism);
  const seed = flags.seed ?? Math.floor(Date.now() % 2_147_483_647);
  const workers = flags.workers ?? availableParallelism();
  const config: FuzzConfig = {
    ...DEFAULT_CONFIG,
    seed,
    durationMs,
    ...(property === undefined ? {} : { property }),
    ...(flags.maxFaults === undefined ? {} : { maxFaults: flags.maxFaults }),
    ...(property === 'linearizable' ? { linearizabilityBudgetSteps: undefined } : {}),
  };
  const runs = timeMs === undefined ? (flags.runs ?? DEFAULT_RUNS) : undefined;
  io.stderr(`fuzz: seed ${seed} (replay this session with --seed ${seed}), ${designs.join(', ')}, ${runs === undefined ? `for ${flags.time}` : `${runs} runs per design`}${shard === undefined ? '' : `, shard ${shard.index}/${shard.count}`} on ${workers} worker${workers === 1 ? '' : 's'}\n`);

  const started = performance.now();
  const progress = progressLine(io, started);
  const executor = fuzzExecutor(DESIGNS, workers, workerUrl());
  /** `design/run` → the traceHash the worker got, for the sampled runs. */
  const workerHashes = new Map<string, string>();
  let report: FuzzReport;
  try {
    report = await runFuzz(
      {
        designs,
        config,
        ...(runs === undefined ? {} : { runs }),
        ...(shard === undefined ? {} : { shard }),
        shrinkPerDesign: flags.shrink ?? DEFAULT_SHRINK,
        batchSize: 10,
        inFlight: workers * 2,
        ...(sample === undefined ? {} : { hashSample: sample }),
      },
      executor.execute,
      {
        ...(timeMs === undefined ? {} : { shouldStop: () => performance.now() - started >= timeMs }),
        ...(progress === undefined ? {} : { onProgress: progress.update }),
        ...(sample === undefined ? {} : { onRunHash: (design: string, index: number, hash: string) => void workerHashes.set(`${design}/${index}`, hash) }),
      },
    );
  } finally {
    progress?.done();
    await executor.close();
  }
  const wallS = (performance.now() - started) / 1000;
  let determinismOk = true;
  let determinism: DeterminismReport | undefined;
  if (sample !== undefined) determinism = checkDeterminism(config, designs, report, sample, workerHashes);
  if (determinism !== undefined) determinismOk = determinism.mismatches.length === 0;

  if (flags.json === true) {
    io.stdout(`${JSON.stringify(determinism === undefined ? report : { ...report, determinism }, null, 2)}\n`);
  } else {
    io.stdout(renderFuzz(report, io, determinism));
  }
  io.stderr(`fuzz: ${report.runs} runs in ${wallS.toFixed(1)} s (${(report.runs / Math.max(wallS, 1e-9)).toFixed(0)} runs/s, ${(report.events / Math.max(wallS, 1e-9) / 1e6).toFixed(2)} M events/s) on ${workers} worker${workers === 1 ? '' : 's'}; ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}\n`);
  if (!determinismOk) return 3;
  return report.findings.length > 0 || Object.values(report.designs).some((d) => d.failedRuns > 0) ? 1 : 0;
}

function positiveMs(value: string, flag: string): number {
  const us = parseDurationUs(value);
  if (us === undefined || us <= 0) throw new InputError(undefined, flag, `${JSON.stringify(value)} is not a duration above zero; expected e.g. 60s, 500ms or 2m`);
  return us / 1000;
}

function parseSample(value: string | boolean | undefined): number | 'all' | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return DEFAULT_DETERMINISM_SAMPLE;
  if (value === 'all') return 'all';
  if (/^\d+$/.test(value) && Number(value) >= 1) return Number(value);
  throw new InputError(undefined, '--check-determinism', `${JSON.stringify(value)}: expected a number of runs to re-run (≥ 1) or "all"`);
}

/** The progress line on a terminal stderr: runs, runs/s, failing runs (redrawn at most 10 times a second). */
function progressLine(io: CliIo, started: number): { update(runs: number, failed: number): void; done(): void } | undefined {
  const tty = io.progress;
  if (tty === undefined) return undefined;
  let last = 0;
  let drawn = false;
  return {
    update(runs, failed) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      const rate = runs / Math.max((now - started) / 1000, 1e-9);
      tty.write(`\r\u001b[2Kfuzz: ${runs} runs, ${rate.toFixed(0)} runs/s, ${failed} failing`);
      drawn = true;
    },
    done() {
      if (drawn) tty.write('\r\u001b[2K');
    },
  };
}

/** `--check-determinism`: what was re-run and where two runs of the same scenario differed. */
export interface DeterminismReport {
  readonly checked: number;
  readonly mismatches: ReadonlyArray<DeterminismMismatch>;
}

/**
 * One run that was not reproduced. `line` (1-based) with `first` / `second`:
 * the first trace line where the two re-runs differ. When the re-runs agree
 * with each other but not with the session's own run, `line` is null
 * (workers keep no trace: the session's lines are not there to compare) and
 * `first` / `second` say which hashes differ; `sessionHash` / `rerunHash`
 * are given whenever the session's hash was known and differed.
 */
export interface DeterminismMismatch {
  readonly design: string;
  readonly run: number;
  readonly line: number | null;
  readonly first: string;
  readonly second: string;
  readonly sessionHash?: string;
  readonly rerunHash?: string;
}

/**
 * Re-runs a sample of the session's runs (the first N of each design, or all)
 * twice each, with their traces, after every other run of the session, and
 * compares both with the traceHash the session's worker got for that run
 * (`sessionHashes`, `design/run` → hash): state leaking from one run into the
 * next, a worker thread behaving otherwise than this one, or any ambient
 * input shows as a difference — the first trace line where the two re-runs
 * differ, or else the session's hash against the re-runs'.
 */
export function checkDeterminism(
  config: FuzzConfig,
  designs: readonly string[],
  report: FuzzReport,
  sample: number | 'all',
  sessionHashes: ReadonlyMap<string, string> = new Map(),
): DeterminismReport {
  const mismatches: Array<DeterminismReport['mismatches'][number]> = [];
  let checked = 0;
  const shard = report.fuzz.shard === null ? undefined : parseShard(report.fuzz.shard);
  for (const design of designs) {
    const done = report.designs[design]?.runs ?? 0;
    const count = sample === 'all' ? done : Math.min(sample, done);
    for (let j = 0; j < count; j++) {
      const index = shard === undefined ? j : j * shard.count + (shard.index - 1);
      const scenario = parseScenario(drawScenario(DESIGNS, config, design, index), `fuzz:${design}-${index}`, DESIGNS);
      const traced = (): { lines: string[]; hash: string } => {
        const lines: string[] = [];
        const result = runDesign(scenario, DESIGNS, design, scenario.seed, { trace: (line) => void lines.push(line), ...(config.linearizabilityBudgetSteps === undefined ? {} : { linearizabilityBudgetSteps: config.linearizabilityBudgetSteps }) });
        return { lines, hash: result.traceHash };
      };
      const a = traced();
      const b = traced();
      checked++;
      const session = sessionHashes.get(`${design}/${index}`);
      const hashes = session === undefined || session === a.hash ? {} : { sessionHash: session, rerunHash: a.hash };
      if (a.hash === b.hash && a.lines.length === b.lines.length && a.lines.every((l, i) => l === b.lines[i])) {
        if (session !== undefined && session !== a.hash) {
          mismatches.push({ design, run: index, line: null, first: `session run: traceHash ${session}`, second: `re-runs (identical to each other): traceHash ${a.hash}`, ...hashes });
        }
        continue;
      }
      let i = 0;
      while (i < a.lines.length && i < b.lines.length && a.lines[i] === b.lines[i]) i++;
      mismatches.push({ design, run: index, line: i + 1, first: a.lines[i] ?? '(trace ended)', second: b.lines[i] ?? '(trace ended)', ...hashes });
    }
  }
  return { checked, mismatches };
}

/** The text output: findings (scenario + replay command), then coverage. */
function renderFuzz(report: FuzzReport, io: CliIo, determinism: DeterminismReport | undefined): string {
  const c = colours(io);
  const out: string[] = [];
  const shard = report.fuzz.shard === null ? '' : ` (shard ${report.fuzz.shard})`;
  out.push(c.bold(`fuzz: seed ${report.fuzz.seed}, property ${report.fuzz.property}, ${report.runs} runs of ${report.fuzz.durationMs / 1000} s${shard}`));
  for (const [design, d] of Object.entries(report.designs)) {
    out.push(`  ${design.padEnd(10)} ${String(d.runs).padStart(6)} runs  ${d.failedRuns === 0 ? c.green('no failure') : c.red(`${d.failedRuns} failing`)}${d.findings === 0 ? '' : `, ${d.findings} distinct finding${d.findings === 1 ? '' : 's'}`}`);
  }
  out.push('');
  report.findings.forEach((f, i) => {
    out.push(c.red(c.bold(`finding ${i + 1}: ${f.design} breaks ${f.property}`)) + ` (run ${f.run}, shrunk ${f.shrinks} times)`);
    out.push(`  ${f.signature}`);
    out.push(`  traceHash ${f.traceHash}`);
    const v = f.violation as { detail?: string; violations?: Array<{ detail?: string }> };
    const first = v.violations?.[0]?.detail ?? v.detail;
    if (first !== undefined) out.push(`  ${first}`);
    out.push('  scenario (save as a .json file: `npx locksim run FILE` reproduces it):');
    out.push(JSON.stringify(f.scenario, null, 2).replace(/^/gm, '    '));
    out.push(`  replay: npx locksim replay ${f.replay}`);
    out.push('');
  });
  if (report.findings.length === 0) out.push(c.green('no property failed') + '\n');
  out.push(renderCoverage(report.coverage));
  if (determinism !== undefined) {
    out.push('');
    if (determinism.mismatches.length === 0) out.push(c.green(`determinism: ${determinism.checked} runs re-run twice each, every trace identical and every traceHash the session's`));
    for (const m of determinism.mismatches) {
      out.push(c.red(m.line === null ? `determinism: ${m.design} run ${m.run}: the session's run and its re-runs differ:` : `determinism: ${m.design} run ${m.run} differs at trace line ${m.line}:`));
      out.push(`  first:  ${m.first}`);
      out.push(`  second: ${m.second}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function renderCoverage(cov: Coverage): string {
  const lines = ['coverage of the fault space:'];
  const row = (what: string, n: number | string): void => void lines.push(`  ${String(n).padStart(7)}  ${what}`);
  row(`runs (${cov.runsWithoutFaults} without a fault; ${cov.failedRuns} failing)`, cov.runs);
  row(`faults generated, ${cov.faults.fired} fired, ${cov.faults.didNothing} did nothing`, cov.faults.generated);
  for (const [kind, k] of Object.entries(cov.faults.byKind)) row(`  ${kind}: ${k.fired} fired, ${k.didNothing} did nothing`, k.generated);
  row('pauses of a client that outlived its lease (the service expired its grant while it was paused)', cov.pausesOutlivedLease);
  row('clock jumps that expired a held lock (the jumped server expired a held grant before its lease was up)', cov.clockJumpsExpiredHeldLock);
  row('crashes that lost an acknowledged write (made before a reported grant, release or renewal)', cov.crashesLostAckedWrite);
  row('partitions that split the servers', cov.partitionsSplitQuorum);
  row(`runs where the store rejected a stale token (${cov.staleTokensRejected.total} rejections)`, cov.staleTokensRejected.runs);
  row(`runs with a lease expiry (${cov.leaseExpiries.total} expiries)`, cov.leaseExpiries.runs);
  return lines.join('\n');
}
