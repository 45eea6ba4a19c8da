/**
 * `crash`: the process dies. Its volatile state and timers are gone; its
 * disk keeps what `durable` allows (`all`, `fsynced`, `none`); with
 * `restartAfter` a fresh process boots from that disk. Counts `crashed`,
 * `writesLost` and `restarted`. A node already down is left alone. Not
 * modelled: torn writes, a disk that lies about fsync.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import type { Durability } from '../core/disk.ts';
import type { FaultContext } from './context.ts';
import type { Target } from './types.ts';

export interface CrashOptions {
  readonly kind: 'crash';
  readonly target: Target;
  /** Restart after this long; undefined: stays down. */
  readonly restartAfterUs: Micros | undefined;
  readonly durable: Durability;
}

export function applyCrash(fault: CrashOptions, ctx: FaultContext): void {
  const nodes = ctx.targets(fault.target);
  if (nodes === null) return;
  const sim = ctx.sim;
  for (const node of nodes) {
    if (node.status === 'crashed') continue;
    ctx.count('crashed');
    ctx.count('writesLost', sim.crash(node, fault.durable));
    ctx.world.onCrash(node);
    if (fault.restartAfterUs !== undefined) {
      sim.schedule(sim.nowUs + fault.restartAfterUs, `restart ${node.id}`, () => {
        sim.restart(node);
        ctx.count('restarted');
      });
    }
  }
}
