/**
 * A test double for the simulator: a tiny deterministic world for driving a
 * design's servers and clients directly, without the engine.
 *
 * Models: named nodes running `NodeHandlers` behind a real `NodeApi`; one
 * true clock, with a per-node wall-clock offset (`wallJumpUs`) and a
 * per-node monotonic zero; links with one fixed latency for every message;
 * directed cuts that drop messages (checked when sent and when delivered);
 * timers that die with the incarnation that set them; crashes that lose the
 * node's handlers and apply the real `SimDisk` crash; restarts that boot the
 * node again on the surviving disk. Events run in time order, ties in the
 * order they were scheduled.
 *
 * Does not model: clock drift (timers run on true time), random latency,
 * loss other than cuts, duplication or reordering, the fault scheduler,
 * workloads, traces or checkers. `note` is a no-op and each node's `rng` is
 * seeded from a fixed seed and its id.
 */
import type { Message, NodeApi, NodeEventKind, NodeHandlers } from '../../algorithms/api/index.ts';
import { SimDisk } from '../../sim/core/disk.ts';
import { Rng } from '../../sim/core/rng.ts';
import type { Durability } from '../../sim/scenario/types.ts';

/** One `api.emit` call, stamped with the world's true time. */
export interface Emitted {
  readonly atUs: number;
  readonly event: NodeEventKind;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** A node of a `World`: its clocks, disk, emitted events, inbox and the handlers it booted. */
export class FakeNode {
  /** False between `crash` and `restart`: messages and timers for it are dropped. */
  up = true;
  /** Bumped by every crash; timers set by an earlier incarnation never fire. */
  incarnation = 0;
  /** Offset of this node's wall clock (`api.now`) from true time; set it to jump the clock. */
  wallJumpUs = 0;
  /** This node's monotonic clock reading at true time zero. */
  readonly monoStartUs: number;
  /** The real simulated disk, crashed with the requested durability. */
  readonly disk = new SimDisk();
  /** Everything this node emitted, in order. */
  readonly emits: Emitted[] = [];
  /** Messages this node received, in order. */
  readonly inbox: Array<{ from: string; msg: Message }> = [];
  /** What `boot` returned for the current incarnation; null while crashed. */
  handlers: NodeHandlers | null = null;
  /** The API handed to `boot`. */
  readonly api: NodeApi;

  constructor(
    readonly world: World,
    readonly id: string,
    private readonly boot: (api: NodeApi) => NodeHandlers,
  ) {
    this.monoStartUs = 7_000_000_000 + world.nodes.size * 123_456_789;
    const rng = new Rng(42, id);
    this.api = {
      id,
      now: () => world.nowUs + this.wallJumpUs,
      monotonic: () => this.monoStartUs + world.nowUs,
      send: (to, msg) => world.send(id, to, msg),
      setTimer: (delayUs, fn) => world.timer(this, delayUs, fn) as never,
      cancelTimer: (timer) => {
        (timer as unknown as { cancelled: boolean }).cancelled = true;
      },
      disk: this.disk,
      rng,
      emit: ({ kind, ...detail }) => {
        this.emits.push({ atUs: world.nowUs, event: kind, detail });
      },
      note: () => {},
    };
  }

  /** Boots the node: calls `boot` with its API and keeps the handlers. */
  start(): void {
    this.handlers = this.boot(this.api);
  }

  /** Crashes the node: drops its handlers and timers, and crashes its disk with `durable`. */
  crash(durable: Durability): void {
    this.up = false;
    this.incarnation++;
    this.handlers = null;
    this.disk.crash(durable);
  }

  /** Brings a crashed node back up and boots it again on what its disk kept. */
  restart(): void {
    this.up = true;
    this.start();
  }

  /** The emitted events named `event`, in order. */
  events(event: NodeEventKind): Emitted[] {
    return this.emits.filter((e) => e.event === event);
  }
}

/** The world: true time, an event queue, the nodes and the cut links. */
export class World {
  /** True time, µs. */
  nowUs = 0;
  /** Every message's delivery delay, µs (1 ms unless a test changes it). */
  latencyUs = 1_000;
  private seq = 0;
  private queue: Array<{ at: number; seq: number; cancelled: boolean; run: () => void }> = [];
  /** The nodes by id, in the order they were added. */
  readonly nodes = new Map<string, FakeNode>();
  /** Directed links that drop messages: "from>to". */
  readonly cuts = new Set<string>();

  /** Adds a node `id` and boots it at once. */
  add(id: string, boot: (api: NodeApi) => NodeHandlers): FakeNode {
    const node = new FakeNode(this, id, boot);
    this.nodes.set(id, node);
    node.start();
    return node;
  }

  /** The node `id`; throws if there is none. */
  node(id: string): FakeNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  private push(at: number, run: () => void): { cancelled: boolean } {
    const event = { at, seq: this.seq++, cancelled: false, run };
    this.queue.push(event);
    return event;
  }

  /**
   * Delivers `msg` to `to` after `latencyUs`, unless the link `from>to` is
   * cut when it is sent or when it arrives, or `to` is down on arrival.
   */
  send(from: string, to: string, msg: Message): void {
    if (this.cuts.has(`${from}>${to}`)) return;
    this.push(this.nowUs + this.latencyUs, () => {
      const target = this.node(to);
      if (!target.up || this.cuts.has(`${from}>${to}`)) return;
      target.inbox.push({ from, msg });
      target.handlers!.onMessage(from, msg);
    });
  }

  /** Runs `fn` after `delayUs` of true time if `node` is still up in the same incarnation. */
  timer(node: FakeNode, delayUs: number, fn: () => void): { cancelled: boolean } {
    if (!(delayUs >= 0)) throw new Error(`bad timer delay ${delayUs}`);
    const incarnation = node.incarnation;
    return this.push(this.nowUs + delayUs, () => {
      if (node.up && node.incarnation === incarnation) fn();
    });
  }

  /** Runs every event due within the next `us`. */
  runFor(us: number): void {
    const until = this.nowUs + us;
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const e = this.queue[i];
        if (e.at > until) continue;
        if (best < 0 || e.at < this.queue[best].at || (e.at === this.queue[best].at && e.seq < this.queue[best].seq)) best = i;
      }
      if (best < 0) break;
      const [event] = this.queue.splice(best, 1);
      this.nowUs = event.at;
      if (!event.cancelled) event.run();
    }
    this.nowUs = until;
  }
}
