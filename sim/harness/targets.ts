/**
 * Fault targets resolved at the moment a fault fires: `leader` (the current
 * leader/primary, if it is up), `holder` (the first client that believes it
 * holds the lock now), `servers`, `clients`, or a node name. Empty when the
 * name stands for no node now (the fault is then reported as skipped).
 */
import type { Simulation } from '../core/engine.ts';
import type { LeadershipTracker } from './leadership.ts';
import type { Recorder } from './recorder.ts';

export interface TargetWorld {
  readonly sim: Simulation;
  readonly servers: readonly string[];
  readonly clients: readonly string[];
  readonly leadership: LeadershipTracker;
  readonly recorder: Recorder;
}

export function resolveTarget(world: TargetWorld, target: string): string[] {
  switch (target) {
    case 'leader': {
      const current = world.leadership.current();
      return current !== null && world.sim.node(current)?.status !== 'crashed' ? [current] : [];
    }
    case 'holder': {
      const holders = world.recorder.holders();
      return holders.length === 0 ? [] : [holders[0]];
    }
    case 'servers':
      return [...world.servers];
    case 'clients':
      return [...world.clients];
    default:
      return world.sim.node(target) === undefined ? [] : [target];
  }
}
