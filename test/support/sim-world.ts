/**
 * The one test world: the real simulator (`sim/core`'s `Simulation`) with a
 * handle per node, for tests that drive a design's servers, clients or parts
 * directly instead of through a scenario and the harness.
 *
 * What it adds to the engine is only bookkeeping and names: nodes added by
 * id with the `boot` that builds their handlers (typed, so a test reads a
 * `RedisServer` back without a cast), each node's received messages and
 * emitted events, and faults addressed by node id — crash with a durability
 * and restart, pause, wall-clock jump and drift, one-way and two-way link
 * cuts, partitions and heals, and windows of extra loss, duplication and
 * delay. Everything else is the engine's own: the event queue over true
 * time, per-message latency, the network, clocks, disks, timers that die
 * with a crash, a paused node's backlog handled in due order on resume.
 *
 * Differences from a scenario run to keep in mind: no workload, store,
 * fault scheduler or checks; latency is exactly `latencyUs` unless a range
 * is given; each node's monotonic clock starts at an arbitrary (seeded)
 * point, its wall clock at true time 0.
 *
 * Usage: `const world = new SimWorld({ latencyUs: 1_000 }); const s1 =
 * world.add('s1', (api) => new RedisServer(api, options)); world.start();
 * world.runFor(10_000); s1.handlers.keyspace…`.
 */
import type { Message, Micros, NodeApi, NodeEvent, NodeEventKind, NodeHandlers, RangeUs } from '../../algorithms/api/index.ts';
import type { Durability } from '../../sim/core/disk.ts';
import { Simulation, type NodeSpec } from '../../sim/core/engine.ts';
import type { NodeRole, NodeStatus, SimNode } from '../../sim/core/node.ts';
import { Rng } from '../../sim/core/rng.ts';

export type { Durability } from '../../sim/core/disk.ts';

export interface SimWorldOptions {
  /** Seed of every random draw (network, clocks, each node's `rng`); default 1. */
  readonly seed?: number;
  /** Message latency: exactly this many µs, or uniform in a range; default exactly 1 ms. */
  readonly latencyUs?: Micros | RangeUs;
  /** Probability a message is lost; default 0. */
  readonly loss?: number;
  /** Probability a message is delivered twice; default 0. */
  readonly duplicate?: number;
  /** Receives the engine's text trace, line by line (for debugging a test). */
  readonly trace?: (line: string) => void;
}

/** One event a node emitted, stamped with the true time it was emitted at. */
export interface Emitted<E extends NodeEvent = NodeEvent> {
  readonly atUs: Micros;
  readonly node: string;
  readonly event: E;
}

/** One message a node handled, stamped with the true time it was handled at. */
export interface Received {
  readonly atUs: Micros;
  readonly from: string;
  readonly msg: Message;
}

/** The events of one kind, narrowed to that kind's fields. */
export type EventOf<K extends NodeEventKind> = Extract<NodeEvent, { kind: K }>;

/** Handlers that ignore every message (a driver node whose API a test uses directly). */
export const idle = (): NodeHandlers => ({ onMessage: () => {} });

/** A node of a `SimWorld`: its API, its current handlers, what it received and emitted, and the faults it can suffer. */
export class WorldNode<H extends NodeHandlers = NodeHandlers> {
  /** Messages this node handled (every incarnation), in order. */
  readonly inbox: Received[] = [];
  /** Events this node emitted (every incarnation), in order. */
  readonly emits: Array<Emitted> = [];
  private current: H | null = null;
  private simNode: SimNode | null = null;

  constructor(
    private readonly world: SimWorld,
    readonly id: string,
    readonly role: NodeRole,
    private readonly boot: (api: NodeApi) => H,
  ) {}

  /** The engine's spec for this node: boots the handlers, recording every message they handle. */
  spec(): NodeSpec {
    return {
      id: this.id,
      role: this.role,
      boot: (api) => {
        const handlers = this.boot(api);
        this.current = handlers;
        return {
          onMessage: (from, msg) => {
            this.inbox.push({ atUs: this.world.nowUs, from, msg });
            handlers.onMessage(from, msg);
          },
        };
      },
    };
  }

  /** Binds the handle to its engine node (at `SimWorld.start`). */
  bind(node: SimNode): void {
    this.simNode = node;
  }

  /** The engine's node (its clock, disk, status, incarnation). */
  get sim(): SimNode {
    if (this.simNode === null) throw new Error(`${this.id}: the world has not started (call start())`);
    return this.simNode;
  }

  /** The API the node's handlers were booted with. */
  get api(): NodeApi {
    return this.sim.api;
  }

  get status(): NodeStatus {
    return this.sim.status;
  }

  /** What `boot` returned for the running incarnation; throws while the node is crashed. */
  get handlers(): H {
    if (this.current === null || this.status === 'crashed') throw new Error(`${this.id} is ${this.simNode === null ? 'not started' : 'crashed'}: it has no handlers`);
    return this.current;
  }

  /** The running handlers as an instance of `type` (checked, not cast). */
  handlersAs<T extends NodeHandlers>(type: abstract new (...args: never[]) => T): T {
    const handlers: NodeHandlers = this.handlers;
    if (!(handlers instanceof type)) throw new Error(`${this.id} runs ${handlers.constructor.name}, not ${type.name}`);
    return handlers;
  }

  /** The events of `kind` this node emitted, in order. */
  events<K extends NodeEventKind>(kind: K): Array<Emitted<EventOf<K>>> {
    return this.emits.filter((e): e is Emitted<EventOf<K>> => e.event.kind === kind);
  }

  /** Sends `msg` to `to` as this node would (through the network). */
  send(to: string, msg: Message): void {
    this.api.send(to, msg);
  }

  /**
   * Crashes the node: handlers and timers gone, its disk keeps what `durable`
   * allows. Returns writes lost. A node already down is left alone (as the
   * `crash` fault does).
   */
  crash(durable: Durability): number {
    if (this.status === 'crashed') return 0;
    this.current = null;
    return this.world.sim.crash(this.sim, durable);
  }

  /** Boots a crashed node again on what its disk kept (no-op if it is not crashed). */
  restart(): void {
    this.world.sim.restart(this.sim);
  }

  /**
   * Pauses the node for `forUs` of true time: it handles nothing meanwhile,
   * then its backlog in due order. `onResume` gets how many events waited.
   */
  pause(forUs: Micros, onResume: (deferred: number) => void = () => {}): boolean {
    return this.world.sim.pause(this.sim, this.world.nowUs + forUs, onResume);
  }

  /** Steps the node's wall clock by `byUs` (may be negative); its monotonic clock is untouched. */
  jumpWall(byUs: Micros): void {
    this.sim.clock.jump(byUs);
  }

  /** From now on, the node's clocks (and timers) run at (1 + drift)× true speed. */
  setDrift(drift: number): void {
    this.sim.clock.setDrift(this.world.nowUs, drift);
  }
}

/** Fault index for cuts and windows the world makes (outside any scenario's numbering). */
const WORLD_FAULT = -1;

/** A world of named nodes on the real simulator; see the module header. */
export class SimWorld {
  private readonly options: SimWorldOptions;
  private readonly handles = new Map<string, WorldNode<NodeHandlers>>();
  private readonly listeners: Array<(emitted: Emitted) => void> = [];
  private engine: Simulation | null = null;
  private windows = 0;
  /** Every event any node emitted, in order. */
  readonly emits: Emitted[] = [];

  constructor(options: SimWorldOptions = {}) {
    this.options = options;
  }

  /** Adds node `id`, booted by `boot` at `start` and again after each restart. Only before `start`. */
  add<H extends NodeHandlers>(id: string, boot: (api: NodeApi) => H, role: NodeRole = 'server'): WorldNode<H> {
    if (this.engine !== null) throw new Error(`cannot add ${id}: the world has started`);
    if (this.handles.has(id)) throw new Error(`node ${id} added twice`);
    const node = new WorldNode<H>(this, id, role, boot);
    this.handles.set(id, node);
    return node;
  }

  /** Builds the simulation and boots every node, at true time 0. */
  start(): this {
    if (this.engine !== null) throw new Error('the world has already started');
    const latency = this.options.latencyUs ?? 1_000;
    const latencyUs: RangeUs = typeof latency === 'number' ? { minUs: latency, maxUs: latency } : latency;
    const handles = [...this.handles.values()];
    const sim = new Simulation(
      new Rng(this.options.seed ?? 1, 'world'),
      handles.map((node) => node.spec()),
      { latencyUs, loss: this.options.loss ?? 0, duplicate: this.options.duplicate ?? 0 },
      this.options.trace,
    );
    for (const node of handles) node.bind(sim.node(node.id)!);
    sim.onEmit((simNode, event) => {
      const emitted: Emitted = { atUs: sim.nowUs, node: simNode.id, event };
      this.emits.push(emitted);
      this.handles.get(simNode.id)!.emits.push(emitted);
      for (const listener of this.listeners) listener(emitted);
    });
    this.engine = sim;
    sim.start();
    return this;
  }

  /** The engine (after `start`). */
  get sim(): Simulation {
    if (this.engine === null) throw new Error('the world has not started (call start())');
    return this.engine;
  }

  /** True time, µs. */
  get nowUs(): Micros {
    return this.engine === null ? 0 : this.engine.nowUs;
  }

  /** The node `id`; throws if there is none. */
  node(id: string): WorldNode<NodeHandlers> {
    const node = this.handles.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** Every node, in the order added. */
  nodes(): Array<WorldNode<NodeHandlers>> {
    return [...this.handles.values()];
  }

  /** Calls `listener` on every emitted event, as it happens. */
  onEmit(listener: (emitted: Emitted) => void): void {
    this.listeners.push(listener);
  }

  /** Runs `fn` (test code, not a node's) at true time `atUs`; it runs whatever state the nodes are in. */
  at(atUs: Micros, fn: () => void, label = 'test action'): void {
    this.sim.schedule(atUs, label, fn);
  }

  /** Handles every event due up to `untilUs`, then sets true time to it. */
  runUntil(untilUs: Micros): void {
    this.sim.run(untilUs);
  }

  /** Handles every event due within the next `us`. */
  runFor(us: Micros): void {
    this.sim.run(this.sim.nowUs + us);
  }

  /** Cuts the directed link from → to: messages sent on it, or arriving on it, are dropped. */
  cut(from: string, to: string): void {
    this.sim.network.cut(this.index(from), this.index(to), WORLD_FAULT);
  }

  /** Cuts both directions between `a` and `b`. */
  cutBoth(a: string, b: string): void {
    this.cut(a, b);
    this.cut(b, a);
  }

  /** Restores one directed link cut by `cut` (cuts are counted: restore each one). */
  restore(from: string, to: string): void {
    this.sim.network.restore(this.index(from), this.index(to));
  }

  /** Cuts every link between different groups, both ways. */
  partition(groups: ReadonlyArray<readonly string[]>): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]) for (const b of groups[j]) this.cut(a, b);
      }
    }
  }

  /** Heals every cut link. */
  heal(): void {
    this.sim.network.healAll();
  }

  /**
   * Opens a window of extra loss, duplication and delay on every link (as a
   * `network` fault does); returns the function that closes it.
   */
  degrade(window: { readonly loss?: number; readonly duplicate?: number; readonly delayUs?: Micros }): () => void {
    // Each window needs its own index to be closed on its own; negative, so no scenario fault's effects are touched.
    const faultIndex = WORLD_FAULT - 1 - this.windows++;
    this.sim.network.openWindow({ faultIndex, loss: window.loss ?? 0, duplicate: window.duplicate ?? 0, delayUs: window.delayUs ?? 0 });
    return () => this.sim.network.closeWindow(faultIndex);
  }

  private index(id: string): number {
    return this.node(id).sim.index;
  }
}
