/**
 * The live `zookeeper` lock client: node-zookeeper-client against a real
 * ZooKeeper ensemble, running the lock recipe the simulated client runs
 * (algorithms/zookeeper/client.ts, lock-recipe.ts, queue-recipe.ts:
 * Curator's InterProcessMutex) with Curator's connection-state handling
 * (connection.ts).
 *
 * - acquire: create a protected EPHEMERAL_SEQUENTIAL child of `/lock`
 *   (`_c_<guid>-<client>-lock-<seq>`); list the children; the lowest
 *   sequence holds; otherwise set a data watch on the next-lower node
 *   (getData, which sets nothing when that node is gone already: then list
 *   again) and list again when it fires — no herd. A create whose reply
 *   was lost (ConnectionLoss) is found again by its guid, or made again.
 *   Every list deletes this client's stale nodes from earlier attempts and
 *   earlier lives (other guids), as the simulated recipe does. Requests
 *   wait through a lost connection (ZooKeeper has no request timeout by
 *   default); a session that ends (LOST) takes the node with it, and the
 *   acquire starts over in a new session. The token is the node's
 *   sequence number; the lease is its name.
 * - abandon: deletes our node, now or when its create completes (or,
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
 *   mark is an addition to Curator's recipe; it changes nothing a lock
 *   holder or waiter sees (nobody watches that folder).
 * - SUSPENDED with `onSuspended: "stop"`: a holder gives the lock up at
 *   once (deletes its node when it can, no mark) and reports it lost.
 *   LOST: a holder reports it lost, whatever `onSuspended` says.
 * - stillValid: held and connected.
 * Not modelled (as in simulation): re-entrancy, revocation, lock node data.
 */
import { CreateMode } from 'node-zookeeper-client';
import { Rng } from '../../core/rng.ts';
import type { ZooKeeperChildConfig } from '../child-protocol.ts';
import type { LiveGrant, LiveLockClient } from '../live-client.ts';
import { ZkConnection, type SessionEvent } from './connection.ts';
import type { ZkResult } from './handle.ts';
import { bySequence, nameOf, protectedParts, protectedPrefix, sequenceOf } from './names.ts';

const CANCELLED = Symbol('cancelled');

/** One acquire in progress. */
interface Attempt {
  readonly guid: string;
  /** Our node, once known, and the session (generation) it belongs to. */
  path: string | null;
  generation: number;
  cancelled: boolean;
  /** Resolves when the attempt is abandoned. */
  readonly cancel: Promise<typeof CANCELLED>;
  readonly fireCancel: () => void;
}

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
  private current: Attempt | null = null;
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
    private readonly rng: Rng,
  ) {
    if (permits !== 1) throw new Error(`zookeeper live client: the semaphore recipe (permits ${permits}) is not live yet`);
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
      this.deleteQuietly(held.path, held.generation);
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

  /** `p`, or CANCELLED as soon as the attempt is abandoned; `late` gets what `p` brings after that. */
  private async step<T>(a: Attempt, p: Promise<T>, late?: (value: T) => void): Promise<T | typeof CANCELLED> {
    const r = await Promise.race([p, a.cancel]);
    if (r === CANCELLED) {
      if (late !== undefined) void p.then(late);
      return CANCELLED;
    }
    if (a.cancelled && late !== undefined) late(r);
    return a.cancelled ? CANCELLED : r;
  }

  async acquire(): Promise<LiveGrant | null> {
    if (this.current !== null) throw new Error(`${this.client}: acquire while another acquire is in progress`);
    if (this.held !== null) throw new Error(`${this.client}: acquire while holding ${this.held.path}`);
    let fireCancel: () => void = () => {};
    const cancel = new Promise<typeof CANCELLED>((resolve) => (fireCancel = () => resolve(CANCELLED)));
    const a: Attempt = { guid: this.rng.id().replace(/-/g, ''), path: null, generation: 0, cancelled: false, cancel, fireCancel };
    this.current = a;
    try {
      return await this.run(a);
    } finally {
      if (this.current === a) this.current = null;
    }
  }

  private async run(a: Attempt): Promise<LiveGrant | null> {
    for (;;) {
      if (a.cancelled) return null;
      if (a.path !== null && a.generation !== this.conn.generation) a.path = null; // its session ended, and the node with it
      if (a.path === null) {
        if ((await this.create(a)) === CANCELLED) return null;
        continue;
      }
      const mine = a.path;
      const handle = this.conn.handle();
      const listed = await this.step(a, handle.getChildren(this.config.lockPath));
      if (listed === CANCELLED) return null;
      if (listed.code === 'NoNode') a.path = null;
      if (listed.code !== 'ok') continue; // ConnectionLoss: look again (it waits for the reconnect); SessionExpired: start over
      const sorted = bySequence(listed.value.children);
      const ours = nameOf(mine);
      const index = sorted.indexOf(ours);
      if (index < 0) {
        a.path = null; // our node is gone (its session ended): queue again
        continue;
      }
      const stale = sorted.filter((n) => {
        const parts = protectedParts(n);
        return parts !== undefined && parts.owner === this.client && parts.guid !== a.guid;
      });
      for (const n of stale) this.deleteQuietly(`${this.config.lockPath}/${n}`, this.conn.generation);
      if (stale.some((n) => sorted.indexOf(n) < index)) continue; // our own stale node was ahead: look again once it is gone
      if (index === 0) {
        if (a.generation !== this.conn.generation) continue; // the session ended while we looked
        const token = sequenceOf(ours)!;
        this.current = null;
        this.held = { path: mine, name: ours, token, generation: a.generation };
        return { token, lease: ours, key: 'lock' };
      }
      const predecessor = `${this.config.lockPath}/${sorted[index - 1]}`;
      let wake: () => void = () => {};
      const woken = new Promise<void>((resolve) => (wake = resolve));
      this.wakers.add(wake);
      try {
        const watched = await this.step(a, handle.getData(predecessor, () => wake()));
        if (watched === CANCELLED) return null;
        if (watched.code !== 'ok') continue; // NoNode: gone already, look again; ConnectionLoss / SessionExpired: look again
        if ((await this.step(a, woken)) === CANCELLED) return null;
      } finally {
        this.wakers.delete(wake);
      }
    }
  }

  /** Creates our node (or finds it after a lost reply); CANCELLED if abandoned meanwhile. */
  private async create(a: Attempt): Promise<void | typeof CANCELLED> {
    const handle = this.conn.handle();
    const generation = this.conn.generation;
    const prefix = `${this.config.lockPath}/${protectedPrefix(a.guid, this.client)}`;
    const late = (r: ZkResult<string>): void => {
      if (r.code === 'ok') this.deleteQuietly(r.value, generation);
      else if (r.code === 'ConnectionLoss') this.sweepGuid(a.guid, generation);
    };
    const created = await this.step(a, handle.create(prefix, CreateMode.EPHEMERAL_SEQUENTIAL), late);
    if (created === CANCELLED) return CANCELLED;
    switch (created.code) {
      case 'ok':
        a.path = created.value;
        a.generation = generation;
        return;
      case 'NoNode': {
        const made = await this.step(a, handle.mkdirp(this.config.lockPath));
        return made === CANCELLED ? CANCELLED : undefined;
      }
      case 'ConnectionLoss':
        return this.recover(a, generation);
      case 'SessionExpired':
        return; // the next create opens a new session
      default:
        throw new Error(`${this.client}: creating under ${this.config.lockPath} failed with ${created.code}${created.detail === undefined ? '' : `: ${created.detail}`}`);
    }
  }

  /** The create's reply was lost: find our node by its guid, or leave the path unset so it is created again. */
  private async recover(a: Attempt, generation: number): Promise<void | typeof CANCELLED> {
    for (;;) {
      if (this.conn.generation !== generation) return; // that session is gone, and whatever it created
      const listed = await this.step(a, this.conn.handle().getChildren(this.config.lockPath), (r) => {
        if (r.code !== 'SessionExpired') this.sweepGuid(a.guid, generation);
      });
      if (listed === CANCELLED) return CANCELLED;
      if (listed.code === 'ConnectionLoss') continue;
      if (listed.code !== 'ok') return;
      const name = listed.value.children.find((n) => protectedParts(n)?.guid === a.guid);
      if (name !== undefined) {
        a.path = `${this.config.lockPath}/${name}`;
        a.generation = generation;
      }
      return;
    }
  }

  /** Deletes `path` (a plain delete, no mark), retrying after ConnectionLoss; stops once it or its session is gone. */
  private deleteQuietly(path: string, generation: number): void {
    const attempt = (): void => {
      if (this.conn.generation !== generation) return;
      void this.conn
        .handle()
        .remove(path)
        .then((r) => {
          if (r.code === 'ConnectionLoss') attempt();
        });
    };
    attempt();
  }

  /** Deletes every child of the lock node that carries `guid` (a create whose reply was lost). */
  private sweepGuid(guid: string, generation: number): void {
    if (this.conn.generation !== generation) return;
    void this.conn
      .handle()
      .getChildren(this.config.lockPath)
      .then((r) => {
        if (r.code === 'ConnectionLoss') this.sweepGuid(guid, generation);
        if (r.code !== 'ok') return;
        for (const n of r.value.children) if (protectedParts(n)?.guid === guid) this.deleteQuietly(`${this.config.lockPath}/${n}`, generation);
      });
  }

  abandon(): void {
    const a = this.current;
    if (a === null) return;
    this.current = null;
    a.cancelled = true;
    a.fireCancel();
    if (a.path !== null) this.deleteQuietly(a.path, a.generation);
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
