/**
 * The live `zookeeper` lock client: node-zookeeper-client against a real
 * ZooKeeper ensemble, running the recipe the simulated client runs
 * (algorithms/zookeeper/client.ts) with Curator's connection-state
 * handling (connection.ts): the lock recipe for `permits` 1 (Curator's
 * InterProcessMutex, lock-recipe.ts), the semaphore recipe for more
 * (Curator's InterProcessSemaphoreV2, semaphore-recipe.ts), both on the
 * queue of protected EPHEMERAL_SEQUENTIAL nodes they share (queue.ts).
 *
 * - acquire: the recipe queues until our node holds (the lowest of
 *   `/lock`; a lease among the first `permits` of `/semaphore/leases`).
 *   Requests wait through a lost connection; a session that ends (LOST)
 *   takes our nodes with it and the acquire starts over in a new session.
 *   The token is the holding node's sequence number; the lease is its name.
 * - abandon: deletes our node(s), now or when its create completes (or,
 *   after a lost create reply, whatever carries our guid); `acquire`
 *   returns null at once.
 * - release: one multi — delete our node and create `<releasedPath>/<its
 *   name>` — so the observer can tell a release from a session's end (the
 *   simulated server knows it from the delete's tag; a real delete carries
 *   nothing). Retried after ConnectionLoss: true if it deleted our node,
 *   false if the node was gone or the server said the session expired,
 *   null when an earlier try's fate is unknown or the session was only
 *   declared LOST by the client (Curator, or its own clock): its node may
 *   then live on at the server until the session expires there (the
 *   simulated client says false there, but false claims the service no
 *   longer counts us the owner, which nobody knows yet). The
 *   mark is an addition to Curator's recipes; it changes nothing a
 *   holder or waiter sees (nobody watches that folder).
 * - SUSPENDED with `onSuspended: "stop"`: a holder gives the lock up at
 *   once (deletes its node when it can, no mark) and reports it lost.
 *   LOST: a holder reports it lost, whatever `onSuspended` says.
 * - stillValid: held and connected.
 * Not modelled (as in simulation): re-entrancy, revocation, node data.
 */
import { Rng } from '../../core/rng.ts';
import type { ZooKeeperChildConfig } from '../child-protocol.ts';
import type { LiveGrant, LiveLockClient } from '../live-client.ts';
import { ZkConnection, type SessionEvent } from './connection.ts';
import { SEMAPHORE_LOCKS_PATH } from './deployment.ts';
import { LiveLockRecipe } from './lock-recipe.ts';
import { CANCELLED, Cancellation, deleteQuietly, type LiveRecipe } from './queue.ts';
import { LiveSemaphoreRecipe } from './semaphore-recipe.ts';

interface Held {
  readonly path: string;
  readonly name: string;
  readonly token: number;
  readonly generation: number;
}

/** How long `close` waits for the server to end the session. */
const CLOSE_WAIT_MS = 200;
/** How long `connect` waits for the first session. */
const CONNECT_WAIT_MS = 30_000;

export class ZooKeeperLiveClient implements LiveLockClient {
  private readonly conn: ZkConnection;
  private readonly recipe: LiveRecipe;
  /** The grants' key: `lock`, or `semaphore` (its leases are one pool, not one key each). */
  private readonly key: string;
  private current: Cancellation | null = null;
  private held: Held | null = null;
  private lostListener: (reason: string) => void = () => {};
  /** Waiters to wake on a session event (a watch may never fire once the session is gone). */
  private readonly wakers = new Set<() => void>();

  /**
   * @param seed the run's seed: a first life shuffles its server list with
   *   the draws the simulated client node makes first (`node:<client>`),
   *   so it tries the servers in the simulated run's order (which server a
   *   client sits behind decides scenarios such as a follower cut off with
   *   its clients); a restarted life shuffles with its own stream.
   */
  constructor(
    private readonly client: string,
    private readonly config: ZooKeeperChildConfig,
    permits: number,
    seed: number,
    boot: number,
    rng: Rng,
  ) {
    if (!Number.isInteger(permits) || permits < 1) throw new Error(`zookeeper live client: permits must be ≥ 1, got ${permits}`);
    if (client.includes('-')) throw new Error(`zookeeper live client: client name ${client} must not contain "-"`);
    // StaticHostProvider shuffles the server list once (algorithms/zookeeper/connection.ts, the same loop).
    const ports = config.servers.map((s) => s.port);
    const shuffle = boot === 0 ? new Rng(seed).fork(`node:${client}`) : rng;
    for (let i = ports.length - 1; i > 0; i--) {
      const j = shuffle.int(0, i);
      [ports[i], ports[j]] = [ports[j], ports[i]];
    }
    this.conn = new ZkConnection({
      ports,
      requestedTimeoutMs: config.sessionTimeoutMs,
      reconnectPauseMaxMs: config.reconnectPauseMaxMs,
      curatorLost: true,
      selfExpiry: config.clientSelfExpiry,
      random: () => rng.next(),
      onEvent: (event, reason) => this.onSessionEvent(event, reason),
    });
    const ctx = { client, conn: this.conn, wakers: this.wakers };
    this.recipe = permits === 1 ? new LiveLockRecipe(ctx, config.lockPath, rng) : new LiveSemaphoreRecipe(ctx, SEMAPHORE_LOCKS_PATH, config.lockPath, permits, rng);
    this.key = permits === 1 ? 'lock' : 'semaphore';
  }

  get requests(): number {
    return this.conn.requests;
  }

  async connect(): Promise<void> {
    if (!(await this.conn.waitConnected(CONNECT_WAIT_MS))) throw new Error(`${this.client}: no ZooKeeper session within ${CONNECT_WAIT_MS} ms`);
  }

  onLost(listener: (reason: string) => void): void {
    this.lostListener = listener;
  }

  private onSessionEvent(event: SessionEvent, reason: string): void {
    if (event === 'suspended' && this.held !== null && this.config.onSuspended === 'stop') {
      const held = this.held;
      this.held = null;
      deleteQuietly(this.conn, held.path, held.generation);
      this.lostListener(`suspended: ${reason}`);
      return;
    }
    if (event === 'lost') {
      const wasHeld = this.held !== null;
      this.held = null;
      if (wasHeld) this.lostListener(reason);
      for (const wake of [...this.wakers]) wake();
    }
  }

  async acquire(): Promise<LiveGrant | null> {
    if (this.current !== null) throw new Error(`${this.client}: acquire while another acquire is in progress`);
    if (this.held !== null) throw new Error(`${this.client}: acquire while holding ${this.held.path}`);
    const c = new Cancellation();
    this.current = c;
    try {
      const place = await this.recipe.acquire(c);
      if (place === CANCELLED) return null;
      this.held = place;
      return { token: place.token, lease: place.name, key: this.key };
    } finally {
      if (this.current === c) this.current = null;
    }
  }

  abandon(): void {
    const c = this.current;
    if (c === null) return;
    this.current = null;
    c.cancel();
    this.recipe.abandon();
  }

  stillValid(grant: LiveGrant): boolean {
    return this.held !== null && this.held.name === grant.lease && this.conn.isConnected();
  }

  async release(grant: LiveGrant): Promise<boolean | null> {
    const held = this.held;
    if (held === null || held.name !== grant.lease) return false; // already lost, and the workload was told
    this.held = null;
    let uncertain = false;
    const gone = (): boolean | null => (uncertain ? null : false);
    // The session ended: if the server said so, the node went with it; if only Curator (or our
    // own clock) declared it LOST, the node may live on at the server until it expires the session.
    const ended = (): boolean | null => (this.conn.endedAtServer(held.generation) ? gone() : null);
    for (;;) {
      if (this.conn.generation !== held.generation) return ended();
      const handle = this.conn.handle();
      const r = await handle.deleteAndMark(held.path, `${this.config.releasedPath}/${held.name}`);
      switch (r.code) {
        case 'ok':
          return true;
        case 'ConnectionLoss':
          uncertain = true;
          continue;
        case 'NoNode': {
          // Our node is gone — or the mark's folder is (a server that restarted without its data).
          const exists = await handle.exists(held.path);
          if (exists.code === 'ok' && exists.value !== null) {
            await handle.mkdirp(this.config.releasedPath);
            continue;
          }
          if (exists.code === 'ConnectionLoss') continue;
          return gone();
        }
        case 'SessionExpired':
          return ended();
        case 'NodeExists':
          return gone();
        default:
          throw new Error(`${this.client}: releasing ${held.path} failed with ${r.code}${r.detail === undefined ? '' : `: ${r.detail}`}`);
      }
    }
  }

  async close(): Promise<void> {
    await this.conn.close(CLOSE_WAIT_MS);
  }
}
