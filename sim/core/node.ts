/**
 * A simulated node: its status (up, paused, crashed), clocks, disk, random
 * stream and the handlers its design built.
 *
 * The node's `NodeApi` is the only window a design has onto the world: its
 * own clocks, timers, messages and disk. A pause stops the node handling
 * anything (events queue in its backlog, in due order) while time flows; a
 * crash bumps the incarnation so every timer of the old process dies, and
 * the disk keeps what the crash's durability allows. Not modelled: CPU
 * cost of handlers (they take no simulated time), partial crashes.
 */
import type { Message, Micros, NodeApi, NodeEvent, NodeHandlers, TimerId } from '../../algorithms/api/index.ts';
import { NodeClock } from './clock.ts';
import { SimDisk } from './disk.ts';
import type { Rng } from './rng.ts';

export type NodeRole = 'server' | 'client' | 'store';
export type NodeStatus = 'up' | 'paused' | 'crashed';

export const DELIVER = 1;
export const TIMER = 2;
export const ACTION = 3;

/**
 * One queued event. Deliveries and timers belong to a node; actions are the
 * simulator's own. Delivery events are recycled by the engine once handled
 * (designs never hold them); timer events are handed to designs as timer ids
 * and never recycled.
 */
export class SimEvent {
  time = 0;
  cancelled = false;
  constructor(
    public kind: number,
    public node: SimNode | null,
    public incarnation: number,
    public fn: (() => void) | null,
    public from: SimNode | null,
    public msg: Message | null,
    public label: string,
  ) {}
}

/** What a node needs from the simulator; implemented by `Simulation`. */
export interface NodeHost {
  readonly nowUs: Micros;
  send(from: SimNode, to: string, msg: Message): void;
  setTimer(node: SimNode, delayUs: Micros, fn: () => void, label?: string): SimEvent;
  emit(node: SimNode, event: NodeEvent): void;
  note(node: SimNode, text: string): void;
}

export class SimNode {
  status: NodeStatus = 'up';
  /** Bumped on every crash; events of older incarnations are dropped. */
  incarnation = 0;
  /** While paused: the true time the pause ends. */
  pausedUntilUs = 0;
  /** Events that came due while paused, in due order. */
  backlog: SimEvent[] = [];
  handlers: NodeHandlers | null = null;
  readonly disk = new SimDisk();
  readonly api: NodeApi;
  /** Events this node handled. */
  handled = 0;

  constructor(
    readonly index: number,
    readonly id: string,
    readonly role: NodeRole,
    readonly clock: NodeClock,
    readonly rng: Rng,
    host: NodeHost,
    /** Builds the node's handlers at boot and after each restart. */
    readonly boot: (api: NodeApi) => NodeHandlers,
  ) {
    this.api = makeApi(this, host);
  }

  start(): void {
    this.handlers = this.boot(this.api);
  }
}

function makeApi(node: SimNode, host: NodeHost): NodeApi {
  return {
    id: node.id,
    now: () => node.clock.wall(host.nowUs),
    monotonic: () => node.clock.monotonic(host.nowUs),
    send: (to, msg) => host.send(node, to, msg),
    setTimer: (delayUs, fn, label) => host.setTimer(node, delayUs, fn, label) as unknown as TimerId,
    cancelTimer: (id) => {
      (id as unknown as SimEvent).cancelled = true;
    },
    disk: node.disk,
    rng: node.rng,
    emit: (event) => host.emit(node, event),
    note: (text) => host.note(node, text),
  };
}
