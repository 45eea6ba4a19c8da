/**
 * The fault scheduler: fires each scenario fault once, `at` a true time or
 * `on` the nth occurrence of an event (plus a delay), resolves its targets
 * at that moment (`leader`, `holder`, `servers`, `clients`), hands it to its
 * kind's file (pause.ts, crash.ts, …) and keeps a report of what it did and
 * whom it hit. A fault whose target does not exist in this design, or is not
 * there when it fires (no leader, no holder), is reported as skipped with
 * the reason — never silently dropped.
 */
import type { SimNode } from '../core/node.ts';
import { applyClockDrift } from './clock-drift.ts';
import { applyClockJump } from './clock-jump.ts';
import type { FaultContext, FaultWorld, FiringReport } from './context.ts';
import { applyCrash } from './crash.ts';
import { applyHeal } from './heal.ts';
import { applyNetworkFault } from './network.ts';
import { applyPartition, type Link } from './partition.ts';
import { applyPause } from './pause.ts';
import type { Fault, FaultReport, TriggerEvent } from './types.ts';

/** Names resolved when a fault fires, recorded in its report. */
const DYNAMIC_TARGETS = new Set(['leader', 'holder', 'servers', 'clients']);

interface Pending {
  readonly fault: Fault & { trigger: { kind: 'on' } };
  seen: number;
}

interface MutableReport extends FiringReport {
  readonly index: number;
  readonly kind: string;
}

export class FaultScheduler {
  private readonly reports: MutableReport[];
  private readonly pending: Pending[] = [];
  private readonly partitions = new Map<number, Link[]>();

  /**
   * @param startUs the true time `at` times count from: 0, or when the
   *   service became ready (a warm start); `on` triggers count events from
   *   the scheduler's creation.
   */
  constructor(private readonly world: FaultWorld, faults: readonly Fault[], startUs = 0) {
    this.reports = faults.map((fault) => ({ index: fault.index, kind: fault.kind, firedAt: null, targets: [] }));
    for (const fault of faults) {
      if (fault.trigger.kind === 'at') {
        world.sim.schedule(startUs + fault.trigger.atUs, `fault[${fault.index}] ${fault.kind}`, () => this.fire(fault));
      } else {
        this.pending.push({ fault: fault as Pending['fault'], seen: 0 });
      }
    }
  }

  /** Tells the scheduler an event happened at `node` (drives `on` triggers). */
  notify(event: TriggerEvent, node: string): void {
    for (const waiting of this.pending) {
      const trigger = waiting.fault.trigger;
      if (trigger.event !== event || (trigger.node !== undefined && trigger.node !== node)) continue;
      waiting.seen++;
      if (waiting.seen === trigger.nth) {
        const fault = waiting.fault;
        this.world.sim.schedule(this.world.sim.nowUs + trigger.delayUs, `fault[${fault.index}] ${fault.kind}`, () => this.fire(fault));
      }
    }
  }

  /** Reports of every fault, with the effects counted so far. */
  report(): FaultReport[] {
    return this.reports.map((r) => ({
      ...r,
      ...(r.firedAt === null && r.skipped === undefined ? { skipped: 'its trigger never happened' } : {}),
      effect: this.world.sim.effects.of(r.index),
    }));
  }

  private context(fault: Fault): FaultContext {
    const sim = this.world.sim;
    const report = this.reports[fault.index];
    const skip = (why: string): void => {
      report.skipped = why;
      sim.traceNote(`fault[${fault.index}] ${fault.kind} skipped: ${why}`);
    };
    const resolve = (target: string): string[] => {
      const names = this.world.resolve(target);
      if (DYNAMIC_TARGETS.has(target)) (report.resolved ??= {})[target] = names;
      return names;
    };
    return {
      world: this.world,
      resolve,
      sim,
      index: fault.index,
      report,
      partitions: this.partitions,
      count: (counter, by = 1) => sim.effects.count(fault.index, counter, by),
      skip,
      targets: (target) => {
        const names = resolve(target);
        if (names.length === 0) {
          skip(target === 'leader' ? 'no leader at that moment' : target === 'holder' ? 'no client held the lock at that moment' : `no node ${target} in this design`);
          return null;
        }
        report.targets = names;
        if (DYNAMIC_TARGETS.has(target)) sim.traceNote(`fault[${fault.index}] ${fault.kind}: ${target} is ${names.join(', ')}`);
        return names.map((name): SimNode => sim.node(name)!);
      },
    };
  }

  private fire(fault: Fault): void {
    this.reports[fault.index].firedAt = this.world.sim.nowUs;
    const ctx = this.context(fault);
    switch (fault.kind) {
      case 'pause':
        return applyPause(fault, ctx);
      case 'crash':
        return applyCrash(fault, ctx);
      case 'clock-jump':
        return applyClockJump(fault, ctx);
      case 'clock-drift':
        return applyClockDrift(fault, ctx);
      case 'partition':
        return applyPartition(fault, ctx);
      case 'network':
        return applyNetworkFault(fault, ctx);
      case 'heal':
        return applyHeal(fault, ctx);
    }
  }
}
