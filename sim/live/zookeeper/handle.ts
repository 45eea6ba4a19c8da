/**
 * One ZooKeeper session through node-zookeeper-client (the pure-JavaScript
 * client), timed like ZooKeeper's own Java client (ClientCnxn), which is
 * what the simulated client (algorithms/zookeeper/connection.ts) models:
 *
 * - read timeout: Disconnected after 2/3 of the negotiated timeout without
 *   a byte from the server. node-zookeeper-client has none (it only pings
 *   on an idle socket), so a stalled link would leave it Connected forever;
 *   a watchdog here closes the socket at that deadline, and the library
 *   then reconnects as ClientCnxn does.
 * - connect timeout: the negotiated (before that, the requested) timeout ÷
 *   the number of servers for the handshake, counted from the TCP connect;
 *   the library times only the TCP connect, which a proxy accepts at once.
 * - reconnect pause: a random wait of up to `reconnectPauseMaxMs` (1 s in
 *   ZooKeeper, scaled) before every reconnect, instead of the library's
 *   wait after a full round of servers only.
 * - the server list in the order given (the caller shuffles it with its
 *   seed, as StaticHostProvider shuffles), not the library's own shuffle.
 * These hooks reach into the library's ConnectionManager (its `socket`,
 * `state`, `servers` and three methods, patched on the instance): the
 * price of a pure-JavaScript client with no read timeout.
 *
 * Requests return `{ code: 'ok', value }` or `{ code }` (ConnectionLoss,
 * SessionExpired, NoNode, NodeExists, …); they never reject, and every one
 * settles: a handle that is killed or expires fails what it still owes
 * with SessionExpired (the library forgets requests queued while
 * disconnected when its session ends). Requests made while disconnected
 * wait and go out after the reconnect; those in flight on a lost
 * connection fail with ConnectionLoss (they may or may not have happened).
 * A killed or expired handle never connects again.
 * Not modelled: read-only mode, authentication, chroot.
 */
import { createClient, CreateMode, Exception, type Client, type Event as ZkEvent, type Stat } from 'node-zookeeper-client';
import type { Socket } from 'node:net';

/** What a request came to. */
export type ZkCode = 'ok' | 'ConnectionLoss' | 'SessionExpired' | 'NoNode' | 'NodeExists' | 'NotEmpty' | 'BadVersion' | 'Other';
export type ZkResult<T> = { readonly code: 'ok'; readonly value: T } | { readonly code: Exclude<ZkCode, 'ok'>; readonly detail?: string };

/** What the handle tells its owner. */
export type HandleState = 'connected' | 'disconnected' | 'expired';

export interface HandleOptions {
  /** 127.0.0.1 ports, in the order to try them. */
  readonly ports: readonly number[];
  readonly requestedTimeoutMs: number;
  /** ZooKeeper waits a random time up to this before each reconnect (1 s, scaled). */
  readonly reconnectPauseMaxMs: number;
  /** Random draws in [0, 1) for the reconnect pause. */
  readonly random: () => number;
  readonly onState: (state: HandleState, reason: string) => void;
}

/** node-zookeeper-client's ConnectionManager, as far as the hooks reach into it. */
interface Internals {
  state: number;
  socket?: Socket;
  servers: Array<{ host: string; port: number }>;
  connectTimeout: number;
  sessionTimeout: number;
  onSocketData(buffer: Buffer): void;
  onSocketConnected(): void;
  findNextServer(callback: (server: { host: string; port: number }) => void): void;
}

/** ConnectionManager.STATES. */
const CONNECTING = 1;
const CONNECTED = 2;
const SESSION_EXPIRED = -3;

const CODES = new Map<number, Exclude<ZkCode, 'ok'>>([
  [Exception.CONNECTION_LOSS, 'ConnectionLoss'],
  [Exception.SESSION_EXPIRED, 'SessionExpired'],
  [Exception.NO_NODE, 'NoNode'],
  [Exception.NODE_EXISTS, 'NodeExists'],
  [Exception.NOT_EMPTY, 'NotEmpty'],
  [Exception.BAD_VERSION, 'BadVersion'],
]);

function failure(error: unknown): { readonly code: Exclude<ZkCode, 'ok'>; readonly detail?: string } {
  const code = (error as { code?: unknown }).code;
  const known = typeof code === 'number' ? CODES.get(code) : undefined;
  return known === undefined ? { code: 'Other', detail: String(error) } : { code: known };
}

type Callback<T> = (error: Error | Exception | null, value: T) => void;

/** A watch fired: the event's type name (NODE_DELETED, NODE_CHILDREN_CHANGED, …) and path. */
export type WatchListener = (event: { readonly type: string; readonly path: string }) => void;

export class ZkHandle {
  private readonly client: Client;
  private readonly cm: Internals;
  /** performance.now() when the server last sent a byte (or the current attempt began). */
  private lastHeardMs = performance.now();
  /** When the current connection attempt's TCP connect completed (the handshake's clock starts). */
  private attemptMs: number | null = null;
  private attemptSocket: Socket | null = null;
  private readonly owed = new Set<(code: 'SessionExpired') => void>();
  private watchdog: NodeJS.Timeout | null = null;
  private dead = false;
  private everConnected = false;
  private connected = false;
  /** Why the watchdog closed the socket (for the disconnected event). */
  private closing: string | null = null;
  /** Requests sent through this handle. */
  requests = 0;

  constructor(private readonly options: HandleOptions) {
    if (options.ports.length === 0) throw new Error('zookeeper handle: no servers');
    this.client = createClient(options.ports.map((p) => `127.0.0.1:${p}`).join(','), { sessionTimeout: options.requestedTimeoutMs, spinDelay: 0, retries: 0 });
    this.cm = (this.client as unknown as { connectionManager: Internals }).connectionManager;
    this.cm.servers = options.ports.map((port) => ({ host: '127.0.0.1', port }));
    this.hook();
    this.client.on('state', (state) => this.onState(state.name));
  }

  private hook(): void {
    const cm = this.cm;
    const onData = cm.onSocketData.bind(cm);
    cm.onSocketData = (buffer: Buffer) => {
      if (buffer.length > 0) this.lastHeardMs = performance.now();
      onData(buffer);
    };
    const onConnected = cm.onSocketConnected.bind(cm);
    cm.onSocketConnected = () => {
      if (this.dead) {
        cm.socket?.destroy();
        return;
      }
      this.attemptMs = performance.now();
      this.attemptSocket = cm.socket ?? null;
      onConnected();
    };
    const findNext = cm.findNextServer.bind(cm);
    let first = true;
    cm.findNextServer = (callback) => {
      const go = (): void => {
        if (!this.dead) findNext(callback);
      };
      if (first) {
        first = false;
        go();
      } else setTimeout(go, this.options.random() * this.options.reconnectPauseMaxMs);
    };
  }

  /** Starts connecting. */
  connect(): void {
    this.client.connect();
    this.arm(0);
  }

  /** Connected now. */
  isConnected(): boolean {
    return this.connected;
  }

  /** Killed or expired: it will never connect again. */
  isDead(): boolean {
    return this.dead;
  }

  /** The negotiated timeout once connected (the requested one before). */
  get sessionTimeoutMs(): number {
    return this.cm.sessionTimeout;
  }

  /** When a byte last came from a server (performance.now()). */
  get lastHeard(): number {
    return this.lastHeardMs;
  }

  /** The port of the server (or proxy) it is connected to, if any. */
  port(): number | undefined {
    return this.connected ? this.cm.socket?.remotePort : undefined;
  }

  private onState(name: string): void {
    if (this.dead) return;
    switch (name) {
      case 'SYNC_CONNECTED': {
        this.connected = true;
        this.closing = null;
        this.lastHeardMs = performance.now();
        const again = this.everConnected;
        this.everConnected = true;
        this.options.onState('connected', again ? 'reconnected' : 'session opened');
        return;
      }
      case 'DISCONNECTED': {
        if (!this.connected) return;
        this.connected = false;
        const reason = this.closing ?? 'the server closed the connection';
        this.closing = null;
        this.options.onState('disconnected', reason);
        return;
      }
      case 'EXPIRED':
        this.connected = false;
        this.die();
        this.options.onState('expired', 'session expired (told by the server on reconnect)');
        return;
      default:
        return;
    }
  }

  /** The watchdog: the read timeout while connected, the connect timeout while handshaking. */
  private arm(delayMs: number): void {
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.check(), Math.max(0, delayMs));
  }

  private deadline(): { atMs: number; why: string } | null {
    const cm = this.cm;
    if (cm.state === CONNECTED) {
      const readTimeoutMs = Math.floor((2 * cm.sessionTimeout) / 3);
      return { atMs: this.lastHeardMs + readTimeoutMs, why: `nothing heard from the server for ${readTimeoutMs} ms (read timeout, 2/3 of the session timeout)` };
    }
    if (cm.state === CONNECTING && this.attemptMs !== null && cm.socket !== undefined && cm.socket === this.attemptSocket && !cm.socket.destroyed) {
      return { atMs: Math.max(this.attemptMs, this.lastHeardMs) + cm.connectTimeout, why: `no answer to the handshake within ${cm.connectTimeout} ms (connect timeout)` };
    }
    return null;
  }

  private check(): void {
    this.watchdog = null;
    if (this.dead) return;
    const now = performance.now();
    const due = this.deadline();
    if (due !== null && now >= due.atMs) {
      this.closing = due.why;
      this.attemptMs = null;
      this.attemptSocket = null;
      this.cm.socket?.destroy(); // the library sees the close and reconnects
      this.arm(1);
      return;
    }
    // Between attempts there is no deadline: look again soon (a connect timeout is at least this fine).
    this.arm(due === null ? Math.max(1, Math.min(10, this.cm.connectTimeout / 4)) : due.atMs - now);
  }

  private die(): void {
    this.dead = true;
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = null;
    const owed = [...this.owed];
    this.owed.clear();
    for (const fail of owed) fail('SessionExpired');
  }

  /**
   * Ends the handle without a word to the server, as Curator's injected
   * expiry does (ZooKeeper.Testable.injectSessionExpiration sends no
   * closeSession): owed requests fail with SessionExpired, the socket goes,
   * and the library, put in its SESSION_EXPIRED state, neither reconnects
   * nor sends anything more.
   */
  kill(): void {
    if (this.dead) return;
    this.connected = false;
    this.die();
    this.cm.state = SESSION_EXPIRED;
    this.cm.socket?.destroy();
  }

  /** Closes the session (closeSession, when connected) and waits up to `waitMs` for the server to close the socket; otherwise as `kill`. */
  async close(waitMs: number): Promise<void> {
    if (this.dead) return;
    const socket = this.cm.socket;
    if (!this.connected || socket === undefined || socket.destroyed) {
      this.kill();
      return;
    }
    this.connected = false;
    this.die();
    this.client.close(); // CLOSING: closeSession goes out; the library will not reconnect
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      socket.once('close', done);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
    this.cm.socket?.destroy();
  }

  /** Runs one library call; settles exactly once. */
  private call<T>(start: (callback: Callback<T>) => void): Promise<ZkResult<T>> {
    if (this.dead) return Promise.resolve({ code: 'SessionExpired' });
    this.requests++;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: ZkResult<T>): void => {
        if (settled) return;
        settled = true;
        this.owed.delete(fail);
        resolve(result);
      };
      const fail = (code: 'SessionExpired'): void => settle({ code });
      this.owed.add(fail);
      try {
        start((error, value) => settle(error === null || error === undefined ? { code: 'ok', value } : failure(error)));
      } catch (error) {
        settle({ code: 'Other', detail: String(error) });
      }
    });
  }

  private static watcher(listener: WatchListener | undefined): ((event: ZkEvent) => void) | undefined {
    return listener === undefined ? undefined : (event) => listener({ type: event.getName(), path: event.getPath() });
  }

  /** Creates `path` (`mode`: CreateMode's); the value is the created path (with its sequence number when sequential). */
  create(path: string, mode: number): Promise<ZkResult<string>> {
    return this.call<string>((cb) => this.client.create(path, mode, cb));
  }

  /** Creates `path` and every missing parent as persistent nodes. */
  mkdirp(path: string): Promise<ZkResult<string>> {
    return this.call<string>((cb) => this.client.mkdirp(path, CreateMode.PERSISTENT, cb));
  }

  remove(path: string): Promise<ZkResult<null>> {
    return this.call<null>((cb) => this.client.remove(path, (error) => cb(error, null)));
  }

  /** The children and the parent's stat; `watch` fires once when they change. */
  getChildren(path: string, watch?: WatchListener): Promise<ZkResult<{ readonly children: string[]; readonly stat: Stat }>> {
    const watcher = ZkHandle.watcher(watch);
    return this.call((cb) => {
      const done = (error: Error | Exception | null, children: string[], stat: Stat): void => cb(error, { children, stat });
      if (watcher === undefined) this.client.getChildren(path, done);
      else this.client.getChildren(path, watcher, done);
    });
  }

  /** The node's stat; `watch` (set only when the node exists, like getData's) fires once when it changes or goes. */
  getData(path: string, watch?: WatchListener): Promise<ZkResult<Stat>> {
    const watcher = ZkHandle.watcher(watch);
    return this.call<Stat>((cb) => {
      const done = (error: Error | Exception | null, _data: Buffer, stat: Stat): void => cb(error, stat);
      if (watcher === undefined) this.client.getData(path, done);
      else this.client.getData(path, watcher, done);
    });
  }

  /** Whether `path` exists (value null when not). */
  exists(path: string): Promise<ZkResult<Stat | null>> {
    return this.call<Stat | null>((cb) => this.client.exists(path, (error, stat) => cb(error, stat ?? null)));
  }

  /** One multi: delete `path` and create the persistent node `marker`, atomically. */
  deleteAndMark(path: string, marker: string): Promise<ZkResult<null>> {
    return this.call<null>((cb) =>
      this.client
        .transaction()
        .remove(path)
        .create(marker, CreateMode.PERSISTENT)
        .commit((error) => cb(error, null)),
    );
  }
}
