/**
 * `clock-jump`: the node's wall clock steps by `by` (forward or back), as an
 * NTP step or an operator would move it. The monotonic clock is untouched.
 * Counts `wallJumpedMs`. Not modelled: leap-second smearing.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import { usToMs } from '../../algorithms/api/index.ts';
import type { FaultContext } from './context.ts';
import type { Target } from './types.ts';

export interface ClockJumpOptions {
  readonly kind: 'clock-jump';
  readonly target: Target;
  readonly byUs: Micros;
}

export function applyClockJump(fault: ClockJumpOptions, ctx: FaultContext): void {
  const nodes = ctx.targets(fault.target);
  if (nodes === null) return;
  for (const node of nodes) {
    node.clock.jump(fault.byUs);
    ctx.count('wallJumpedMs', usToMs(fault.byUs));
  }
}
