/**
 * The discrete-event simulation loop over virtual true time.
 *
 * One queue of events keyed (time, seq); the loop pops the earliest, moves
 * true time to it and dispatches it: a message delivery or timer goes to its
 * node (dropped if the node crashed, queued in its backlog if paused), an
 * action runs simulator code (faults, workload starts). Every handled event
 * is folded into the trace hash and counted. Invariants asserted here: time
 * never runs backwards; only an up node handles events; a resumed node
 * handles its backlog in due order before anything that came due later.
 */
import type { Message, NodeApi, NodeEvent, NodeHandlers } from '../../algorithms/api/index.ts';
import { Network } from './network.ts';
import { NodeClock } from './clock.ts';
import { EffectLedger } from './effects.ts';
import { EventQueue } from './event-queue.ts';
import { ACTION, DELIVER, SimEvent, SimNode, TIMER, type NodeHost, type NodeRole } from './node.ts';
import type { Rng } from './rng.ts';
import type { Durability } from './disk.ts';
import type { NetworkOptions } from './network.ts';
import type { Micros } from '../../algorithms/api/index.ts';
import { labelCode, TraceHasher, traceTime } from './trace.ts';

export type EmitListener = (node: SimNode, event: NodeEvent) => void;

/**
 * Events handled at one true instant before `run` declares a livelock. The
 * largest burst at one instant over every built-in scenario and design is 48
 * events, so a million is 20,000× that; a spinning run is stopped after
 * about five seconds. Not ten million: a spinning redis or redlock run
 * retains ~0.5–0.9 KB per event in what the harness records, so it
 * ran out of memory (4 GB) before reaching ten million. A big legitimate
 * pile at one instant (a node resumed after a long pause handles its whole
 * backlog at its resume instant) is forgiven once: see `LIVELOCK_BACKLOG_SHARE`.
 */
export const LIVELOCK_EVENTS = 1_000_000;

/**
 * The share of the limit that, still queued when the limit is hit, makes it
 * a backlog rather than a spin (100,000 events at the default limit): a spin
 * keeps the queue small (its few events re-queue each other), while a
 * resumed node's backlog (a 20-hour pause of a Raft follower piles up
 * over a million heartbeats) or 10,000 clients' starts leave a large queue.
 * Forgiven once per instant, so a spin beside a large queue is still caught.
 */
const LIVELOCK_BACKLOG_SHARE = 0.1;

/** What kept happening in a livelock: a node (or `sim`) and the event it handled, with how often in the sample. */
export interface LivelockCulprit {
  readonly node: string;
  /** `timer`, `<- sender message-type`, or a simulator action's label. */
  readonly event: string;
  readonly count: number;
}

/**
 * The run stopped because true time stopped advancing: `LIVELOCK_EVENTS`
 * events were handled at one true instant (as
 * TigerBeetle's simulator stops on a livelock). A property of the scenario
 * and design (e.g. zero latency with zero retry delay), not a crash of the
 * simulator: the CLI reports it as a bad scenario.
 */
export class LivelockError extends Error {
  /** The true time (µs) that stopped advancing. */
  readonly atUs: Micros;
  /** Events handled at that instant before the run was stopped. */
  readonly events: number;
  /** The events handled most in a sample taken after the limit, most frequent first. */
  readonly culprits: readonly LivelockCulprit[];
  /** The design that was running, once the harness has said (the engine does not know designs). */
  design: string | undefined;

  constructor(atUs: Micros, events: number, culprits: readonly LivelockCulprit[]) {
    const top = culprits
      .slice(0, 3)
      .map((c) => `${c.node} ${c.event} (${c.count}×)`)
      .join(', ');
    super(
      `livelock: true time stopped at ${traceTime(atUs).trim()}s; ${events} events were handled there without it advancing, ` +
        `mostly ${top || 'nothing'}; a design or scenario that reacts instantly to itself (e.g. zero latency with zero retry delay) never lets time pass`,
    );
    this.name = 'LivelockError';
    this.atUs = atUs;
    this.events = events;
    this.culprits = culprits;
    this.design = undefined;
  }
}

/** Events handled after the livelock limit to see which ones repeat. */
const LIVELOCK_SAMPLE = 10_000;

export interface NodeSpec {
  readonly id: string;
  readonly role: NodeRole;
  readonly boot: (api: NodeApi) => NodeHandlers;
  /** Not booted by `start()`: the owner boots it later with `boot()` (e.g. clients once the service is ready). */
  readonly deferBoot?: boolean;
}

export class Simulation implements NodeHost {
  nowUs: Micros = 0;
  readonly queue = new EventQueue<SimEvent>();
  readonly nodes: SimNode[] = [];
  private readonly byId = new Map<string, SimNode>();
  readonly network: Network;
  /** Nodes whose boot waits for `boot()`. */
  private readonly deferred = new Set<string>();
  private stopRequested = false;
  readonly effects = new EffectLedger();
  private readonly hasher = new TraceHasher();
  /** Events handled (deliveries, timers and actions that ran). */
  events = 0;
  /** The most events ever queued at once: the engine's memory, which must not grow with simulated time. */
  queuePeak = 0;
  private readonly traceLine: ((line: string) => void) | undefined;
  private readonly emitListeners: EmitListener[] = [];
  /** Events at one true instant before `run` throws LivelockError (tests lower it). */
  livelockEvents = LIVELOCK_EVENTS;
  /** The instant whose backlog the livelock guard already forgave (once per instant). */
  private livelockForgivenAtUs = -1;
  /** Handled delivery events, reused for later deliveries (saves an allocation per message). */
  private readonly freeDeliveries: SimEvent[] = [];

  constructor(rng: Rng, specs: readonly NodeSpec[], network: NetworkOptions, trace?: (line: string) => void) {
    this.traceLine = trace;
    this.network = new Network(specs.length, rng.fork('network'), network.latencyUs, network.loss, network.duplicate, this.effects);
    const clockRng = rng.fork('clocks');
    specs.forEach((spec, index) => {
      // Monotonic clocks start at an arbitrary per-node point (up to ~11.6 days), as after different boot times.
      const clock = new NodeClock(0, clockRng.int(0, 1e12));
      const node = new SimNode(index, spec.id, spec.role, clock, rng.fork(`node:${spec.id}`), this, spec.boot);
      this.nodes.push(node);
      this.byId.set(spec.id, node);
      if (spec.deferBoot === true) this.deferred.add(spec.id);
    });
  }

  /** The node named `id`, or undefined. */
  node(id: string): SimNode | undefined {
    return this.byId.get(id);
  }

  /** Boots every node's handlers (at true time 0). */
  start(): void {
    for (const node of this.nodes) if (!this.deferred.has(node.id)) node.start();
  }

  /** Boots a node whose spec deferred its boot (once; a node already booted or down is left alone). */
  boot(node: SimNode): void {
    if (!this.deferred.delete(node.id)) return;
    if (node.status !== 'crashed') node.start();
  }

  /** Ends the current `run` after the event being handled (true time stays where it is). */
  stop(): void {
    this.stopRequested = true;
  }

  onEmit(listener: EmitListener): void {
    this.emitListeners.push(listener);
  }

  /** Runs simulator code at `atUs` (not subject to pauses or crashes). */
  schedule(atUs: Micros, label: string, fn: () => void): SimEvent {
    if (atUs < this.nowUs) throw new Error(`cannot schedule ${label} in the past (${atUs} < ${this.nowUs})`);
    const event = new SimEvent(ACTION, null, 0, fn, null, null, label);
    event.time = atUs;
    this.queue.push(atUs, event);
    return event;
  }

  // ---- NodeHost: what nodes call -------------------------------------------------------------

  send(from: SimNode, to: string, msg: Message): void {
    const target = this.byId.get(to);
    if (target === undefined) throw new Error(`${from.id} sent ${msg.type} to unknown node ${JSON.stringify(to)}`);
    const copies = this.network.plan(from.index, target.index);
    if (copies === 0) {
      if (this.traceLine !== undefined) this.traceLine(`${traceTime(this.nowUs)} ${from.id} -> ${to} ${msg.type} DROPPED`);
      return;
    }
    this.enqueueDelivery(from, target, msg, this.network.firstDelayUs);
    if (copies === 2) this.enqueueDelivery(from, target, msg, this.network.secondDelayUs);
  }

  private enqueueDelivery(from: SimNode, to: SimNode, msg: Message, delayUs: Micros): void {
    const event = this.freeDeliveries.pop() ?? new SimEvent(DELIVER, null, 0, null, null, null, '');
    event.node = to;
    event.from = from;
    event.msg = msg;
    event.time = this.nowUs + delayUs;
    this.queue.push(event.time, event);
  }

  /** Returns a finished delivery event to the pool (never one still queued or in a backlog). */
  private recycle(event: SimEvent): void {
    event.node = null;
    event.from = null;
    event.msg = null;
    this.freeDeliveries.push(event);
  }

  /** A timer's `label` only names it in the text trace; like every timer, it is hashed by time and node alone. */
  setTimer(node: SimNode, delayUs: Micros, fn: () => void, label = ''): SimEvent {
    if (!(delayUs >= 0)) throw new Error(`${node.id} set a timer with a negative or invalid delay: ${delayUs}`);
    const event = new SimEvent(TIMER, node, node.incarnation, fn, null, null, label);
    event.time = this.nowUs + node.clock.trueSpan(delayUs);
    this.queue.push(event.time, event);
    return event;
  }

  emit(node: SimNode, event: NodeEvent): void {
    if (this.traceLine !== undefined) this.traceLine(`${traceTime(this.nowUs)} ${node.id} ! ${describeEvent(event)}`);
    this.hasher.mix(labelCode(event.kind));
    for (const listener of this.emitListeners) listener(node, event);
  }

  note(node: SimNode, text: string): void {
    if (this.traceLine !== undefined) this.traceLine(`${traceTime(this.nowUs)} ${node.id} # ${text}`);
  }

  /** Adds a line to the text trace (simulator-side happenings such as faults). */
  traceNote(text: string): void {
    if (this.traceLine !== undefined) this.traceLine(`${traceTime(this.nowUs)} ${text}`);
  }

  // ---- the loop ------------------------------------------------------------------------------

  /**
   * Handles every event due at or before `untilUs`, then sets true time to
   * `untilUs`. Throws `LivelockError` when `LIVELOCK_EVENTS` events in a
   * row are handled at one true instant (past a backlog forgiven once, see
   * `atLivelockLimit`): the guard is one counter on the branch that already
   * checks time never runs backwards, so it costs nothing measurable and
   * changes no trace hash.
   */
  run(untilUs: Micros): void {
    const queue = this.queue;
    const limit = this.livelockEvents;
    let sameInstant = 0;
    this.stopRequested = false;
    while (queue.size > 0 && queue.peekTime() <= untilUs && !this.stopRequested) {
      if (queue.size > this.queuePeak) this.queuePeak = queue.size;
      const event = queue.pop()!;
      if (event.time <= this.nowUs) {
        if (event.time < this.nowUs) throw new Error(`time ran backwards: event at ${event.time} after ${this.nowUs}`);
        if (++sameInstant >= limit) sameInstant = this.atLivelockLimit(event, sameInstant);
      } else {
        sameInstant = 0;
        this.nowUs = event.time;
      }
      this.dispatch(event);
    }
    if (this.stopRequested) return;
    if (untilUs > this.nowUs) this.nowUs = untilUs;
  }

  /**
   * At the limit: a large queue means a backlog being worked off, forgiven
   * once per instant (the count restarts below zero by the queued events);
   * otherwise the run is spinning and stops with a LivelockError.
   */
  private atLivelockLimit(event: SimEvent, handled: number): number {
    if (this.queue.size >= this.livelockEvents * LIVELOCK_BACKLOG_SHARE && this.livelockForgivenAtUs !== this.nowUs) {
      this.livelockForgivenAtUs = this.nowUs;
      return -this.queue.size;
    }
    throw this.livelock(event, handled);
  }

  /**
   * Builds the LivelockError once the limit is hit: handles `event` and up to
   * LIVELOCK_SAMPLE more events at the same instant, counting which node
   * handled which kind of event, so the message names what kept repeating.
   */
  private livelock(event: SimEvent, events: number): LivelockError {
    const counts = new Map<string, LivelockCulprit>();
    let next: SimEvent | undefined = event;
    for (let i = 0; i < LIVELOCK_SAMPLE && next !== undefined; i++) {
      const culprit = describeForLivelock(next);
      const key = `${culprit.node} ${culprit.event}`;
      counts.set(key, { ...culprit, count: (counts.get(key)?.count ?? 0) + 1 });
      this.dispatch(next);
      next = this.queue.size > 0 && this.queue.peekTime() === this.nowUs ? this.queue.pop() : undefined;
    }
    const culprits = [...counts.values()].sort((a, b) => b.count - a.count || (a.node + a.event).localeCompare(b.node + b.event));
    return new LivelockError(this.nowUs, events, culprits);
  }

  private dispatch(event: SimEvent): void {
    if (event.kind === ACTION) {
      this.count(event, null);
      event.fn!();
      return;
    }
    const node = event.node!;
    if (event.kind === TIMER) {
      if (event.cancelled || event.incarnation !== node.incarnation || node.status === 'crashed') return;
      if (node.status === 'paused') {
        node.backlog.push(event);
        return;
      }
      this.count(event, node);
      node.handled++;
      event.fn!();
      return;
    }
    // A delivery (to a node that is down, or not booted yet, it is lost).
    if (node.status === 'crashed' || node.handlers === null) {
      this.trace(event, node, node.status === 'crashed' ? 'LOST (node down)' : 'LOST (node not started)');
      this.recycle(event);
      return;
    }
    if (this.network.isCut(event.from!.index, node.index)) {
      this.network.dropByCut(event.from!.index, node.index);
      this.trace(event, node, 'DROPPED in flight');
      this.recycle(event);
      return;
    }
    if (node.status === 'paused') {
      node.backlog.push(event);
      return;
    }
    this.count(event, node);
    node.handled++;
    const from = event.from!.id;
    const msg = event.msg!;
    this.recycle(event);
    node.handlers!.onMessage(from, msg);
  }

  private count(event: SimEvent, node: SimNode | null): void {
    this.events++;
    const hasher = this.hasher;
    hasher.mix(event.time);
    // kind (2 bits) · node (15 bits) · sender (15 bits) in one word, then the label.
    const who = (node === null ? 0x7fff : node.index) * 0x8000 + (event.kind === DELIVER ? event.from!.index : 0x7fff);
    hasher.mix(event.kind * 0x40000000 + who);
    if (event.kind === DELIVER) hasher.mix(labelCode(event.msg!.type));
    else if (event.kind === ACTION) hasher.mix(labelCode(event.label));
    if (this.traceLine !== undefined) this.trace(event, node, '');
  }

  private trace(event: SimEvent, node: SimNode | null, suffix: string): void {
    if (this.traceLine === undefined) return;
    const at = traceTime(event.time);
    if (event.kind === ACTION) this.traceLine(`${at} sim ${event.label}`);
    else if (event.kind === TIMER) this.traceLine(`${at} ${node!.id} timer${event.label === '' ? '' : ' ' + event.label}${suffix === '' ? '' : ' ' + suffix}`);
    else this.traceLine(`${at} ${node!.id} <- ${event.from!.id} ${describeMessage(event.msg!)}${suffix === '' ? '' : ' ' + suffix}`);
  }

  /** The trace hash so far. */
  traceHash(): string {
    return this.hasher.digest();
  }

  // ---- process faults ------------------------------------------------------------------------

  /** Pauses `node` until `untilUs`; returns false if it is down. */
  pause(node: SimNode, untilUs: Micros, onResume: (deferred: number) => void): boolean {
    if (node.status === 'crashed') return false;
    const incarnation = node.incarnation;
    node.status = 'paused';
    node.pausedUntilUs = Math.max(node.pausedUntilUs, untilUs);
    this.schedule(untilUs, `resume ${node.id}`, () => {
      // A later, longer pause of the same process wins; a crash ends the pause.
      if (node.status !== 'paused' || node.incarnation !== incarnation || this.nowUs < node.pausedUntilUs) return;
      onResume(this.resume(node));
    });
    return true;
  }

  /** Resumes a paused node: its backlog is re-queued now, in the order it came due. */
  private resume(node: SimNode): number {
    node.status = 'up';
    const backlog = node.backlog;
    node.backlog = [];
    for (const event of backlog) {
      event.time = this.nowUs;
      this.queue.push(this.nowUs, event);
    }
    return backlog.length;
  }

  /** Crashes `node`: its process state and timers are gone; its disk keeps what `durable` allows. Returns writes lost. */
  crash(node: SimNode, durable: Durability): number {
    node.status = 'crashed';
    node.incarnation++;
    node.backlog = [];
    node.handlers = null;
    return node.disk.crash(durable);
  }

  /** Restarts a crashed node: a fresh process built from its disk. */
  restart(node: SimNode): void {
    if (node.status !== 'crashed') return;
    node.status = 'up';
    node.start();
  }
}

/** The node and kind of a queued event, for the livelock message. */
function describeForLivelock(event: SimEvent): { node: string; event: string } {
  if (event.kind === ACTION) return { node: 'sim', event: event.label };
  if (event.kind === TIMER) return { node: event.node!.id, event: 'timer' };
  return { node: event.node!.id, event: `<- ${event.from!.id} ${event.msg!.type}` };
}

function describeEvent(event: NodeEvent): string {
  const { kind, ...detail } = event;
  return Object.keys(detail).length === 0 ? kind : `${kind} ${JSON.stringify(detail)}`;
}

function describeMessage(msg: Message): string {
  let text = msg.type;
  for (const key of Object.keys(msg)) {
    if (key === 'type') continue;
    const value = msg[key];
    if (typeof value === 'object' && value !== null) text += ` ${key}=${JSON.stringify(value).slice(0, 80)}`;
    else text += ` ${key}=${String(value)}`;
  }
  return text;
}
