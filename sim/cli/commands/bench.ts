/**
 * `locksim bench [--json]`: measures this machine (sim/bench/measure.ts) and
 * prints the figures beside their targets.
 */
import Table from 'cli-table3';
import { DESIGNS } from '../../../algorithms/index.ts';
import { BENCH_TARGETS, runBenchmarks, type BenchOptions, type BenchResult } from '../../bench/measure.ts';
import { COMPACT, colours, type CliIo } from '../io.ts';
import { workerUrl } from '../worker-url.ts';

export type { BenchOptions, BenchResult } from '../../bench/measure.ts';

/** Runs `bench`; returns the exit code. */
export async function runBench(flags: { json?: boolean }, io: CliIo, options: BenchOptions = {}): Promise<number> {
  const result = await runBenchmarks(DESIGNS, { suiteWorkerUrl: workerUrl(), ...options });
  if (flags.json === true) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout(renderBench(result, io));
  }
  return 0;
}

function renderBench(result: BenchResult, io: CliIo): string {
  const c = colours(io);
  const table = new Table({ head: ['measure', 'value', 'target', ''], style: { head: [], border: [] }, chars: COMPACT });
  const verdict = (value: number | null, ok: (v: number) => boolean): string => (value === null ? c.dim('-') : ok(value) ? c.green('ok') : c.red('below target'));
  const t = BENCH_TARGETS;
  table.push(['engine.eventsPerSec', fmt(result.engine.eventsPerSec), `>= ${fmt(t.engineEventsPerSec)}`, verdict(result.engine.eventsPerSec, (v) => v >= t.engineEventsPerSec)]);
  table.push(['sim.eventsPerSec', fmt(result.sim.eventsPerSec), `>= ${fmt(t.simEventsPerSec)}`, verdict(result.sim.eventsPerSec, (v) => v >= t.simEventsPerSec)]);
  table.push(['sim.speedup', result.sim.speedup === null ? '-' : `${fmt(result.sim.speedup)}x`, `>= ${t.simSpeedup}x`, verdict(result.sim.speedup, (v) => v >= t.simSpeedup)]);
  table.push(['redlock.eventsPerSec', fmt(result.redlock.eventsPerSec), `>= ${fmt(t.simEventsPerSec)}`, verdict(result.redlock.eventsPerSec, (v) => v >= t.simEventsPerSec)]);
  table.push(['redlock.speedup', result.redlock.speedup === null ? '-' : `${fmt(result.redlock.speedup)}x`, `>= ${t.simSpeedup}x`, verdict(result.redlock.speedup, (v) => v >= t.simSpeedup)]);
  table.push(['checker.porcupineEtcdMs', result.checker.porcupineEtcdMs === null ? '-' : `${result.checker.porcupineEtcdMs} ms`, `<= ${t.checkerPorcupineEtcdMs} ms`, verdict(result.checker.porcupineEtcdMs, (v) => v <= t.checkerPorcupineEtcdMs)]);
  const pm = result.checker.porcupine;
  const faster = (v: number, porcupineMs: number): boolean => porcupineMs > 0 && v < porcupineMs;
  table.push(['checker.kvGeneratedMs', ms(result.checker.kvGeneratedMs), `< Porcupine ${fmt(pm.kvGenerated)} ms`, verdict(result.checker.kvGeneratedMs, (v) => faster(v, pm.kvGenerated))]);
  table.push(['checker.casGeneratedMs', ms(result.checker.casGeneratedMs), `< Porcupine ${fmt(pm.casGenerated)} ms`, verdict(result.checker.casGeneratedMs, (v) => faster(v, pm.casGenerated))]);
  table.push(['suite.wallMs', ms(result.suite.wallMs), '< 60,000 ms', verdict(result.suite.wallMs, (v) => v < 60_000)]);
  table.push(['fuzz.runsPerSec', fmt(result.fuzz.runsPerSec), '>= 200 per core', verdict(result.fuzz.runsPerSec, (v) => v >= 200)]);
  const notes = [
    result.sim.note === undefined ? undefined : `sim: ${result.sim.note}`,
    result.checker.note === undefined ? undefined : `checker: ${result.checker.note}`,
    result.suite.note === undefined ? undefined : `suite: ${result.suite.note}`,
    result.fuzz.note === undefined ? undefined : `fuzz: ${result.fuzz.note}`,
  ].filter((n): n is string => n !== undefined);
  return `${table.toString()}\n${notes.map((n) => c.dim(n)).join('\n')}\n`;
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value.toLocaleString('en-US')} ms`;
}

function fmt(value: number | null): string {
  return value === null ? '-' : value.toLocaleString('en-US');
}
