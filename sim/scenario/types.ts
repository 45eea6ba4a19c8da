/**
 * A scenario after loading: SPEC §3 validated and normalised, durations in µs.
 * The loader (`load.ts`) produces it; the runner consumes it. Nothing here is
 * design-specific except `config`, which holds each design's raw knobs (each
 * design validates its own).
 */
import type { Micros, RangeUs } from '../../algorithms/api/index.ts';
import type { FencingMode } from '../checker/types.ts';
import type { Durability } from '../core/disk.ts';
import type { NetworkOptions } from '../core/network.ts';
import type { PartitionShape } from '../faults/partition.ts';
import type { Fault, FaultKind, Trigger, TriggerEvent } from '../faults/types.ts';

export type { Durability, Fault, FaultKind, FencingMode, PartitionShape, Trigger, TriggerEvent };
export { FAULT_KINDS } from '../faults/types.ts';

export type CheckName = 'mutualExclusion' | 'fencing' | 'resource' | 'linearizable' | 'liveness';

/** Every check a scenario may `expect`, in report order. */
export const CHECK_NAMES: readonly CheckName[] = ['mutualExclusion', 'fencing', 'resource', 'linearizable', 'liveness'];

export interface Workload {
  readonly clients: number;
  readonly sections: number;
  /** fixed hold: minUs === maxUs */
  readonly holdUs: RangeUs;
  readonly thinkUs: RangeUs;
  readonly staggerUs: Micros;
  readonly acquireTimeoutUs: Micros;
  readonly fencing: FencingMode;
  readonly checkBeforeWrite: boolean;
  readonly permits: number;
}

/** The scenario's `network`: the core network's steady conditions. */
export type NetworkConfig = NetworkOptions;

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The file it came from, or `builtin:<name>`. */
  readonly source: string;
  readonly seed: number;
  readonly durationUs: Micros;
  readonly livenessWithinUs: Micros;
  /** true: clients and `at` faults start at true time 0; false: once the service is ready (SPEC §3 "Start"). */
  readonly coldStart: boolean;
  readonly designs: readonly string[];
  /** Raw knobs per design (validated by the design's parseKnobs at load time). */
  readonly config: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly network: NetworkConfig;
  readonly workload: Workload;
  readonly faults: readonly Fault[];
  /** expect[design][check] = true | false | null */
  readonly expect: Readonly<Record<string, Readonly<Partial<Record<CheckName, boolean | null>>>>>;
}
