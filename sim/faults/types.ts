/**
 * Faults as the scheduler takes them: a trigger plus one kind's options
 * (each kind's options live in its own file), and the report of what each
 * fault did. The scenario loader produces these from SPEC §3's `faults`.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import type { ClockDriftOptions } from './clock-drift.ts';
import type { ClockJumpOptions } from './clock-jump.ts';
import type { CrashOptions } from './crash.ts';
import type { HealOptions } from './heal.ts';
import type { NetworkFaultOptions } from './network.ts';
import type { PartitionOptions } from './partition.ts';
import type { PauseOptions } from './pause.ts';

/** Events an `on` trigger can wait for. */
export type TriggerEvent = 'acquired' | 'released' | 'granted' | 'elected' | 'expired';

/** When a fault fires: at a true time, or on the nth occurrence of an event (optionally at one node) plus a delay. */
export type Trigger =
  | { readonly kind: 'at'; readonly atUs: Micros }
  | { readonly kind: 'on'; readonly event: TriggerEvent; readonly node: string | undefined; readonly nth: number; readonly delayUs: Micros };

/** A target as written: a node name or a dynamic/group name (`leader`, `holder`, `servers`, `clients`). */
export type Target = string;

interface FaultBase {
  /** Index in the scenario's `faults` array, for messages and reports. */
  readonly index: number;
  readonly trigger: Trigger;
}

export type Fault =
  | (FaultBase & PauseOptions)
  | (FaultBase & CrashOptions)
  | (FaultBase & ClockJumpOptions)
  | (FaultBase & ClockDriftOptions)
  | (FaultBase & PartitionOptions)
  | (FaultBase & NetworkFaultOptions)
  | (FaultBase & HealOptions);

export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = ['pause', 'crash', 'clock-jump', 'clock-drift', 'partition', 'network', 'heal'];

/**
 * What one fault did: proof that it took effect, and when its effect ended.
 *
 * `endedAt` (for liveness, SPEC §7) is worked out from what the fault was
 * and when it fired, never by scheduling anything (the trace and traceHash
 * stay as they were): a pause ends `duration` after it fired; a crash with
 * `restartAfter` when the node restarts, one without it when it fired (the
 * node is down for good: a permanent change the rest must live with); a
 * partition when its `duration` runs out or a `heal` ends it, whichever is
 * first; a `network` window when its `duration` runs out; a `clock-drift`
 * with a `duration` when the clock is back at its old rate, one without it
 * when it fired (a permanent rate, like a clock jump, which ends when it
 * fires); a `heal` when it fires. A fault that fired and did nothing
 * (`skipped`, a pause of a crashed node, a crash of a node already down)
 * ended when it fired. `null`: it never fired, or its end was not reached
 * by the run's end (a partition with no duration and no heal, a pause
 * longer than the rest of the run). Not modelled: a pause cut short by a
 * crash still counts its full duration.
 */
export interface FaultReport {
  readonly index: number;
  readonly kind: string;
  /** True time it fired (µs), or null if it never fired. */
  readonly firedAt: number | null;
  /** Resolved node names it acted on. */
  readonly targets: readonly string[];
  /** What each dynamic name resolved to when it fired (`{"leader": ["s3"]}`), when the fault named one. */
  readonly resolved?: Readonly<Record<string, readonly string[]>>;
  /** A partition's sides as they were cut (node names), when it was a partition. */
  readonly sides?: ReadonlyArray<readonly string[]>;
  /** Why it did nothing, when it did nothing. */
  readonly skipped?: string;
  /** Counters of its effect: events deferred by a pause, messages dropped, writes lost by a crash, … */
  readonly effect: Readonly<Record<string, number>>;
  /**
   * True time (µs) its effect ended (see above); null when it never fired
   * or had not ended by the run's end. Optional only for results written
   * before it existed: the scheduler always sets it.
   */
  readonly endedAt?: number | null;
}
