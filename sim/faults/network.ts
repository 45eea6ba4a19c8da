/**
 * `network`: a window of extra `loss`, `duplicate` and added `delay` on every
 * link, for `duration` or to the end. Drops and duplicates in the window are
 * counted against this fault by the network. Not modelled: per-link windows.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import type { FaultContext } from './context.ts';

export interface NetworkFaultOptions {
  readonly kind: 'network';
  readonly loss: number;
  readonly duplicate: number;
  readonly delayUs: Micros;
  readonly durationUs: Micros | undefined;
}

export function applyNetworkFault(fault: NetworkFaultOptions, ctx: FaultContext): void {
  const sim = ctx.sim;
  sim.network.openWindow({ faultIndex: ctx.index, loss: fault.loss, duplicate: fault.duplicate, delayUs: fault.delayUs });
  ctx.report.targets = ['network'];
  if (fault.durationUs !== undefined) {
    sim.schedule(sim.nowUs + fault.durationUs, `network fault[${ctx.index}] ends`, () => sim.network.closeWindow(ctx.index));
  }
}
