/**
 * `pause`: a process (GC) pause. The node handles nothing while true time
 * flows; on resume its backlog of timers and messages runs in the order it
 * came due, so a holder may write before it notices its lease ran out.
 * Counts `pausedMs` and the `eventsDeferred` that waited. A crash ends the
 * pause; a later, longer pause of the same node wins. Not modelled: pauses
 * of part of a process (one thread).
 */
import type { Micros } from '../../algorithms/api/index.ts';
import { usToMs } from '../../algorithms/api/index.ts';
import type { FaultContext } from './context.ts';
import type { Target } from './types.ts';

export interface PauseOptions {
  readonly kind: 'pause';
  readonly target: Target;
  readonly durationUs: Micros;
}

export function applyPause(fault: PauseOptions, ctx: FaultContext): void {
  const nodes = ctx.targets(fault.target);
  if (nodes === null) return;
  const sim = ctx.sim;
  for (const node of nodes) {
    const paused = sim.pause(node, sim.nowUs + fault.durationUs, (deferred) => {
      ctx.count('eventsDeferred', deferred);
      sim.traceNote(`${node.id} resumed with ${deferred} deferred events`);
    });
    if (paused) ctx.count('pausedMs', usToMs(fault.durationUs));
  }
}
