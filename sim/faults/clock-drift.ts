/**
 * `clock-drift`: the node's clocks (wall and monotonic) run at (1 + rate)×
 * true speed, for `duration` or to the end; timers the node sets stretch or
 * shrink with it. Counts `drifting`. Not modelled: drift that wanders.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import type { FaultContext } from './context.ts';
import type { Target } from './types.ts';

export interface ClockDriftOptions {
  readonly kind: 'clock-drift';
  readonly target: Target;
  /** The clock runs at (1 + rate)× true speed. */
  readonly rate: number;
  readonly durationUs: Micros | undefined;
}

export function applyClockDrift(fault: ClockDriftOptions, ctx: FaultContext): void {
  const nodes = ctx.targets(fault.target);
  if (nodes === null) return;
  const sim = ctx.sim;
  for (const node of nodes) {
    const before = node.clock.drift;
    node.clock.setDrift(sim.nowUs, fault.rate);
    ctx.count('drifting');
    if (fault.durationUs !== undefined) {
      sim.schedule(sim.nowUs + fault.durationUs, `drift ends ${node.id}`, () => node.clock.setDrift(sim.nowUs, before));
    }
  }
}
