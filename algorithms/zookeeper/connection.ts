/**
 * The ZooKeeper client handle: one session, kept alive over a connection
 * to one server at a time (ZooKeeper's ClientCnxn state machine, with
 * Curator's names for the states a recipe sees).
 *
 * Models: connecting to the servers in a shuffled round-robin with a
 * connect timeout of timeout/servers and a random pause of up to 1 s
 * between attempts; each connection a TCP stream (channel.ts: a lost
 * packet is retransmitted, it does not break the connection); `zk.connect`
 * with the session id, the last zxid seen and the watches to re-register;
 * pings every timeout/3; Disconnected (Curator: SUSPENDED) after 2/3 of the
 * timeout without hearing from the server, or when the server closes the
 * connection (a follower that lost its leader closes all its clients'
 * connections at once), or when TCP gives up; then reconnecting to another
 * server within the session (RECONNECTED). No request timeout:
 * `zookeeper.request.timeout` is off by default, so a request waits as long
 * as the connection lives. Requests made while disconnected wait and go
 * out after the reconnect; requests in flight on a lost connection fail
 * with ConnectionLoss (they may or may not have been applied).
 * The session ends for the client (LOST): when a server says it expired
 * on reconnect; when the negotiated session timeout has passed while
 * SUSPENDED (Curator ≥ 3.0's ConnectionStateManager injects the expiry then,
 * `sessionExpirationPercent` 100, without waiting for a reconnect; metric
 * `curatorLost`); or, with `selfExpiry` (ZooKeeper 3.9.3, ZOOKEEPER-4508),
 * after 4/3 of the timeout without hearing from any server (metric
 * `clientSelfExpiries`). Then every request fails with SessionExpired,
 * watches are dropped, and the next request opens a new session (as
 * Curator does). Watches are one-shot, registered on a successful reply and
 * re-sent with every reconnect; each notification received is counted in
 * the metric `watchNotifications`. Not modelled: authentication, chroot,
 * read-only mode, `sync`, several handles per node.
 */
import type { Message, NodeApi, TimerId } from '../api/index.ts';
import { US_PER_S, type Micros } from '../api/index.ts';
import { TcpChannel } from './channel.ts';
import { isServerMessage, type ClientBody, type ServerMessage, type ZkOp } from './protocol.ts';
import type { ZkResult } from './tree.ts';
import type { WatchSet } from './watches.ts';

/** What the recipes are told (Curator's ConnectionState names). */
export type SessionEvent = 'connected' | 'suspended' | 'reconnected' | 'lost';

/** A watch callback: the node was created or deleted, or its children changed. */
export type Watcher = (event: 'created' | 'deleted' | 'children', path: string) => void;

/** ZooKeeper's client waits a random time up to this long before each reconnect attempt. */
export const RECONNECT_PAUSE_MAX_US = 1 * US_PER_S;

/** How a client handle is set up. */
export interface ConnectionOptions {
  readonly servers: readonly string[];
  /** The session timeout to ask for (the server negotiates it). */
  readonly requestedTimeoutUs: Micros;
  /** ZooKeeper 3.9.3: expire the session ourselves after 4/3 of the timeout without a server. */
  readonly selfExpiry: boolean;
  readonly onEvent: (event: SessionEvent, reason: string) => void;
}

interface Waiting {
  readonly req: ZkOp;
  readonly cb: (result: ZkResult) => void;
  readonly watcher: Watcher | null;
}

interface Conn {
  readonly id: string;
  readonly server: string;
  readonly channel: TcpChannel<ServerMessage>;
  established: boolean;
  connectTimer: TimerId | null;
}

/** A ZooKeeper client handle on one client node; see the module header. */
export class ZkConnection {
  private readonly api: NodeApi;
  private readonly options: ConnectionOptions;
  private readonly hosts: string[];
  /** Names this incarnation's connections (`<client>.<tag>.<n>`), so a restarted client never reuses an id. */
  private readonly connPrefix: string;
  private nextHost = 0;
  private connCount = 0;
  private xid = 0;

  /** The session id, once a server established one; null before and after expiry. */
  session: string | null = null;
  /** The negotiated timeout (the requested one until a server answered). */
  timeoutUs: Micros;
  lastZxid = 0;
  private lastHeardUs = 0;
  private conn: Conn | null = null;
  private connected = false;
  /** Had a session and lost the connection (Curator: SUSPENDED), not yet reconnected or expired. */
  private suspended = false;

  private readonly pending = new Map<number, Waiting>();
  private waiting: Waiting[] = [];
  private readonly dataWatchers = new Map<string, Watcher[]>();
  private readonly existWatchers = new Map<string, Watcher[]>();
  private readonly childWatchers = new Map<string, Watcher[]>();

  private pingTimer: TimerId | null = null;
  private healthTimer: TimerId | null = null;
  private reconnectTimer: TimerId | null = null;
  private selfExpiryTimer: TimerId | null = null;
  private curatorLostTimer: TimerId | null = null;

  constructor(api: NodeApi, options: ConnectionOptions) {
    if (options.servers.length === 0) throw new Error('zookeeper client: no servers');
    if (!(options.requestedTimeoutUs > 0)) throw new Error(`zookeeper client: bad session timeout ${options.requestedTimeoutUs}`);
    this.api = api;
    this.options = options;
    this.timeoutUs = options.requestedTimeoutUs;
    // StaticHostProvider: the server list shuffled once, then tried in turn.
    this.hosts = [...options.servers];
    for (let i = this.hosts.length - 1; i > 0; i--) {
      const j = api.rng.int(0, i);
      [this.hosts[i], this.hosts[j]] = [this.hosts[j], this.hosts[i]];
    }
    this.connPrefix = `${api.id}.${api.rng.id()}`;
  }

  // ---- API for recipes ----------------------------------------------------------

  /** Sends `req` (now if connected, else after the next connect); `cb` gets the result or ConnectionLoss / SessionExpired. */
  request(req: ZkOp, cb: (result: ZkResult) => void, watcher: Watcher | null = null): void {
    if (this.connected) this.sendRequest({ req, cb, watcher });
    else {
      this.waiting.push({ req, cb, watcher });
      this.ensureConnecting();
    }
  }

  /** Connected now (not Disconnected): the only state in which a holder can trust its lock. */
  isConnected(): boolean {
    return this.connected;
  }

  /** Routes a server message; false for messages that are not the client protocol's. */
  handle(_from: string, msg: Message): boolean {
    if (!isServerMessage(msg)) return false;
    const c = this.conn;
    if (c === null || msg.conn !== c.id) return true; // a stale connection's message
    if (msg.type === 'zk.closed') {
      this.connectionLost(`server ${c.server} closed the connection: ${msg.reason}`);
      return true;
    }
    c.channel.receive(msg);
    return true;
  }

  // ---- connecting -------------------------------------------------------------

  private ensureConnecting(): void {
    if (this.conn === null && this.reconnectTimer === null) this.connectNext();
  }

  private connectNext(): void {
    if (this.conn !== null) throw new Error(`${this.api.id}: connecting while a connection exists`);
    const server = this.hosts[this.nextHost++ % this.hosts.length];
    const id = `${this.connPrefix}.${++this.connCount}`;
    const c: Conn = {
      id,
      server,
      channel: new TcpChannel<ServerMessage>(this.api, server, id, (m) => this.onInOrder(c, m), (why) => this.connectionLost(`TCP gave up: ${why}`)),
      established: false,
      connectTimer: null,
    };
    this.conn = c;
    const watches: WatchSet = { data: [...this.dataWatchers.keys()], exist: [...this.existWatchers.keys()], child: [...this.childWatchers.keys()] };
    this.send(c, { type: 'zk.connect', session: this.session, timeoutUs: this.options.requestedTimeoutUs, lastZxid: this.lastZxid, watches });
    const connectTimeoutUs = Math.max(1, Math.floor(this.timeoutUs / this.hosts.length));
    c.connectTimer = this.api.setTimer(connectTimeoutUs, () => {
      c.connectTimer = null;
      if (this.conn === c && !c.established) this.connectionLost(`no answer from ${server} within the connect timeout`);
    }, 'connect timeout');
  }

  private send(c: Conn, body: ClientBody): void {
    c.channel.send(body);
  }

  private onInOrder(c: Conn, m: ServerMessage): void {
    if (this.conn !== c) return;
    this.lastHeardUs = this.api.monotonic();
    if ('zxid' in m) this.lastZxid = Math.max(this.lastZxid, m.zxid);
    switch (m.type) {
      case 'zk.connected':
        this.onConnected(c, m.session, m.timeoutUs);
        return;
      case 'zk.expired':
        this.sessionExpired(`session expired (told by ${c.server} on reconnect)`);
        return;
      case 'zk.pong':
        return;
      case 'zk.reply': {
        const p = this.pending.get(m.xid);
        if (p === undefined) return;
        this.pending.delete(m.xid);
        if (p.watcher !== null) this.register(p.req, m.result, p.watcher);
        p.cb(m.result);
        return;
      }
      case 'zk.watch':
        this.deliverWatch(m.event, m.path);
        return;
      case 'zk.closed':
        return; // handled out of band
    }
  }

  private onConnected(c: Conn, session: string, timeoutUs: Micros): void {
    if (c.established) return;
    if (this.session !== null && session !== this.session) throw new Error(`${this.api.id}: reconnected into another session`);
    c.established = true;
    if (c.connectTimer !== null) this.api.cancelTimer(c.connectTimer);
    c.connectTimer = null;
    const isNew = this.session === null;
    this.session = session;
    this.timeoutUs = timeoutUs;
    this.connected = true;
    this.cancel('selfExpiryTimer');
    this.cancel('curatorLostTimer');
    this.armPing();
    this.armHealth();
    const wasSuspended = this.suspended;
    this.suspended = false;
    this.api.note(`zk client: ${isNew ? 'session opened' : 'reconnected'} ${session} via ${c.server} (timeout ${timeoutUs / US_PER_S}s)`);
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) this.sendRequest(w);
    this.options.onEvent(isNew ? 'connected' : wasSuspended ? 'reconnected' : 'connected', `connected to ${c.server}`);
  }

  private sendRequest(w: Waiting): void {
    const c = this.conn;
    if (c === null || !this.connected) throw new Error(`${this.api.id}: sending a request while not connected`);
    const xid = ++this.xid;
    this.pending.set(xid, w);
    this.send(c, { type: 'zk.request', xid, req: w.req });
  }

  // ---- keeping the connection -------------------------------------------------

  private armPing(): void {
    this.pingTimer = this.api.setTimer(Math.max(1, Math.floor(this.timeoutUs / 3)), () => {
      this.pingTimer = null;
      const c = this.conn;
      if (!this.connected || c === null) return;
      this.send(c, { type: 'zk.ping' });
      this.armPing();
    }, 'ping');
  }

  /** The read timeout, lazily re-armed: Disconnected after 2/3 T without hearing anything from the server. */
  private armHealth(): void {
    this.cancel('healthTimer');
    const deadlineUs = this.lastHeardUs + this.readTimeoutUs();
    this.healthTimer = this.api.setTimer(Math.max(1, deadlineUs - this.api.monotonic()), () => {
      this.healthTimer = null;
      if (!this.connected) return;
      const nowUs = this.api.monotonic();
      if (nowUs >= this.lastHeardUs + this.readTimeoutUs()) {
        this.connectionLost(`nothing heard from the server for ${(nowUs - this.lastHeardUs) / US_PER_S}s (read timeout)`);
        return;
      }
      this.armHealth();
    }, 'health');
  }

  private readTimeoutUs(): Micros {
    return Math.floor((2 * this.timeoutUs) / 3);
  }

  /** The connection is gone: fail what was in flight, tell the recipe once (SUSPENDED), try the next server. */
  private connectionLost(reason: string): void {
    const c = this.conn;
    if (c === null) return;
    c.channel.close();
    if (c.connectTimer !== null) this.api.cancelTimer(c.connectTimer);
    this.conn = null;
    const wasConnected = this.connected;
    this.connected = false;
    this.cancel('pingTimer');
    this.cancel('healthTimer');
    const suspend = this.session !== null && wasConnected && !this.suspended;
    if (suspend) {
      this.suspended = true;
      this.api.emit({ kind: 'metric', name: 'disconnects' });
      this.api.note(`zk client: disconnected from ${c.server}: ${reason}`);
      this.armSelfExpiry();
      this.armCuratorLost();
    }
    this.reconnectTimer = this.api.setTimer(this.api.rng.int(0, RECONNECT_PAUSE_MAX_US), () => {
      this.reconnectTimer = null;
      if (this.conn === null && (this.session !== null || this.waiting.length > 0)) this.connectNext();
    }, 'reconnect');
    const failed = [...this.pending.values()];
    this.pending.clear();
    for (const p of failed) p.cb({ code: 'ConnectionLoss' });
    if (suspend) this.options.onEvent('suspended', reason);
  }

  private armSelfExpiry(): void {
    if (!this.options.selfExpiry) return;
    const deadlineUs = this.lastHeardUs + Math.floor((4 * this.timeoutUs) / 3);
    this.selfExpiryTimer = this.api.setTimer(Math.max(1, deadlineUs - this.api.monotonic()), () => {
      this.selfExpiryTimer = null;
      if (this.connected || this.session === null) return;
      this.api.emit({ kind: 'metric', name: 'clientSelfExpiries' });
      this.sessionExpired('session expired by the client\'s own clock (4/3 of the timeout without a server)');
    }, 'self-expiry');
  }

  /**
   * Curator ≥ 3.0 (ConnectionStateManager.checkSessionExpiration): once the
   * negotiated session timeout has passed while SUSPENDED, it injects a
   * session expiration into the ZooKeeper handle — LOST — without waiting
   * to hear from a server.
   */
  private armCuratorLost(): void {
    this.cancel('curatorLostTimer');
    this.curatorLostTimer = this.api.setTimer(Math.max(1, this.timeoutUs), () => {
      this.curatorLostTimer = null;
      if (this.connected || !this.suspended || this.session === null) return;
      this.api.emit({ kind: 'metric', name: 'curatorLost' });
      this.sessionExpired(`session timeout (${this.timeoutUs / US_PER_S}s) elapsed while SUSPENDED: Curator injects the expiration (LOST)`);
    }, 'curator lost');
  }

  /** The session is gone: fail everything, drop watches, start over with a new session on the next request. */
  private sessionExpired(reason: string): void {
    const c = this.conn;
    if (c !== null) {
      c.channel.close();
      if (c.connectTimer !== null) this.api.cancelTimer(c.connectTimer);
    }
    this.conn = null;
    this.connected = false;
    this.suspended = false;
    this.session = null;
    // Curator builds a new ZooKeeper handle after Expired (ConnectionState.reset), whose
    // lastZxid starts at 0: a new session does not carry the old one's view, so an
    // ensemble that lost its data (a crash with nothing durable) still takes it.
    this.lastZxid = 0;
    this.timeoutUs = this.options.requestedTimeoutUs;
    for (const timer of ['pingTimer', 'healthTimer', 'reconnectTimer', 'selfExpiryTimer', 'curatorLostTimer'] as const) this.cancel(timer);
    this.dataWatchers.clear();
    this.existWatchers.clear();
    this.childWatchers.clear();
    this.api.note(`zk client: ${reason}`);
    const failed: Waiting[] = [...this.pending.values(), ...this.waiting];
    this.pending.clear();
    this.waiting = [];
    for (const f of failed) f.cb({ code: 'SessionExpired' });
    this.options.onEvent('lost', reason);
  }

  private cancel(timer: 'pingTimer' | 'healthTimer' | 'reconnectTimer' | 'selfExpiryTimer' | 'curatorLostTimer'): void {
    const id = this[timer];
    if (id !== null) this.api.cancelTimer(id);
    this[timer] = null;
  }

  // ---- watches ----------------------------------------------------------------

  /** Registers a watcher the way ZooKeeper's client does: only when the request succeeded. */
  private register(req: ZkOp, result: ZkResult, watcher: Watcher): void {
    if (result.code !== 'ok') return;
    if (req.op === 'getChildren') push(this.childWatchers, req.path, watcher);
    else if (req.op === 'getData') push(this.dataWatchers, req.path, watcher);
    else if (req.op === 'exists') push(result.exists === true ? this.dataWatchers : this.existWatchers, req.path, watcher);
  }

  private deliverWatch(event: 'created' | 'deleted' | 'children', path: string): void {
    this.api.emit({ kind: 'metric', name: 'watchNotifications' });
    const fns: Watcher[] = [];
    const take = (table: Map<string, Watcher[]>): void => {
      fns.push(...(table.get(path) ?? []));
      table.delete(path);
    };
    if (event === 'created' || event === 'deleted') {
      take(this.dataWatchers);
      take(this.existWatchers);
    }
    if (event === 'deleted' || event === 'children') take(this.childWatchers);
    for (const fn of fns) fn(event, path);
  }
}

function push(table: Map<string, Watcher[]>, path: string, watcher: Watcher): void {
  const list = table.get(path);
  if (list === undefined) table.set(path, [watcher]);
  else list.push(watcher);
}
