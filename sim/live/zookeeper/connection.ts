/**
 * The live client's connection state, as Curator keeps it above one
 * ZooKeeper handle (handle.ts) at a time — the same states the simulated
 * client reports (algorithms/zookeeper/connection.ts):
 *
 * - CONNECTED / RECONNECTED: the handle is connected (again, within its
 *   session).
 * - SUSPENDED: a connected handle lost its connection (read timeout, the
 *   server closed it); the session may live on.
 * - LOST: the server said Expired on reconnect; or the negotiated session
 *   timeout passed while SUSPENDED (Curator ≥ 3.0's ConnectionStateManager
 *   injects the expiry then, `sessionExpirationPercent` 100, without
 *   waiting to reconnect); or, with `selfExpiry` (ZooKeeper 3.9.3,
 *   ZOOKEEPER-4508), 4/3 of the negotiated timeout after the client last
 *   heard a server. The handle is killed (no closeSession: the server
 *   expires the session itself) and the next request opens a new session
 *   on a new handle; `generation` counts up at each LOST, so whatever an
 *   earlier session made is known not to be ours any more.
 * Times are the client's own (performance.now(), its monotonic clock).
 */
import { ZkHandle } from './handle.ts';

/** Curator's ConnectionState names, as the recipes see them. */
export type SessionEvent = 'connected' | 'suspended' | 'reconnected' | 'lost';

export interface ConnectionOptions {
  /** 127.0.0.1 ports (proxies to s1…sN), in the order to try them. */
  readonly ports: readonly number[];
  readonly requestedTimeoutMs: number;
  readonly reconnectPauseMaxMs: number;
  /** Curator's LOST the session timeout after SUSPENDED (the lock client); the observer waits for the server instead. */
  readonly curatorLost: boolean;
  /** ZooKeeper 3.9.3's client-side expiry. */
  readonly selfExpiry: boolean;
  readonly random: () => number;
  readonly onEvent: (event: SessionEvent, reason: string) => void;
}

export class ZkConnection {
  private current: ZkHandle | null = null;
  /** The number of the current session (or of the next one, between a LOST and the next request); one more after each LOST. */
  generation = 1;
  private suspended = false;
  private lostTimer: NodeJS.Timeout | null = null;
  private selfExpiryTimer: NodeJS.Timeout | null = null;
  private requestsOfDead = 0;
  private closed = false;
  /** Sessions the server said were expired (the others ended on the client's word, or are current). */
  private readonly expiredByServer = new Set<number>();

  constructor(private readonly options: ConnectionOptions) {}

  /** The current handle (a new session, connecting, if the last one was lost). */
  handle(): ZkHandle {
    if (this.closed) throw new Error('zookeeper connection closed');
    if (this.current !== null) return this.current;
    const generation = this.generation;
    const handle: ZkHandle = new ZkHandle({
      ports: this.options.ports,
      requestedTimeoutMs: this.options.requestedTimeoutMs,
      reconnectPauseMaxMs: this.options.reconnectPauseMaxMs,
      random: this.options.random,
      onState: (state, reason) => {
        if (this.current === handle && this.generation === generation) this.onState(handle, state, reason);
      },
    });
    this.current = handle;
    this.suspended = false;
    handle.connect();
    return handle;
  }

  /** Connected now (not SUSPENDED, not between sessions). */
  isConnected(): boolean {
    return this.current?.isConnected() ?? false;
  }

  /** Resolves once the current handle is connected (or after `timeoutMs`). */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    this.handle();
    while (!this.isConnected()) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return true;
  }

  /**
   * Whether session `generation` is known to be gone at the server (it said
   * Expired); a session Curator or the client's own clock declared LOST may
   * still be alive there, with its nodes, until the server expires it.
   */
  endedAtServer(generation: number): boolean {
    return this.expiredByServer.has(generation);
  }

  /** Requests sent over every handle so far. */
  get requests(): number {
    return this.requestsOfDead + (this.current?.requests ?? 0);
  }

  private onState(handle: ZkHandle, state: 'connected' | 'disconnected' | 'expired', reason: string): void {
    switch (state) {
      case 'connected': {
        this.cancelTimers();
        const wasSuspended = this.suspended;
        this.suspended = false;
        this.options.onEvent(wasSuspended ? 'reconnected' : 'connected', reason);
        return;
      }
      case 'disconnected': {
        if (this.suspended) return;
        this.suspended = true;
        const timeoutMs = handle.sessionTimeoutMs;
        if (this.options.curatorLost) {
          this.lostTimer = setTimeout(() => {
            this.lostTimer = null;
            if (this.current === handle && this.suspended) this.lose(`session timeout (${timeoutMs} ms) elapsed while SUSPENDED: Curator injects the expiration (LOST)`);
          }, timeoutMs);
        }
        if (this.options.selfExpiry) {
          const dueMs = handle.lastHeard + Math.floor((4 * timeoutMs) / 3);
          this.selfExpiryTimer = setTimeout(() => {
            this.selfExpiryTimer = null;
            if (this.current === handle && this.suspended) this.lose(`session expired by the client's own clock (4/3 of ${timeoutMs} ms without a server)`);
          }, Math.max(0, dueMs - performance.now()));
        }
        this.options.onEvent('suspended', reason);
        return;
      }
      case 'expired':
        this.expiredByServer.add(this.generation);
        this.lose(reason);
        return;
    }
  }

  /** LOST: the handle goes (owed requests fail with SessionExpired), the next request opens a new session. */
  private lose(reason: string): void {
    const handle = this.current;
    if (handle === null) return;
    this.cancelTimers();
    this.current = null;
    this.generation++; // whatever the old session made is no longer ours
    this.suspended = false;
    this.requestsOfDead += handle.requests;
    handle.kill();
    this.options.onEvent('lost', reason);
  }

  private cancelTimers(): void {
    if (this.lostTimer !== null) clearTimeout(this.lostTimer);
    if (this.selfExpiryTimer !== null) clearTimeout(this.selfExpiryTimer);
    this.lostTimer = null;
    this.selfExpiryTimer = null;
  }

  /** Closes the session (closeSession when connected), waiting up to `waitMs`. */
  async close(waitMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimers();
    const handle = this.current;
    this.current = null;
    if (handle !== null) {
      this.requestsOfDead += handle.requests;
      await handle.close(waitMs);
    }
  }
}
