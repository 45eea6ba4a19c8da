/**
 * The fault scheduler: fires each scenario fault once, `at` a true time or
 * `on` the nth occurrence of an event (plus a delay), resolves its targets
 * at that moment (`leader`, `holder`, `servers`, `clients`), applies it and
 * keeps a report of what it did. A fault whose target does not exist in
 * this design, or is not there when it fires (no leader, no holder), is
 * reported as skipped with the reason — never silently dropped.
 */
import type { FaultReport } from '../harness/result.ts';
import type { Engine } from './context.ts';
import type { Fault, TriggerEvent } from '../scenario/types.ts';
import { partitionLinks, type Link } from './partition.ts';
import type { SimNode } from '../core/node.ts';
import { formatUs, usToMs } from '../../algorithms/api/time.ts';

interface Pending {
  readonly fault: Fault & { trigger: { kind: 'on' } };
  seen: number;
}

interface MutableReport {
  index: number;
  kind: string;
  firedAt: number | null;
  targets: string[];
  skipped?: string;
}

export class FaultScheduler {
  private readonly reports: MutableReport[];
  private readonly pending: Pending[] = [];
  private readonly activePartitions = new Map<number, Link[]>();

  constructor(private readonly engine: Engine, faults: readonly Fault[]) {
    this.reports = faults.map((fault) => ({ index: fault.index, kind: fault.kind, firedAt: null, targets: [] }));
    for (const fault of faults) {
      if (fault.trigger.kind === 'at') {
        engine.sim.schedule(fault.trigger.atUs, `fault[${fault.index}] ${fault.kind}`, () => this.fire(fault));
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
        this.engine.sim.schedule(this.engine.sim.nowUs + trigger.delayUs, `fault[${fault.index}] ${fault.kind}`, () => this.fire(fault));
      }
    }
  }

  /** Reports of every fault, with the effects counted so far. */
  report(): FaultReport[] {
    return this.reports.map((r) => ({
      ...r,
      ...(r.firedAt === null && r.skipped === undefined ? { skipped: 'its trigger never happened' } : {}),
      effect: this.engine.sim.effects.of(r.index),
    }));
  }

  private skip(fault: Fault, why: string): void {
    this.reports[fault.index].skipped = why;
    this.engine.sim.traceNote(`fault[${fault.index}] ${fault.kind} skipped: ${why}`);
  }

  private targetNodes(fault: Fault, target: string): SimNode[] | null {
    const names = this.engine.resolve(target);
    if (names.length === 0) {
      this.skip(fault, target === 'leader' ? 'no leader at that moment' : target === 'holder' ? 'no client held the lock at that moment' : `no node ${target} in this design`);
      return null;
    }
    return names.map((name) => this.engine.sim.node(name)!);
  }

  private fire(fault: Fault): void {
    const sim = this.engine.sim;
    const report = this.reports[fault.index];
    report.firedAt = sim.nowUs;
    const effects = sim.effects;
    const i = fault.index;
    switch (fault.kind) {
      case 'pause': {
        const nodes = this.targetNodes(fault, fault.target);
        if (nodes === null) return;
        report.targets = nodes.map((n) => n.id);
        for (const node of nodes) {
          const paused = sim.pause(node, sim.nowUs + fault.durationUs, (deferred) => {
            effects.count(i, 'eventsDeferred', deferred);
            sim.traceNote(`${node.id} resumed with ${deferred} deferred events`);
          });
          if (paused) effects.count(i, 'pausedMs', usToMs(fault.durationUs));
        }
        return;
      }
      case 'crash': {
        const nodes = this.targetNodes(fault, fault.target);
        if (nodes === null) return;
        report.targets = nodes.map((n) => n.id);
        for (const node of nodes) {
          if (node.status === 'crashed') continue;
          effects.count(i, 'crashed');
          effects.count(i, 'writesLost', sim.crash(node, fault.durable));
          this.engine.onCrash(node);
          if (fault.restartAfterUs !== undefined) {
            sim.schedule(sim.nowUs + fault.restartAfterUs, `restart ${node.id}`, () => {
              sim.restart(node);
              effects.count(i, 'restarted');
            });
          }
        }
        return;
      }
      case 'clock-jump': {
        const nodes = this.targetNodes(fault, fault.target);
        if (nodes === null) return;
        report.targets = nodes.map((n) => n.id);
        for (const node of nodes) {
          node.clock.jump(fault.byUs);
          effects.count(i, 'wallJumpedMs', usToMs(fault.byUs));
        }
        return;
      }
      case 'clock-drift': {
        const nodes = this.targetNodes(fault, fault.target);
        if (nodes === null) return;
        report.targets = nodes.map((n) => n.id);
        for (const node of nodes) {
          const before = node.clock.drift;
          node.clock.setDrift(sim.nowUs, fault.rate);
          effects.count(i, 'drifting');
          if (fault.durationUs !== undefined) {
            sim.schedule(sim.nowUs + fault.durationUs, `drift ends ${node.id}`, () => node.clock.setDrift(sim.nowUs, before));
          }
        }
        return;
      }
      case 'partition': {
        let links: Link[];
        try {
          links = partitionLinks(fault, this.engine.universe);
        } catch (error) {
          this.skip(fault, (error as Error).message);
          return;
        }
        if (links.length === 0) {
          this.skip(fault, 'the partition cuts no link in this design');
          return;
        }
        report.targets = [...new Set(links.flatMap(([a, b]) => [a, b]))].sort();
        for (const [from, to] of links) sim.network.cut(sim.node(from)!.index, sim.node(to)!.index, i);
        this.activePartitions.set(i, links);
        effects.count(i, 'linksCut', links.length);
        sim.traceNote(`fault[${i}] partition cuts ${links.length} links`);
        if (fault.durationUs !== undefined) {
          sim.schedule(sim.nowUs + fault.durationUs, `heal fault[${i}]`, () => this.restorePartition(i));
        }
        return;
      }
      case 'network': {
        sim.network.openWindow({ faultIndex: i, loss: fault.loss, duplicate: fault.duplicate, delayUs: fault.delayUs });
        report.targets = ['network'];
        if (fault.durationUs !== undefined) {
          sim.schedule(sim.nowUs + fault.durationUs, `network fault[${i}] ends`, () => sim.network.closeWindow(i));
        }
        return;
      }
      case 'heal': {
        let healed = 0;
        for (const index of [...this.activePartitions.keys()]) healed += this.restorePartition(index);
        effects.count(i, 'linksHealed', healed);
        report.targets = ['network'];
        if (healed === 0) sim.traceNote(`fault[${i}] heal: nothing was partitioned (${formatUs(sim.nowUs)})`);
        return;
      }
    }
  }

  private restorePartition(index: number): number {
    const links = this.activePartitions.get(index);
    if (links === undefined) return 0;
    const sim = this.engine.sim;
    for (const [from, to] of links) sim.network.restore(sim.node(from)!.index, sim.node(to)!.index);
    this.activePartitions.delete(index);
    return links.length;
  }
}
