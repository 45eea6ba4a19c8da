/**
 * What the fault scheduler needs from a running design: the simulation,
 * target resolution (dynamic names resolved at the moment a fault fires),
 * the partition universe and a crash hook (to end a crashed client's belief).
 */
import type { Simulation } from '../core/engine.ts';
import type { SimNode } from '../core/node.ts';
import type { PartitionUniverse } from './partition.ts';

export interface Engine {
  readonly sim: Simulation;
  readonly universe: PartitionUniverse;
  /** Node names a target stands for now (empty if none). */
  resolve(target: string): string[];
  onCrash(node: SimNode): void;
}
