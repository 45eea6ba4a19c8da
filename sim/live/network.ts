/**
 * The live network: one TCP proxy (proxy.ts) per link that carries
 * traffic — each client to each server and to the store, each replica to
 * its primary — so a partition can cut any directed link, as the simulated
 * network does. A directed link `from → to` is the proxy's `up` direction
 * when `from` opened the connection and `down` when `to` did. A link no
 * connection uses (client to client) carries nothing: cutting it is a
 * no-op, as in simulation where no message would cross it.
 *
 * Overlapping partitions: each directed link remembers which faults cut it
 * and heals only when the last of them does; a link made later (a
 * connection a failover opens) starts cut if a partition in force names
 * it. `network` faults add their `delay` to every link's latency for
 * their window. Cuts stall (TCP keeps retrying, see proxy.ts).
 */
import type { LatencyUs, TcpProxy } from './proxy.ts';
import { TcpProxy as Proxy } from './proxy.ts';

export class LiveNetwork {
  /** By `opener->target`. */
  private readonly proxies = new Map<string, TcpProxy>();
  /** By directed link `from->to`: the faults cutting it. */
  private readonly cuts = new Map<string, Set<number>>();
  /** Extra delay per open `network` window (fault index → µs). */
  private readonly windows = new Map<number, number>();

  constructor(
    private readonly base: LatencyUs,
    private readonly draw: () => number = Math.random,
  ) {}

  /** Adds the proxy `opener` uses to reach `target` (listening at `targetPort`); returns it. */
  async link(opener: string, target: string, targetPort: number): Promise<TcpProxy> {
    const key = `${opener}->${target}`;
    if (this.proxies.has(key)) throw new Error(`link ${key} exists already`);
    const proxy = await Proxy.start(key, targetPort, { latency: this.latency(), draw: this.draw });
    this.proxies.set(key, proxy);
    // A link made while a partition is in force is cut as the partition says (its delay windows are in latency() already).
    if (this.cuts.has(key)) proxy.cut('up', 'stall');
    if (this.cuts.has(`${target}->${opener}`)) proxy.cut('down', 'stall');
    return proxy;
  }

  proxy(opener: string, target: string): TcpProxy | undefined {
    return this.proxies.get(`${opener}->${target}`);
  }

  /**
   * The proxies and directions that carry bytes from `from` to `to`: the
   * connections `from` opened (`up`) and those `to` opened (`down`) — both,
   * when each side opens connections to the other (ZooKeeper's peers).
   */
  private carriers(from: string, to: string): Array<{ proxy: TcpProxy; direction: 'up' | 'down' }> {
    const found: Array<{ proxy: TcpProxy; direction: 'up' | 'down' }> = [];
    const up = this.proxies.get(`${from}->${to}`);
    if (up !== undefined) found.push({ proxy: up, direction: 'up' });
    const down = this.proxies.get(`${to}->${from}`);
    if (down !== undefined) found.push({ proxy: down, direction: 'down' });
    return found;
  }

  /** Fault `index` cuts `from → to`; true if a proxy carries that link. */
  cut(from: string, to: string, index: number): boolean {
    const carriers = this.carriers(from, to);
    const key = `${from}->${to}`;
    const by = this.cuts.get(key) ?? new Set<number>();
    by.add(index);
    this.cuts.set(key, by);
    for (const carrier of carriers) carrier.proxy.cut(carrier.direction, 'stall');
    return carriers.length > 0;
  }

  /** Fault `index` no longer cuts `from → to`; the link heals when no fault cuts it. */
  heal(from: string, to: string, index: number): void {
    const key = `${from}->${to}`;
    const by = this.cuts.get(key);
    if (by === undefined) return;
    by.delete(index);
    if (by.size > 0) return;
    this.cuts.delete(key);
    for (const carrier of this.carriers(from, to)) carrier.proxy.heal(carrier.direction);
  }

  /** Opens (or, with `delayUs` undefined, closes) fault `index`'s window of added delay on every link. */
  window(index: number, delayUs: number | undefined): void {
    if (delayUs === undefined) this.windows.delete(index);
    else this.windows.set(index, delayUs);
    const latency = this.latency();
    for (const proxy of this.proxies.values()) proxy.setLatency('both', latency);
  }

  private latency(): LatencyUs {
    let extra = 0;
    for (const us of this.windows.values()) extra += us;
    return { minUs: this.base.minUs + extra, maxUs: this.base.maxUs + extra };
  }

  /** Bytes that waited for a healed cut, over every link. */
  bytesHeld(): number {
    let held = 0;
    for (const proxy of this.proxies.values()) held += proxy.stats('up').held + proxy.stats('down').held;
    return held;
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
  }
}
