/**
 * A scenario after loading: SPEC §3 validated and normalised, durations in µs.
 * The loader (`load.ts`) produces it; the runner consumes it. Nothing here is
 * design-specific except `config`, which holds each design's raw knobs (each
 * design validates its own).
 */
import type { Micros } from '../../algorithms/api/time.ts';
import type { RangeUs } from '../../algorithms/api/knobs.ts';

export type FencingMode = 'none' | 'writes' | 'reads-and-writes';
export type Durability = 'all' | 'fsynced' | 'none';
export type TriggerEvent = 'acquired' | 'released' | 'granted' | 'elected' | 'expired';
export type PartitionShape = 'isolate' | 'halves' | 'majority-minority' | 'bridge' | 'ring' | 'one-way';
export type CheckName = 'mutualExclusion' | 'fencing' | 'resource' | 'linearizable' | 'liveness';

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

export interface NetworkConfig {
  readonly latencyUs: RangeUs;
  readonly loss: number;
  readonly duplicate: number;
}

/** When a fault fires: at a true time, or on the nth occurrence of an event (optionally at one node) plus a delay. */
export type Trigger =
  | { readonly kind: 'at'; readonly atUs: Micros }
  | { readonly kind: 'on'; readonly event: TriggerEvent; readonly node: string | undefined; readonly nth: number; readonly delayUs: Micros };

/** A target as written: a node name or a dynamic/group name. */
export type Target = string;

interface FaultBase {
  /** Index in the scenario's `faults` array, for messages and reports. */
  readonly index: number;
  readonly trigger: Trigger;
}

export type Fault =
  | (FaultBase & { readonly kind: 'pause'; readonly target: Target; readonly durationUs: Micros })
  | (FaultBase & { readonly kind: 'crash'; readonly target: Target; readonly restartAfterUs: Micros | undefined; readonly durable: Durability })
  | (FaultBase & { readonly kind: 'clock-jump'; readonly target: Target; readonly byUs: Micros })
  | (FaultBase & { readonly kind: 'clock-drift'; readonly target: Target; readonly rate: number; readonly durationUs: Micros | undefined })
  | (FaultBase & {
      readonly kind: 'partition';
      /** exactly one of shape, groups, cut is set */
      readonly shape: PartitionShape | undefined;
      readonly target: Target | undefined;
      readonly groups: ReadonlyArray<readonly Target[]> | undefined;
      readonly cut: ReadonlyArray<readonly [Target, Target]> | undefined;
      readonly oneWay: boolean;
      readonly durationUs: Micros | undefined;
    })
  | (FaultBase & {
      readonly kind: 'network';
      readonly loss: number;
      readonly duplicate: number;
      readonly delayUs: Micros;
      readonly durationUs: Micros | undefined;
    })
  | (FaultBase & { readonly kind: 'heal' });

export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = ['pause', 'crash', 'clock-jump', 'clock-drift', 'partition', 'network', 'heal'];

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The file it came from, or `builtin:<name>`. */
  readonly source: string;
  readonly seed: number;
  readonly durationUs: Micros;
  readonly livenessWithinUs: Micros;
  readonly designs: readonly string[];
  /** Raw knobs per design (validated by the design's parseKnobs at load time). */
  readonly config: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly network: NetworkConfig;
  readonly workload: Workload;
  readonly faults: readonly Fault[];
  /** expect[design][check] = true | false | null */
  readonly expect: Readonly<Record<string, Readonly<Partial<Record<CheckName, boolean | null>>>>>;
}
