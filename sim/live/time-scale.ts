/**
 * `--time-scale`: every duration of a scenario (and of a design's parsed
 * knobs) multiplied by one factor, so a 60 s scenario with 10 s leases runs
 * in 6 s with 1 s leases at 0.1. What shrinks: the run's duration, the
 * liveness window, hold, think, stagger and acquire timeout, the network's
 * latency, every fault's `at`, `delay`, `duration`, `restartAfter` and a
 * clock jump's `by`; in the knobs, every number whose name ends in `Us`
 * (ttlUs, retryDelayUs, sessionTtlUs, …, also inside nested objects).
 * What does not: counts, rates (a drift rate is already relative),
 * probabilities. A positive duration never shrinks below 1 µs.
 * Not modelled: what does not scale in a real system — loopback round
 * trips, process start-up, a JVM's pauses — which is why results at small
 * scales can differ from those at 1 (the result says which scale ran).
 */
import type { Micros, RangeUs } from '../../algorithms/api/index.ts';
import type { Fault } from '../faults/types.ts';
import type { Scenario } from '../scenario/types.ts';

/** Scales one duration. */
export function scaleUs(us: Micros, scale: number): Micros {
  if (us === 0) return 0;
  const scaled = Math.round(us * scale);
  return us > 0 ? Math.max(1, scaled) : Math.min(-1, scaled);
}

function scaleRange(range: RangeUs, scale: number): RangeUs {
  return { minUs: scaleUs(range.minUs, scale), maxUs: scaleUs(range.maxUs, scale) };
}

function scaleFault(fault: Fault, scale: number): Fault {
  const trigger =
    fault.trigger.kind === 'at' ? { ...fault.trigger, atUs: scaleUs(fault.trigger.atUs, scale) } : { ...fault.trigger, delayUs: scaleUs(fault.trigger.delayUs, scale) };
  const scaled: Record<string, unknown> = { ...fault, trigger };
  for (const name of ['durationUs', 'restartAfterUs', 'byUs', 'delayUs'] as const) {
    const value = (fault as unknown as Record<string, unknown>)[name];
    if (typeof value === 'number') scaled[name] = scaleUs(value, scale);
  }
  return scaled as unknown as Fault;
}

/** The scenario with every duration multiplied by `scale` (1: unchanged). */
export function scaleScenario(scenario: Scenario, scale: number): Scenario {
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`time scale must be a positive number, got ${scale}`);
  if (scale === 1) return scenario;
  const w = scenario.workload;
  return {
    ...scenario,
    durationUs: scaleUs(scenario.durationUs, scale),
    livenessWithinUs: scaleUs(scenario.livenessWithinUs, scale),
    network: { ...scenario.network, latencyUs: scaleRange(scenario.network.latencyUs, scale) },
    workload: {
      ...w,
      holdUs: scaleRange(w.holdUs, scale),
      thinkUs: scaleRange(w.thinkUs, scale),
      staggerUs: scaleUs(w.staggerUs, scale),
      acquireTimeoutUs: scaleUs(w.acquireTimeoutUs, scale),
    },
    faults: scenario.faults.map((fault) => scaleFault(fault, scale)),
  };
}

/** A design's parsed knobs with every `…Us` number (at any depth) multiplied by `scale`. */
export function scaleKnobs<K>(knobs: K, scale: number): K {
  const walk = (value: unknown, name: string): unknown => {
    if (typeof value === 'number') return name.endsWith('Us') ? scaleUs(value, scale) : value;
    if (Array.isArray(value)) return value.map((v) => walk(v, name));
    if (typeof value === 'object' && value !== null) {
      // A nested range ({ minUs, maxUs }) under a knob is scaled by its own field names.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  return walk(knobs, '') as K;
}

/** The floor under scaled client timing constants (a command timeout, the store timeout): a forked node process under load can take that long to answer itself. */
export const MIN_CLIENT_TIMEOUT_US = 25_000;

/** A client timing constant of the simulated design (not a knob), scaled, never below MIN_CLIENT_TIMEOUT_US. */
export function scaleClientTimeoutUs(us: Micros, scale: number): Micros {
  return Math.max(MIN_CLIENT_TIMEOUT_US, scaleUs(us, scale));
}
