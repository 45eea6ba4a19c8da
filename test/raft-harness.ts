/**
 * A tiny deterministic network for testing the Raft core on its own,
 * independent of the full simulator: nodes with a `NodeApi`, one event queue
 * over true time, latency, loss, duplication, link cuts, crash/restart (with
 * the real `SimDisk` durability) and pauses (a paused node's events wait in
 * a backlog and run in due order on resume). Clocks run at true speed.
 * Test-only; not a model of anything the real simulator does not already do.
 */
import type { Message, NodeApi, NodeEventKind, NodeHandlers, TimerId } from '../algorithms/api/index.ts';
import { SimDisk } from '../sim/core/disk.ts';
import { Rng } from '../sim/core/rng.ts';
import type { Durability } from '../sim/scenario/types.ts';
import type { Micros } from '../algorithms/api/time.ts';

/** Deliveries are not tied to a process incarnation. */
const ANY_INCARNATION = -1;

interface QueuedEvent {
  time: Micros;
  seq: number;
  node: string;
  incarnation: number;
  cancelled: boolean;
  run: () => void;
}

interface MiniNode {
  readonly id: string;
  status: 'up' | 'paused' | 'crashed';
  incarnation: number;
  readonly disk: SimDisk;
  readonly rng: Rng;
  readonly monoStartUs: Micros;
  handlers: NodeHandlers | null;
  backlog: QueuedEvent[];
  api: NodeApi;
}

/** One `emit` as the harness saw it. */
export interface SeenEmit {
  readonly atUs: Micros;
  readonly node: string;
  readonly event: NodeEventKind;
  readonly detail: Readonly<Record<string, unknown>> | undefined;
}

export interface MiniNetworkOptions {
  readonly latencyUs: readonly [Micros, Micros];
  readonly loss: number;
  readonly duplicate: number;
}

/** A deterministic mini-cluster; `boot` builds a node's handlers at start and after each restart. */
export class MiniCluster {
  nowUs: Micros = 0;
  readonly emits: SeenEmit[] = [];
  private readonly queue: QueuedEvent[] = [];
  private seq = 0;
  private readonly nodes = new Map<string, MiniNode>();
  private readonly cut = new Set<string>();
  private readonly netRng: Rng;
  private options: MiniNetworkOptions;
  private readonly boot: (api: NodeApi) => NodeHandlers;
  private readonly emitListeners: Array<(seen: SeenEmit) => void> = [];
  /** Messages delivered, for sanity checks. */
  delivered = 0;

  constructor(ids: readonly string[], seed: number, options: MiniNetworkOptions, boot: (api: NodeApi) => NodeHandlers) {
    const root = new Rng(seed, 'mini');
    this.netRng = root.fork('network');
    this.options = options;
    this.boot = boot;
    for (const id of ids) {
      const node: MiniNode = {
        id,
        status: 'up',
        incarnation: 0,
        disk: new SimDisk(),
        rng: root.fork(`node:${id}`),
        monoStartUs: root.fork(`mono:${id}`).int(0, 1e9),
        handlers: null,
        backlog: [],
        api: undefined as unknown as NodeApi,
      };
      node.api = this.makeApi(node);
      this.nodes.set(id, node);
    }
    for (const node of this.nodes.values()) node.handlers = boot(node.api);
  }

  /** Calls `listener` on every emit, as it happens. */
  onEmit(listener: (seen: SeenEmit) => void): void {
    this.emitListeners.push(listener);
  }

  /** Changes loss / duplication / latency from now on. */
  setNetwork(options: MiniNetworkOptions): void {
    this.options = options;
  }

  status(id: string): MiniNode['status'] {
    return this.node(id).status;
  }

  /** Runs simulator code at a true time. */
  at(timeUs: Micros, fn: () => void): void {
    this.push({ time: timeUs, seq: 0, node: '', incarnation: 0, cancelled: false, run: fn });
  }

  /** Handles every event due up to `untilUs`. */
  runUntil(untilUs: Micros): void {
    while (this.queue.length > 0 && this.peek().time <= untilUs) {
      const event = this.pop();
      if (event.time < this.nowUs) throw new Error('time ran backwards');
      this.nowUs = event.time;
      if (event.cancelled) continue;
      if (event.node === '') {
        event.run();
        continue;
      }
      const node = this.node(event.node);
      if (node.status === 'crashed' || (event.incarnation !== ANY_INCARNATION && event.incarnation !== node.incarnation)) continue;
      if (node.status === 'paused') {
        node.backlog.push(event);
        continue;
      }
      event.run();
    }
    this.nowUs = Math.max(this.nowUs, untilUs);
  }

  /** Crashes a node; its disk keeps what `durable` allows. */
  crash(id: string, durable: Durability): void {
    const node = this.node(id);
    if (node.status === 'crashed') return;
    node.status = 'crashed';
    node.incarnation++;
    node.backlog = [];
    node.handlers = null;
    node.disk.crash(durable);
  }

  restart(id: string): void {
    const node = this.node(id);
    if (node.status !== 'crashed') return;
    node.status = 'up';
    node.handlers = this.boot(node.api);
  }

  /** Pauses a node for `durationUs`; on resume its backlog runs in due order. */
  pause(id: string, durationUs: Micros): void {
    const node = this.node(id);
    if (node.status !== 'up') return;
    node.status = 'paused';
    const incarnation = node.incarnation;
    this.at(this.nowUs + durationUs, () => {
      if (node.status !== 'paused' || node.incarnation !== incarnation) return;
      node.status = 'up';
      const backlog = node.backlog;
      node.backlog = [];
      for (const event of backlog) {
        event.time = this.nowUs;
        this.push(event);
      }
    });
  }

  /** Cuts every link between the groups (both directions). */
  partition(groups: ReadonlyArray<readonly string[]>): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]) for (const b of groups[j]) this.cut.add(`${a}>${b}`);
      }
    }
  }

  heal(): void {
    this.cut.clear();
  }

  private node(id: string): MiniNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  private makeApi(node: MiniNode): NodeApi {
    return {
      id: node.id,
      now: () => this.nowUs,
      monotonic: () => node.monoStartUs + this.nowUs,
      send: (to: string, msg: Message) => this.send(node, to, msg),
      setTimer: (delayUs: Micros, fn: () => void): TimerId => {
        if (!(delayUs >= 0)) throw new Error(`bad timer delay ${delayUs}`);
        const event: QueuedEvent = { time: this.nowUs + delayUs, seq: 0, node: node.id, incarnation: node.incarnation, cancelled: false, run: fn };
        this.push(event);
        return event as unknown as TimerId;
      },
      cancelTimer: (id: TimerId) => {
        (id as unknown as QueuedEvent).cancelled = true;
      },
      disk: node.disk,
      rng: node.rng,
      emit: ({ kind: event, ...detail }) => {
        const seen: SeenEmit = { atUs: this.nowUs, node: node.id, event, detail };
        this.emits.push(seen);
        for (const listener of this.emitListeners) listener(seen);
      },
      note: () => {},
    };
  }

  private send(from: MiniNode, to: string, msg: Message): void {
    const target = this.node(to);
    if (this.netRng.chance(this.options.loss)) return;
    const copies = this.netRng.chance(this.options.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const [min, max] = this.options.latencyUs;
      const delayUs = this.netRng.int(min, max);
      this.push({
        time: this.nowUs + delayUs,
        seq: 0,
        node: target.id,
        incarnation: ANY_INCARNATION, // messages in flight reach a restarted process too
        cancelled: false,
        run: () => {
          if (this.cut.has(`${from.id}>${to}`)) return;
          this.delivered++;
          target.handlers!.onMessage(from.id, msg);
        },
      });
    }
  }

  // A plain binary heap on (time, seq).
  private push(event: QueuedEvent): void {
    event.seq = this.seq++;
    const q = this.queue;
    q.push(event);
    let i = q.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(q[p], q[i])) break;
      [q[p], q[i]] = [q[i], q[p]];
      i = p;
    }
  }

  private peek(): QueuedEvent {
    return this.queue[0];
  }

  private pop(): QueuedEvent {
    const q = this.queue;
    const top = q[0];
    const last = q.pop()!;
    if (q.length > 0) {
      q[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < q.length && less(q[l], q[m])) m = l;
        if (r < q.length && less(q[r], q[m])) m = r;
        if (m === i) break;
        [q[m], q[i]] = [q[i], q[m]];
        i = m;
      }
    }
    return top;
  }
}

function less(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
