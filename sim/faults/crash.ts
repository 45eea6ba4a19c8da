/**
 * `crash`: the process dies. Its volatile state and timers are gone; its
 * disk keeps what `durable` allows (`all`, `fsynced`, `none`); with
 * `restartAfter` a fresh process boots from that disk. Counts `crashed`,
 * `writesLost`, `ackedWritesLost` and `restarted`. `ackedWritesLost`: the
 * lost writes made before the node last told a client of an outcome (the
 * harness marks when: `FaultWorld.ackedWrites`) — acknowledgement is not
 * visible at the disk, so a write counts as acknowledged when any reported
 * grant, release or renewal came after it (a later reply need not have
 * depended on it); the lost writes are always the disk's latest ones. A node already down is left alone. Not
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
    const writesBefore = node.disk.writes;
    const ackedMark = ctx.world.ackedWrites?.(node) ?? 0;
    const lost = sim.crash(node, fault.durable);
    ctx.count('writesLost', lost);
    ctx.count('ackedWritesLost', Math.max(0, Math.min(lost, ackedMark - (writesBefore - lost))));
    ctx.world.onCrash(node);
    if (fault.restartAfterUs !== undefined) {
      sim.schedule(sim.nowUs + fault.restartAfterUs, `restart ${node.id}`, () => {
        sim.restart(node);
        ctx.count('restarted');
      });
    }
  }
}
