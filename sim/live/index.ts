/**
 * Live mode (SPEC §9): the same scenario's workload, faults and checks
 * against real servers on this machine, loopback only. Not deterministic
 * (real processes, real time); everything it starts is cleaned up.
 *
 * Entry points: `runLiveDesign` (one design; run-live.ts) and `runLive`
 * (every design of a scenario, a §4 RunResult with `mode: "live"` per
 * design). The building blocks are exported for the designs still to come
 * and for tests: the process registry, the server starters, the proxy, the
 * store server.
 */
import type { Scenario } from '../scenario/types.ts';
import type { LiveDesignResult } from './result.ts';
import { runLiveDesign, type LiveOptions } from './run-live.ts';

export { isInstalled, locate, MissingBinaryError, type Program } from './binaries.ts';
export { startEtcd, EtcdMember, type EtcdOptions } from './etcd-server.ts';
export { LiveProcesses, type TrackedProcess } from './processes.ts';
export { TcpProxy, type CutMode, type Direction, type LatencyUs } from './proxy.ts';
export { RedisServer, redisConfig, type RedisServerOptions } from './redis-server.ts';
export { agreement, type CheckAgreement, type KnobMapping, type LiveDesignResult, type LiveFaultReport, type LiveServerInfo } from './result.ts';
export { LIVE_DESIGNS, runLiveDesign, type LiveOptions } from './run-live.ts';
export { StoreServer } from './store-server.ts';
export { scaleKnobs, scaleScenario } from './time-scale.ts';
export { startZooKeeper, ZooKeeperServer, type ZooKeeperOptions } from './zookeeper-server.ts';

/** SPEC §9: one live result per design. */
export interface LiveRunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly mode: 'live';
  readonly results: readonly LiveDesignResult[];
}

/** Runs every design of the scenario (or `designs`) live, one after another. */
export async function runLive(scenario: Scenario, options: LiveOptions & { readonly designs?: readonly string[] }): Promise<LiveRunResult> {
  const results: LiveDesignResult[] = [];
  for (const design of options.designs ?? scenario.designs) results.push(await runLiveDesign(scenario, design, options));
  return { scenario: scenario.name, seed: options.seed ?? scenario.seed, mode: 'live', results };
}
