/**
 * The live fault scheduler: fires each scenario fault once, `at` a true
 * time or `on` the nth occurrence of an event plus `delay` (the delay
 * counts from the event's own true-time stamp), resolves `leader`,
 * `holder`, `servers`, `clients` when it fires, and does to real processes
 * and links what the simulator does to nodes — sim/faults/scheduler.ts's
 * rules, with real means:
 *
 * - `pause`: SIGSTOP, then SIGCONT after `duration` (a later, longer pause
 *   of the same process wins). Counts `pausedMs`.
 * - `crash`: SIGKILL; `durable` as the server's configuration allows (the
 *   design's deployment says what it can do, see `LiveFaultWorld.crash`);
 *   with `restartAfter`, the same program on the same port and folder.
 *   Counts `crashed`, `restarted`, `dataWiped`.
 * - `partition` (every shape, groups, cut, one-way): the links
 *   sim/faults/partition.ts's planner names are stalled at their proxies
 *   (network.ts) until `duration` runs out or a `heal`. Counts `linksCut`
 *   and `linksCarried` (cut links some connection actually uses).
 * - `network`: `delay` added to every link for `duration`; `loss` and
 *   `duplicate` cannot be done to a TCP stream (TCP retransmits what is
 *   lost and never duplicates), so such a fault is unsupported.
 * - `heal`: every partition in force. Counts `linksHealed`.
 * - `clock-jump`, `clock-drift`: the target server's faked wall clock
 *   (faketime.ts: libfaketime with an offset file rewritten at run time)
 *   steps by `by`, or runs at (1 + rate)× true speed for `duration` or to
 *   the end. Servers only of designs whose deployment runs them under
 *   libfaketime (the adapter's `fakesClocks`); clients whenever a clock
 *   fault names them (`c1`, `clients`, `holder`: session.ts then forks
 *   every client so named under a faked clock); either only when
 *   libfaketime is installed. Counts `wallJumpedMs` / `drifting` as the
 *   simulator does, and, after a jump, `offsetMs.<node>`: the node's wall
 *   clock minus true wall time as the node itself reports it (a server's
 *   own answer, e.g. Redis `TIME`; a client's `Date.now()` over its IPC
 *   channel), the proof the jump took. Not modelled: the simulator's drift
 *   also scales the node's monotonic clock; live, only the wall clock
 *   moves (a client's timers and its true-time stamps run on the
 *   monotonic clock and keep true speed).
 * A fault that cannot be injected is refused before the run (`whyUnsupported`)
 * and the run's verdicts are then null (SPEC §9); one whose target is not
 * there when it fires is reported skipped, as in simulation. A fault action
 * that fails (a server that does not come back) is reported in `effect.error`.
 */
import { partitionPlan, type Link } from '../faults/partition.ts';
import type { Fault, TriggerEvent } from '../faults/types.ts';
import type { Durability } from '../core/disk.ts';
import type { TrueClock } from './clock.ts';
import { whyNoFaketime, type FakeClock } from './faketime.ts';
import type { LiveNetwork } from './network.ts';
import type { LiveFaultReport } from './result.ts';

const DYNAMIC_TARGETS = new Set(['leader', 'holder', 'servers', 'clients']);

/** What the scheduler acts on (supplied by the design's deployment). */
export interface LiveFaultWorld {
  readonly servers: readonly string[];
  readonly clients: readonly string[];
  readonly clock: TrueClock;
  readonly network: LiveNetwork;
  /** Node names `target` stands for now (empty: none). */
  resolve(target: string): string[];
  /** Whether the node's process is up. */
  isUp(node: string): boolean;
  pause(node: string): boolean;
  resume(node: string): void;
  /** Kills the node's process, keeping what `durable` allows; effect counters. */
  crash(node: string, durable: Durability): Promise<Record<string, number>>;
  restart(node: string): Promise<void>;
  /** Why the deployment cannot crash server `node` with `durable` (null: it can). */
  whyCannotCrash(node: string, durable: Durability): string | null;
  /** `true` when the design's servers run under libfaketime, otherwise why not (its adapter's `fakesClocks`). */
  readonly fakesClocks: true | string;
  /** Server `node`'s faked clock, once the deployment runs (undefined: none). */
  fakeClock(node: string): FakeClock | undefined;
}

interface MutableReport {
  readonly index: number;
  readonly kind: string;
  firedAt: number | null;
  targets: string[];
  resolved?: Record<string, string[]>;
  sides?: string[][];
  skipped?: string;
  effect: Record<string, number | string>;
  endedAt: number | null;
  /** The effect has an end that has not come yet. */
  open: boolean;
}

/** Why live mode cannot inject `fault` in this deployment (null: it can). */
export function whyUnsupported(fault: Fault, world: Pick<LiveFaultWorld, 'servers' | 'whyCannotCrash' | 'fakesClocks'>): string | null {
  switch (fault.kind) {
    case 'pause':
    case 'heal':
    case 'partition':
      return null;
    case 'crash': {
      const servers = fault.target === 'leader' || fault.target === 'servers' ? world.servers : world.servers.filter((s) => s === fault.target);
      for (const server of servers) {
        const why = world.whyCannotCrash(server, fault.durable);
        if (why !== null) return why;
      }
      return null;
    }
    case 'network':
      if (fault.loss > 0 || fault.duplicate > 0) {
        return `a network fault with loss or duplicate cannot be injected on TCP links: TCP retransmits lost segments (a partition is the live equivalent of loss) and never duplicates`;
      }
      return null;
    case 'clock-jump':
    case 'clock-drift':
      return whyNoClockFault(fault.kind, fault.target, world);
  }
}

/** Why a clock fault on `target` cannot be injected in a deployment with these servers (null: it can). */
function whyNoClockFault(kind: string, target: string, world: Pick<LiveFaultWorld, 'servers' | 'fakesClocks'>): string | null {
  const onServers = target === 'servers' || target === 'leader' || world.servers.includes(target);
  if (onServers && world.fakesClocks !== true) return `${kind} on the servers is not live for this design: ${world.fakesClocks}`;
  const why = whyNoFaketime();
  return why === null ? null : `${kind} needs ${onServers ? 'the servers' : 'the client processes'} under libfaketime, and ${why}`;
}

export function isClockFault(fault: Fault): fault is Extract<Fault, { kind: 'clock-jump' | 'clock-drift' }> {
  return fault.kind === 'clock-jump' || fault.kind === 'clock-drift';
}

/** Whether `target` of a clock fault names clients (`c1`, `clients`, `holder`): their processes then run under libfaketime. */
export function clockFaultOnClients(fault: Fault, servers: readonly string[]): fault is Extract<Fault, { kind: 'clock-jump' | 'clock-drift' }> {
  if (!isClockFault(fault)) return false;
  return !(fault.target === 'servers' || fault.target === 'leader' || servers.includes(fault.target));
}

export class LiveFaultScheduler {
  private readonly reports: MutableReport[];
  private readonly waiting: Array<{ fault: Fault & { trigger: { kind: 'on' } }; seen: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  /** By node: true time its current pause ends. */
  private readonly pausedUntil = new Map<string, number>();
  /** Partitions in force: fault index → links. */
  private readonly partitions = new Map<number, readonly Link[]>();
  private stopped = false;

  constructor(
    private readonly world: LiveFaultWorld,
    private readonly faults: readonly Fault[],
  ) {
    this.reports = faults.map((fault) => ({ index: fault.index, kind: fault.kind, firedAt: null, targets: [], effect: {}, endedAt: null, open: false }));
  }

  /** Arms the `at` faults (times count from the clock's origin) and the `on` triggers. */
  start(): void {
    for (const fault of this.faults) {
      if (fault.trigger.kind === 'at') this.at(fault.trigger.atUs, () => this.fire(fault));
      else this.waiting.push({ fault: fault as Fault & { trigger: { kind: 'on' } }, seen: 0 });
    }
  }

  /** An event happened at `node` at true time `atUs` (drives `on` triggers). */
  notify(event: TriggerEvent, node: string, atUs: number): void {
    if (this.stopped) return;
    for (const waiting of this.waiting) {
      const trigger = waiting.fault.trigger;
      if (trigger.event !== event || (trigger.node !== undefined && trigger.node !== node)) continue;
      waiting.seen++;
      if (waiting.seen === trigger.nth) {
        const fault = waiting.fault;
        this.at(atUs + trigger.delayUs, () => this.fire(fault));
      }
    }
  }

  /** Whether a fault is still to fire or its effect is still to end. */
  busy(): boolean {
    return this.timers.size > 0 || this.inFlight.size > 0;
  }

  /** Runs `fn` at true time `atUs` (at once if that has passed). */
  private at(atUs: number, fn: () => void | Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      this.track(fn());
    }, Math.max(0, (atUs - this.world.clock.nowUs()) / 1000));
    this.timers.add(timer);
  }

  private track(result: void | Promise<void>): void {
    if (result === undefined) return;
    const promise = result.finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
  }

  private count(report: MutableReport, name: string, by = 1): void {
    const before = report.effect[name];
    report.effect[name] = (typeof before === 'number' ? before : 0) + by;
  }

  /** The nodes `target` stands for now, recorded in the report; null (and skipped) if none. */
  private targets(report: MutableReport, target: string): string[] | null {
    const names = this.world.resolve(target);
    if (DYNAMIC_TARGETS.has(target)) (report.resolved ??= {})[target] = names;
    if (names.length === 0) {
      report.skipped = target === 'leader' ? 'no leader at that moment' : target === 'holder' ? 'no client held the lock at that moment' : `no node ${target} in this design`;
      return null;
    }
    report.targets = names;
    return names;
  }

  private async fire(fault: Fault): Promise<void> {
    const report = this.reports[fault.index];
    const now = this.world.clock.nowUs();
    report.firedAt = now;
    try {
      switch (fault.kind) {
        case 'pause':
          return this.pause(fault.target, fault.durationUs, report);
        case 'crash':
          return await this.crash(fault.target, fault.durable, fault.restartAfterUs, report);
        case 'partition': {
          let plan;
          try {
            plan = partitionPlan(fault, { servers: this.world.servers, clients: this.world.clients, resolve: (t) => this.resolveRecorded(report, t) });
          } catch (error) {
            report.skipped = (error as Error).message;
            report.endedAt = now;
            return;
          }
          if (plan.links.length === 0) {
            report.skipped = 'the partition cuts no link in this design';
            report.endedAt = now;
            return;
          }
          report.targets = [...new Set(plan.links.flatMap(([a, b]) => [a, b]))].sort();
          if (plan.sides !== undefined) report.sides = plan.sides.map((side) => [...side]);
          let carried = 0;
          for (const [from, to] of plan.links) if (this.world.network.cut(from, to, fault.index)) carried++;
          this.partitions.set(fault.index, plan.links);
          this.count(report, 'linksCut', plan.links.length);
          this.count(report, 'linksCarried', carried);
          report.open = true;
          if (fault.durationUs !== undefined) {
            this.at(now + fault.durationUs, () => {
              this.unpartition(fault.index);
            });
          }
          return;
        }
        case 'heal': {
          let healed = 0;
          for (const index of [...this.partitions.keys()]) healed += this.unpartition(index);
          this.count(report, 'linksHealed', healed);
          report.targets = ['network'];
          report.endedAt = now;
          return;
        }
        case 'network':
          report.targets = ['network'];
          this.world.network.window(fault.index, fault.delayUs);
          this.count(report, 'delayMs', fault.delayUs / 1000);
          report.open = true;
          if (fault.durationUs !== undefined) {
            this.at(now + fault.durationUs, () => {
              this.world.network.window(fault.index, undefined);
              report.open = false;
              report.endedAt = this.world.clock.nowUs();
            });
          }
          return;
        case 'clock-jump':
          return await this.clockJump(fault.target, fault.byUs, report);
        case 'clock-drift':
          return this.clockDrift(fault.target, fault.rate, fault.durationUs, report);
      }
    } catch (error) {
      report.effect.error = (error as Error).message;
    }
  }

  private resolveRecorded(report: MutableReport, target: string): string[] {
    const names = this.world.resolve(target);
    if (DYNAMIC_TARGETS.has(target)) (report.resolved ??= {})[target] = names;
    return names;
  }

  /** Heals partition `index`; returns how many links it had cut. */
  private unpartition(index: number): number {
    const links = this.partitions.get(index);
    if (links === undefined) return 0;
    for (const [from, to] of links) this.world.network.heal(from, to, index);
    this.partitions.delete(index);
    const report = this.reports[index];
    report.open = false;
    report.endedAt = this.world.clock.nowUs();
    return links.length;
  }

  private pause(target: string, durationUs: number, report: MutableReport): void {
    const nodes = this.targets(report, target);
    const now = report.firedAt!;
    if (nodes === null) {
      report.endedAt = now;
      return;
    }
    const untilUs = now + durationUs;
    let paused = 0;
    for (const node of nodes) {
      if (!this.world.isUp(node)) continue;
      const current = this.pausedUntil.get(node);
      if (current !== undefined && current >= untilUs) continue;
      this.pausedUntil.set(node, untilUs);
      if (current === undefined && !this.world.pause(node)) continue;
      paused++;
      this.at(untilUs, () => {
        if (this.pausedUntil.get(node) !== untilUs) return; // a longer pause took over, or a crash ended it
        this.pausedUntil.delete(node);
        this.world.resume(node);
      });
    }
    if (paused === 0) {
      report.skipped ??= `${nodes.join(', ')} ${nodes.length === 1 ? 'was' : 'were'} down or already paused for longer`;
      report.endedAt = now;
      return;
    }
    this.count(report, 'pausedMs', durationUs / 1000);
    report.open = true;
    this.at(untilUs, () => {
      report.open = false;
      report.endedAt = this.world.clock.nowUs();
    });
  }

  /** The faked clocks of `nodes` (faketime.ts), or null with `effect.error` saying which node has none. */
  private clocksOf(nodes: readonly string[], kind: string, report: MutableReport): FakeClock[] | null {
    const missing = nodes.filter((node) => this.world.fakeClock(node) === undefined);
    if (missing.length > 0) {
      const why = whyNoClockFault(kind, missing[0], this.world) ?? 'the deployment started it without libfaketime';
      report.effect.unsupported = why;
      report.effect.error = `cannot ${kind} ${missing.join(', ')}: ${why}`;
      return null;
    }
    return nodes.map((node) => this.world.fakeClock(node)!);
  }

  private async clockJump(target: string, byUs: number, report: MutableReport): Promise<void> {
    const nodes = this.targets(report, target);
    const now = report.firedAt!;
    report.endedAt = now;
    if (nodes === null) return;
    const clocks = this.clocksOf(nodes, 'clock-jump', report);
    if (clocks === null) return;
    for (const clock of clocks) {
      clock.jump(byUs);
      this.count(report, 'wallJumpedMs', byUs / 1000);
    }
    // Proof it took: the servers' own wall clocks, read back (a paused or crashed server does not answer: not counted).
    for (const clock of clocks) {
      const offsetMs = await clock.probe?.();
      if (offsetMs !== undefined && offsetMs !== null) report.effect[`offsetMs.${clock.node}`] = Math.round(offsetMs);
    }
  }

  private clockDrift(target: string, rate: number, durationUs: number | undefined, report: MutableReport): void {
    const nodes = this.targets(report, target);
    const now = report.firedAt!;
    if (nodes === null) {
      report.endedAt = now;
      return;
    }
    const clocks = this.clocksOf(nodes, 'clock-drift', report);
    if (clocks === null) {
      report.endedAt = now;
      return;
    }
    for (const clock of clocks) {
      const before = clock.drift(rate);
      this.count(report, 'drifting');
      if (durationUs !== undefined) this.at(now + durationUs, () => void clock.drift(before));
    }
    if (durationUs === undefined) {
      report.endedAt = now;
      return;
    }
    report.open = true;
    this.at(now + durationUs, () => {
      report.open = false;
      report.endedAt = this.world.clock.nowUs();
    });
  }

  private async crash(target: string, durable: Durability, restartAfterUs: number | undefined, report: MutableReport): Promise<void> {
    const nodes = this.targets(report, target);
    const now = report.firedAt!;
    if (nodes === null) {
      report.endedAt = now;
      return;
    }
    const down = nodes.filter((node) => this.world.isUp(node));
    if (down.length === 0) {
      report.skipped = `${nodes.join(', ')} already down`;
      report.endedAt = now;
      return;
    }
    for (const node of down) {
      this.pausedUntil.delete(node);
      const effect = await this.world.crash(node, durable);
      this.count(report, 'crashed');
      for (const [name, by] of Object.entries(effect)) this.count(report, name, by);
    }
    if (restartAfterUs === undefined) {
      report.endedAt = now;
      return;
    }
    report.open = true;
    this.at(now + restartAfterUs, async () => {
      // Together, as the simulator restarts them (a cluster whose members came back one by one would elect among the first).
      const restarts = await Promise.allSettled(down.map((node) => this.world.restart(node)));
      const failed = restarts.flatMap((r, i) => (r.status === 'rejected' ? [`${down[i]}: ${(r.reason as Error).message}`] : []));
      this.count(report, 'restarted', restarts.length - failed.length);
      if (failed.length > 0) report.effect.error = `restart failed: ${failed.join('; ')}`;
      report.open = false;
      report.endedAt = this.world.clock.nowUs();
    });
  }

  /** Stops firing (the run is over) and waits for actions under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Every fault's report; effects that had not ended by `endUs` say `endedAt: null`; unfired faults say why. */
  report(endUs: number): LiveFaultReport[] {
    return this.reports.map((r) => {
      const { open, ...rest } = r;
      const endedAt = open || r.endedAt === null || r.endedAt > endUs ? null : r.endedAt;
      return {
        ...rest,
        ...(r.firedAt === null && r.skipped === undefined ? { skipped: 'its trigger never happened' } : {}),
        endedAt,
      };
    });
  }

  /** Faults whose action failed, with why. */
  errors(): string[] {
    return this.reports.filter((r) => typeof r.effect.error === 'string').map((r) => `fault[${r.index}] ${r.kind}: ${r.effect.error}`);
  }
}
