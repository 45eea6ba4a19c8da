/**
 * `heal`: restores every partition in force. Counts `linksHealed` (zero, and
 * a trace line saying so, when nothing was partitioned).
 */
import { formatUs } from '../../algorithms/api/index.ts';
import type { FaultContext } from './context.ts';
import { restorePartition } from './partition.ts';

export interface HealOptions {
  readonly kind: 'heal';
}

export function applyHeal(_fault: HealOptions, ctx: FaultContext): void {
  let healed = 0;
  for (const index of [...ctx.partitions.keys()]) healed += restorePartition(ctx, index);
  ctx.count('linksHealed', healed);
  ctx.report.targets = ['network'];
  if (healed === 0) ctx.sim.traceNote(`fault[${ctx.index}] heal: nothing was partitioned (${formatUs(ctx.sim.nowUs)})`);
}
