/**
 * What a fault needs to act: the world it acts on (the simulation, target
 * resolution, the partition universe and a crash hook — supplied by the
 * harness), and the firing fault's own report and effect counters.
 */
import type { Simulation } from '../core/engine.ts';
import type { SimNode } from '../core/node.ts';
import type { Link, PartitionUniverse } from './partition.ts';

/** What the harness gives the fault scheduler. */
export interface FaultWorld {
  readonly sim: Simulation;
  readonly universe: PartitionUniverse;
  /** Node names a target stands for now (empty if none). */
  resolve(target: string): string[];
  /** A node just crashed (the harness ends a crashed client's belief). */
  onCrash(node: SimNode): void;
  /**
   * The node's disk write count (`SimDisk.writes`) when it last told a
   * client of an outcome (a grant, release or renewal): the writes up to it
   * were acknowledged. Optional: without it no write counts as acknowledged.
   */
  ackedWrites?(node: SimNode): number;
}

/** The report of the fault firing now, as it is filled in. */
export interface FiringReport {
  firedAt: number | null;
  targets: string[];
  resolved?: Record<string, string[]>;
  sides?: string[][];
  skipped?: string;
}

/** Handed to a fault kind's `apply…` function when its fault fires. */
export interface FaultContext {
  readonly world: FaultWorld;
  readonly sim: Simulation;
  /** The fault's index (its effect counters and trace lines are keyed by it). */
  readonly index: number;
  readonly report: FiringReport;
  /** Adds `by` to one of this fault's effect counters. */
  count(counter: string, by?: number): void;
  /** Records that the fault did nothing, and why. */
  skip(why: string): void;
  /** The node names `target` stands for now; a dynamic name's resolution is recorded in the report. */
  resolve(target: string): string[];
  /** The nodes `target` stands for now, recorded in the report; null (and skipped) if none. */
  targets(target: string): SimNode[] | null;
  /** Partitions in force, by fault index (a `heal` restores them all). */
  readonly partitions: Map<number, Link[]>;
}
