/**
 * A TCP proxy for one link (one client or server reaching one server):
 * listens on 127.0.0.1, forwards every connection to the target port, and
 * lets a fault cut either direction or add latency.
 *
 * - `cut(direction, 'stall')`: bytes in that direction are held (and the
 *   sender slowed by backpressure, as a full TCP window would) until
 *   `heal`, then delivered in order — what a real partition does to a TCP
 *   connection, whose segments are retransmitted until they get through
 *   (LITERATURE: "loss means retransmission delay, not a reset").
 * - `cut(direction, 'drop')`: bytes in that direction are thrown away,
 *   including those already waiting in the proxy. Closer to a datagram
 *   network; a byte stream with a hole in it is garbage to the protocol on
 *   top, so live faults use `stall`; `drop` is there for tests and for a
 *   fault that wants a connection broken.
 * - `latency`: every chunk waits a fixed or uniform delay before it is
 *   forwarded, never overtaking the chunk before it (a stream keeps its
 *   order).
 * - `reset()`: destroys every connection (both sides see it closed).
 * New connections during a cut are accepted and connected upstream at once;
 * only their bytes are held or dropped. Counts bytes forwarded, held and
 * dropped per direction.
 *
 * Hand-written (about 200 lines of node:net) rather than a library: the
 * maintained TCP proxies on npm forward bytes, but none can hold one
 * direction of a live connection and release it later, which is the
 * partition we need; toxiproxy does it, but is a Go server of its own.
 * Not modelled: packet-level behaviour (reordering, duplication, loss that
 * TCP repairs), bandwidth limits, a SYN that never gets an answer.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { LOOPBACK } from './ports.ts';

/** `up`: from the connecting side to the target; `down`: back. */
export type Direction = 'up' | 'down';
export type CutMode = 'stall' | 'drop';

/** Latency in µs: fixed, or uniform in [minUs, maxUs]. */
export interface LatencyUs {
  readonly minUs: number;
  readonly maxUs: number;
}

export interface DirectionStats {
  /** Bytes delivered to the other side. */
  forwarded: number;
  /** Bytes thrown away by a `drop` cut. */
  dropped: number;
  /** Bytes that had to wait for a `stall` cut to heal. */
  held: number;
}

/** Above this many queued bytes in one direction the sender is paused (backpressure). */
const HIGH_WATER = 256 * 1024;

interface Control {
  cut: CutMode | null;
  latency: LatencyUs;
  readonly stats: DirectionStats;
}

/** One direction of one connection. */
class Pipe {
  private readonly queue: Array<{ chunk: Buffer | null; dueMs: number }> = [];
  private queuedBytes = 0;
  private lastDueMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private sourcePaused = false;
  private waitingDrain = false;
  private wasStalled = false;
  /** Called once the end of the stream has been forwarded. */
  onEnded: (() => void) | undefined;

  constructor(
    private readonly source: Socket,
    private readonly sink: Socket,
    private readonly control: Control,
    private readonly draw: () => number,
  ) {
    source.on('data', (chunk: Buffer) => this.push(chunk));
    source.on('end', () => this.push(null));
    sink.on('drain', () => {
      this.waitingDrain = false;
      this.flush();
    });
  }

  private push(chunk: Buffer | null): void {
    if (this.control.cut === 'drop') {
      if (chunk !== null) this.control.stats.dropped += chunk.length;
      return;
    }
    const now = performance.now();
    const { minUs, maxUs } = this.control.latency;
    const delayMs = (minUs === maxUs ? minUs : minUs + this.draw() * (maxUs - minUs)) / 1000;
    const dueMs = Math.max(now + delayMs, this.lastDueMs);
    this.lastDueMs = dueMs;
    this.queue.push({ chunk, dueMs });
    if (chunk !== null) this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER && !this.sourcePaused) {
      this.sourcePaused = true;
      this.source.pause();
    }
    this.flush();
  }

  /** Writes out what is due, unless stalled; re-arms the timer for the next chunk. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.control.cut === 'drop') {
      for (const item of this.queue) if (item.chunk !== null) this.control.stats.dropped += item.chunk.length;
      this.queue.length = 0;
      this.queuedBytes = 0;
    }
    if (this.control.cut === 'stall') {
      if (!this.wasStalled && this.queue.length > 0) this.wasStalled = true;
      return;
    }
    const now = performance.now();
    while (this.queue.length > 0 && !this.waitingDrain) {
      const head = this.queue[0];
      if (head.dueMs > now) {
        this.timer = setTimeout(() => this.flush(), Math.max(0, head.dueMs - now));
        break;
      }
      this.queue.shift();
      if (head.chunk === null) {
        if (!this.sink.destroyed) this.sink.end();
        this.onEnded?.();
        continue;
      }
      this.queuedBytes -= head.chunk.length;
      this.control.stats.forwarded += head.chunk.length;
      if (this.wasStalled) this.control.stats.held += head.chunk.length;
      if (this.sink.destroyed) continue;
      if (!this.sink.write(head.chunk)) this.waitingDrain = true;
    }
    if (this.queue.length === 0) this.wasStalled = false;
    if (this.sourcePaused && this.queuedBytes <= HIGH_WATER / 2) {
      this.sourcePaused = false;
      this.source.resume();
    }
  }

  /** A stall began: what arrives from now on waits. */
  markStalled(): void {
    if (this.queue.length > 0) this.wasStalled = true;
  }

  /** Whether bytes (or the end of the stream) still wait to be forwarded. */
  pending(): boolean {
    return this.queue.length > 0;
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

export interface ProxyOptions {
  /** Steady latency per direction (the scenario's `network.latency`). */
  readonly latency?: LatencyUs;
  /** Uniform [0, 1) draws for latencies (default Math.random). */
  readonly draw?: () => number;
}

/** A proxy for one link: connect to `port` to reach `targetPort`. */
export class TcpProxy {
  private readonly controls: Record<Direction, Control>;
  private readonly connections = new Set<{ client: Socket; upstream: Socket; pipes: Pipe[] }>();
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(
    /** What it stands for (`c1->s1`). */
    readonly name: string,
    private readonly server: Server,
    /** Where to connect to use the link. */
    readonly port: number,
    readonly targetPort: number,
    private readonly draw: () => number,
    latency: LatencyUs,
  ) {
    const control = (): Control => ({ cut: null, latency, stats: { forwarded: 0, dropped: 0, held: 0 } });
    this.controls = { up: control(), down: control() };
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a proxy on a free 127.0.0.1 port. */
  static start(name: string, targetPort: number, options: ProxyOptions = {}): Promise<TcpProxy> {
    const server = createServer({ pauseOnConnect: true });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: LOOPBACK, port: 0 }, () => {
        const address = server.address();
        if (address === null || typeof address === 'string') return reject(new Error('proxy has no port'));
        resolve(new TcpProxy(name, server, address.port, targetPort, options.draw ?? Math.random, options.latency ?? { minUs: 0, maxUs: 0 }));
      });
    });
  }

  private accept(client: Socket): void {
    this.accepted++;
    const upstream = connect({ host: LOOPBACK, port: this.targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const entry = { client, upstream, pipes: [new Pipe(client, upstream, this.controls.up, this.draw), new Pipe(upstream, client, this.controls.down, this.draw)] };
    this.connections.add(entry);
    // Once a closed side's last bytes are out, the other side goes too.
    entry.pipes[0].onEnded = () => {
      if (client.destroyed) close();
    };
    entry.pipes[1].onEnded = () => {
      if (upstream.destroyed) close();
    };
    const close = (): void => {
      if (!this.connections.delete(entry)) return;
      for (const pipe of entry.pipes) pipe.close();
      client.destroy();
      upstream.destroy();
    };
    // A side that fails takes the other down with it (as a reset would); a side that
    // closed cleanly does once what it sent has been forwarded (the end travels in order).
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => {
      if (!entry.pipes[0].pending()) close();
    });
    upstream.on('close', () => {
      if (!entry.pipes[1].pending()) close();
    });
    client.resume();
  }

  /** Cuts one direction (or both) until `heal`. */
  cut(direction: Direction | 'both', mode: CutMode = 'stall'): void {
    for (const d of directions(direction)) this.controls[d].cut = mode;
    for (const entry of this.connections) for (const pipe of entry.pipes) {
      pipe.markStalled();
      pipe.flush();
    }
  }

  /** Restores one direction (or both); held bytes go out now, in order. */
  heal(direction: Direction | 'both' = 'both'): void {
    for (const d of directions(direction)) this.controls[d].cut = null;
    for (const entry of this.connections) for (const pipe of entry.pipes) pipe.flush();
  }

  /** Whether a direction is cut now. */
  isCut(direction: Direction): CutMode | null {
    return this.controls[direction].cut;
  }

  /** Sets the latency of one direction (or both). */
  setLatency(direction: Direction | 'both', latency: LatencyUs): void {
    if (latency.minUs < 0 || latency.maxUs < latency.minUs) throw new Error(`${this.name}: bad latency ${JSON.stringify(latency)}`);
    for (const d of directions(direction)) this.controls[d].latency = latency;
  }

  latency(direction: Direction): LatencyUs {
    return this.controls[direction].latency;
  }

  /** Byte counters per direction. */
  stats(direction: Direction): Readonly<DirectionStats> {
    return { ...this.controls[direction].stats };
  }

  /** The address it listens on (always 127.0.0.1). */
  get host(): string {
    const address = this.server.address();
    return address === null || typeof address === 'string' ? '' : address.address;
  }

  /** Connections open now. */
  get open(): number {
    return this.connections.size;
  }

  /** Destroys every connection through the proxy (it keeps listening). */
  reset(): void {
    for (const entry of [...this.connections]) {
      entry.client.destroy();
      entry.upstream.destroy();
    }
  }

  /** Stops listening and destroys every connection. */
  close(): Promise<void> {
    this.reset();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function directions(direction: Direction | 'both'): Direction[] {
  return direction === 'both' ? ['up', 'down'] : [direction];
}
