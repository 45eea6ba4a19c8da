/**
 * The fault scheduler: fires each scenario fault once, `at` a true time or
 * `on` the nth occurrence of an event (plus a delay), resolves its targets
 * at that moment (`leader`, `holder`, `servers`, `clients`), hands it to its
 * kind's file (pause.ts, crash.ts, …) and keeps a report of what it did and
 * whom it hit. A fault whose target does not exist in this design, or is not
 * there when it fires (no leader, no holder), is reported as skipped with
 * the reason — never silently dropped. Each report also says when the
 * fault's effect ended (`endedAt`, see `FaultReport`), worked out from the
 * fault's options, its firing time and the heals that fired, so the trace
 * is untouched.
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
  /** By fault index: the true time a `heal` ended that partition (before its own duration ran out). */
  private readonly healedAtUs = new Map<number, number>();
  private readonly faults: readonly Fault[];

  /**
   * @param startUs the true time `at` times count from: 0, or when the
   *   service became ready (a warm start); `on` triggers count events from
   *   the scheduler's creation.
   */
  constructor(private readonly world: FaultWorld, faults: readonly Fault[], startUs = 0) {
    this.faults = faults;
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

  /**
   * Reports of every fault, with the effects counted so far and when each
   * ended; an end after `endUs` (the run's end) is reported as null: the
   * run did not see it.
   */
  report(endUs = Number.POSITIVE_INFINITY): FaultReport[] {
    return this.reports.map((r, i) => {
      const effect = this.world.sim.effects.of(r.index);
      const endedAt = this.endOf(this.faults[i], r, effect);
      return {
        ...r,
        ...(r.firedAt === null && r.skipped === undefined ? { skipped: 'its trigger never happened' } : {}),
        effect,
        endedAt: endedAt === null || endedAt > endUs ? null : endedAt,
      };
    });
  }

  /** When a fault's effect ended (µs), before clipping to the run; null if it never fired or never ends (FaultReport's `endedAt`). */
  private endOf(fault: Fault, report: MutableReport, effect: Readonly<Record<string, number>>): number | null {
    const firedUs = report.firedAt;
    if (firedUs === null) return null;
    if (report.skipped !== undefined) return firedUs;
    switch (fault.kind) {
      case 'pause':
        return (effect.pausedMs ?? 0) === 0 ? firedUs : firedUs + fault.durationUs;
      case 'crash':
        return (effect.crashed ?? 0) === 0 || fault.restartAfterUs === undefined ? firedUs : firedUs + fault.restartAfterUs;
      case 'clock-jump':
      case 'heal':
        return firedUs;
      case 'clock-drift':
        return fault.durationUs === undefined ? firedUs : firedUs + fault.durationUs;
      case 'network':
        return fault.durationUs === undefined ? null : firedUs + fault.durationUs;
      case 'partition': {
        const healedUs = this.healedAtUs.get(fault.index);
        const ownEndUs = fault.durationUs === undefined ? null : firedUs + fault.durationUs;
        if (healedUs === undefined) return ownEndUs;
        return ownEndUs === null ? healedUs : Math.min(healedUs, ownEndUs);
      }
    }
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
        for (const index of this.partitions.keys()) this.healedAtUs.set(index, this.world.sim.nowUs);
        return applyHeal(fault, ctx);
    }
  }
}
