/**
 * The run's metrics (SPEC §4 `metrics`): sections, acquire latency
 * percentiles, failed acquires, messages and where they went, unavailable
 * and leaderless time, lease expiries, the event queue's peak, the time to
 * recover after the last fault (`recoveryMs`, from liveness.ts), plus every
 * design-specific counter the nodes reported (`metric` events).
 */
import { usToMs } from '../../algorithms/api/index.ts';
import type { Simulation } from '../core/engine.ts';
import type { LeadershipTracker } from './leadership.ts';
import type { Recorder } from './recorder.ts';
import type { Metrics } from './result.ts';

export interface MetricsInput {
  readonly sim: Simulation;
  readonly recorder: Recorder;
  readonly leadership: LeadershipTracker;
  readonly endUs: number;
  /** When the service became ready and the workload started (0: at once). */
  readonly readyUs: number;
  readonly staleTokensRejected: number;
  readonly leaseExpiries: number;
  /** From the last fault's end to the first section completed after it (ms); null with no fault or no such section. */
  readonly recoveryMs: number | null;
  readonly designMetrics: Readonly<Record<string, number>>;
}

export function gatherMetrics(input: MetricsInput): Metrics {
  const { sim, recorder } = input;
  const latencies = [...recorder.acquireLatenciesUs].sort((a, b) => a - b);
  const percentile = (p: number): number | null =>
    latencies.length === 0 ? null : round(usToMs(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]));
  const leaderlessUs = input.leadership.leaderlessUsUntil(input.endUs);
  return {
    sections: recorder.sections,
    acquireP50Ms: percentile(0.5),
    acquireP99Ms: percentile(0.99),
    failedAcquires: recorder.failedAcquires,
    messages: sim.network.sent,
    unavailableMs: round(usToMs(recorder.unavailableUs)),
    messagesPerSection: recorder.sections === 0 ? null : round(sim.network.sent / recorder.sections),
    messagesDroppedByPartition: sim.network.droppedByCut,
    messagesDroppedByLoss: sim.network.droppedByLoss,
    messagesDuplicated: sim.network.duplicated,
    staleTokensRejected: input.staleTokensRejected,
    elections: input.leadership.elections,
    leaderlessMs: leaderlessUs === null ? null : round(usToMs(leaderlessUs)),
    leaseExpiries: input.leaseExpiries,
    queuePeak: sim.queuePeak,
    readyMs: round(usToMs(input.readyUs)),
    recoveryMs: input.recoveryMs,
    ...input.designMetrics,
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
