/**
 * Watches the real ensemble the way the simulator's leader reports holders
 * (algorithms/zookeeper/holders.ts): one session of its own lists the
 * children of the holders' folder (`/lock`, or the semaphore's
 * `/semaphore/leases`) with a child watch, and lists again each time the
 * watch fires. The first `permits` protected nodes (by sequence number)
 * hold: 1 for the lock, as many as the semaphore has permits; a node
 * entering that set is a grant (client = the owner its protected name
 * carries, lease = its name, token = its sequence number); a holder's node
 * going away is the end of that grant — `deleted` when its client released it
 * (the release's multi left `/locksim/released/<name>`, looked up before
 * the next grant is reported), `expired` otherwise (its session expired or
 * was closed, or its client deleted it giving up), as the simulated
 * server tells a release from everything else.
 *
 * Each event is stamped with the harness clock when the listing that
 * showed it arrives: later than it happened by a loopback round trip (the
 * history builder widens expiries into intervals for that reason), in the
 * ensemble's order (one session reads in zxid order; a listing older than
 * one already seen, by the parent's pzxid, is dropped). Changes between
 * two listings are seen together: a holder that came and went between
 * them is missed (its grant is not reported; the client's own acquire-ok
 * still is).
 *
 * It connects straight to the servers, not through the proxies: it is the
 * harness's instrument, outside every partition, and it asks for the
 * longest session the servers allow. It reconnects after a server crash
 * and opens a new session if its own expires (then it lists afresh).
 */
import type { TrueClock } from '../clock.ts';
import type { ServiceEvent } from '../service.ts';
import { ZkConnection } from './connection.ts';
import { bySequence, protectedParts, sequenceOf } from './names.ts';

export interface ObserverOptions {
  /** The servers' own client ports, by name. */
  readonly servers: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  /** The folder whose first `permits` children hold. */
  readonly holdersPath: string;
  readonly permits: number;
  readonly releasedPath: string;
  /** The session timeout to ask for (the servers clamp it to 20 ticks). */
  readonly requestedTimeoutMs: number;
  readonly reconnectPauseMaxMs: number;
  readonly clock: TrueClock;
  /** The server the service calls leader now (events name it, as the simulated leader reports them). */
  readonly leader: () => string | null;
  readonly listener: (event: ServiceEvent) => void;
}

interface Holder {
  readonly client: string;
  readonly token: number;
}

export class ZooKeeperObserver {
  readonly events: ServiceEvent[] = [];
  /** The current holders' node names → their grants. */
  private holders = new Map<string, Holder>();
  private readonly conn: ZkConnection;
  /** Listings are handled one after another (a release's mark is looked up in between). */
  private queue: Promise<void> = Promise.resolve();
  private lastPzxid = -1n;
  private lastGeneration = 0;
  private closed = false;
  /** Listings handled (for tests). */
  listings = 0;
  /** Failures that were not a lost connection or session (for tests and debugging). */
  readonly errors: string[] = [];

  private constructor(private readonly options: ObserverOptions) {
    this.conn = new ZkConnection({
      ports: options.servers.map((s) => s.port),
      requestedTimeoutMs: options.requestedTimeoutMs,
      reconnectPauseMaxMs: options.reconnectPauseMaxMs,
      curatorLost: false,
      selfExpiry: false,
      random: Math.random,
      onEvent: (event) => {
        if (event === 'lost' && !this.closed) this.list(); // a new session: list afresh
      },
    });
  }

  /** Connects and takes the first listing. */
  static async start(options: ObserverOptions): Promise<ZooKeeperObserver> {
    const observer = new ZooKeeperObserver(options);
    if (!(await observer.conn.waitConnected(30_000))) throw new Error('zookeeper observer: no session within 30 s');
    observer.list();
    await observer.queue;
    return observer;
  }

  private list(): void {
    if (this.closed) return;
    const handle = this.conn.handle();
    const generation = this.conn.generation;
    void handle.getChildren(this.options.holdersPath, () => this.list()).then((r) => {
      if (this.closed) return;
      const atUs = this.options.clock.nowUs();
      switch (r.code) {
        case 'ok': {
          const pzxid = r.value.stat.pzxid.readBigInt64BE(0);
          if (generation === this.lastGeneration && pzxid < this.lastPzxid) return; // an older listing than one seen
          this.lastGeneration = generation;
          this.lastPzxid = pzxid;
          const children = r.value.children;
          this.enqueue(() => this.changed(children, atUs, handle.port()));
          return;
        }
        case 'NoNode':
          // No lock node (yet, or any more after a wipe): nobody holds; look again when it appears.
          this.enqueue(() => this.changed([], atUs, handle.port()));
          void handle.mkdirp(this.options.holdersPath).then(() => this.list());
          return;
        case 'ConnectionLoss':
        case 'SessionExpired':
          this.list(); // waits for the reconnect, or opens a new session
          return;
        default:
          // Not a code a listing should get: note it and look again shortly.
          this.errors.push(`listing ${this.options.holdersPath} failed with ${r.code}${r.detail === undefined ? '' : `: ${r.detail}`}`);
          setTimeout(() => this.list(), 50);
      }
    });
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task, task);
  }

  private serverName(port: number | undefined): string {
    return this.options.leader() ?? this.options.servers.find((s) => s.port === port)?.name ?? this.options.servers[0].name;
  }

  /** One listing: the first `permits` nodes hold; report what changed, ends first (as holders.ts), then grants in sequence order. */
  private async changed(children: readonly string[], atUs: number, port: number | undefined): Promise<void> {
    this.listings++;
    const server = this.serverName(port);
    const key = this.options.permits === 1 ? 'lock' : 'semaphore';
    const head = bySequence(children)
      .filter((n) => protectedParts(n) !== undefined)
      .slice(0, this.options.permits);
    const holding = new Set(head);
    const present = new Set(children);
    for (const [name, holder] of [...this.holders]) {
      if (holding.has(name)) continue;
      this.holders.delete(name);
      const released = !present.has(name) && (await this.wasReleased(name));
      this.push({ kind: released ? 'deleted' : 'expired', atUs, server, key, owner: holder.client, lease: name, token: holder.token });
    }
    for (const name of head) {
      if (this.holders.has(name)) continue;
      const holder = { client: protectedParts(name)!.owner, token: sequenceOf(name)! };
      this.holders.set(name, holder);
      this.push({ kind: 'granted', atUs, server, client: holder.client, key, lease: name, token: holder.token });
    }
  }

  /** Whether the release's mark for `name` is there (retried through a lost connection). */
  private async wasReleased(name: string): Promise<boolean> {
    for (;;) {
      if (this.closed) return false;
      const r = await this.conn.handle().exists(`${this.options.releasedPath}/${name}`);
      if (r.code === 'ok') return r.value !== null;
      if (r.code !== 'ConnectionLoss' && r.code !== 'SessionExpired') return false;
    }
  }

  private push(event: ServiceEvent): void {
    this.events.push(event);
    this.options.listener(event);
  }

  /** Requests the observer sent. */
  get requests(): number {
    return this.conn.requests;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.conn.close(200);
  }
}
