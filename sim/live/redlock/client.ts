/**
 * The live `redlock` client: the real node-redlock (npm `redlock` 4.2.0,
 * the latest release; 5.0 is still a beta) over one ioredis connection per
 * instance, each through this client's proxy to it.
 *
 * What node-redlock does, unchanged: per attempt it reads `Date.now()`,
 * runs its lock script (EXISTS on the keys, else SET key value PX ttl) on
 * every instance, waits for every answer (an error or timeout is a no
 * vote), and holds iff votes ≥ ⌊N/2⌋+1 and expiration = start + ttl −
 * (round(ttl·driftFactor) + 2 ms) is still ahead of `Date.now()`; otherwise
 * it runs its unlock script (GET = value → DEL) on every instance. Release
 * is the same unlock, resolved when a quorum deleted the key.
 *
 * What the live client adds, and why:
 * - ioredis `commandTimeout` = requestTimeout on each connection (set once
 *   connected, see `connect`): node-redlock
 *   4 has no per-instance timeout, and a partitioned instance (a stalled
 *   proxy) would hold an attempt forever. Other ioredis settings as the
 *   `redis` live client's: no offline queue, no resend after a reconnect,
 *   reconnect every 50 ms.
 * - One `lock()` per attempt (`retryCount: 0`), and the wait between
 *   attempts here with node-redlock's formula (retryDelay ± retryJitter),
 *   because a `lock()` that retries cannot be stopped and the workload
 *   abandons an acquire at its acquireTimeout. A lock granted after the
 *   acquire was abandoned is unlocked at once and never reported.
 * - The lock value `<client>:<boot>:<n>:<random>` (node-redlock's
 *   `_random`, replaced on this instance): unique per attempt as the
 *   library's, and naming the client for the observer (scripts.ts).
 * - The lock script announces grants to the observer (scripts.ts), through
 *   node-redlock's `lockScript` option.
 * Release result: true when node-redlock resolved (a quorum deleted the
 * key); false when it rejected and every instance answered (a quorum held no
 * such key); null when it rejected and some instance failed or timed out.
 * `stillValid()` is node-redlock's own `lock.expiration > Date.now()`.
 * Nothing preempts the holder and the library never reports a loss.
 */
import { Redis } from 'ioredis';
import Redlock from 'redlock';
import type { Rng } from '../../core/rng.ts';
import type { RedlockChildConfig } from '../child-protocol.ts';
import type { LiveGrant, LiveLockClient } from '../live-client.ts';
import { LOOPBACK } from '../ports.ts';
import { lockKeys } from '../redis/client.ts';
import { observedLockScript } from './scripts.ts';

interface Held extends LiveGrant {
  readonly lock: Redlock.Lock;
}

export class RedlockLiveClient implements LiveLockClient {
  private readonly connections: Redis[];
  private readonly redlock: Redlock;
  private readonly keys: string[];
  private readonly firstKey: number;
  /** The value the next `lock()` uses (read by the replaced `_random`). */
  private nextValue = '';
  private calls = 0;
  /** Instance errors (timeouts, refused connections) node-redlock has reported so far. */
  private errors = 0;
  private session: { live: boolean; wake: () => void } | null = null;
  requests = 0;

  constructor(
    private readonly client: string,
    private readonly boot: number,
    private readonly config: RedlockChildConfig,
    permits: number,
    private readonly rng: Rng,
  ) {
    this.keys = lockKeys(permits);
    this.firstKey = this.keys.length === 1 ? 0 : rng.int(0, this.keys.length - 1);
    this.connections = config.servers.map((server) => {
      const redis = new Redis({
        host: LOOPBACK,
        port: server.port,
        lazyConnect: true,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        enableReadyCheck: false,
        retryStrategy: () => 50,
        disableClientInfo: true,
        connectionName: `locksim-${client}-${server.name}`,
      });
      redis.on('error', () => {}); // reconnects on its own; node-redlock sees each command's error
      this.countRequests(redis);
      return redis;
    });
    this.redlock = new Redlock(this.connections, {
      driftFactor: config.driftFactor,
      retryCount: 0,
      retryDelay: Math.round(config.retryDelayUs / 1000),
      retryJitter: Math.round(config.retryJitterUs / 1000),
      lockScript: observedLockScript,
    });
    this.redlock.on('clientError', () => {
      this.errors++;
    });
    (this.redlock as unknown as { _random: () => string })._random = () => this.nextValue;
  }

  /** Counts the scripts node-redlock sends (EVALSHA, and EVAL after a NOSCRIPT). */
  private countRequests(redis: Redis): void {
    const methods = redis as unknown as Record<'evalsha' | 'eval', (...args: unknown[]) => unknown>;
    for (const name of ['evalsha', 'eval'] as const) {
      const original = methods[name].bind(redis);
      methods[name] = (...args: unknown[]) => {
        this.requests++;
        return original(...args);
      };
    }
  }

  /**
   * Connects, then sets the per-instance timeout: ioredis 6 applies
   * `commandTimeout` to its own handshake (HELLO, CLIENT SETNAME) too, and a
   * handshake that misses a tight timeout while a small machine starts
   * every process at once fails the connect ("Connection is closed").
   */
  async connect(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.connect()));
    for (const c of this.connections) c.options.commandTimeout = this.config.requestTimeoutMs;
  }

  onLost(): void {
    // node-redlock has no loss signal: it only knows a validity.
  }

  /** node-redlock's wait between attempts: max(0, retryDelay + ⌊(2r − 1)·retryJitter⌋), in µs. */
  private retryPauseUs(): number {
    const { retryDelayUs, retryJitterUs } = this.config;
    return Math.max(0, retryDelayUs + (retryJitterUs === 0 ? 0 : this.rng.int(-retryJitterUs, retryJitterUs)));
  }

  async acquire(): Promise<LiveGrant | null> {
    let wake = (): void => {};
    const session = { live: true, wake: () => wake() };
    this.session = session;
    for (let n = 0; session.live; n++) {
      const key = this.keys[(this.firstKey + n) % this.keys.length];
      const value = `${this.client}:${this.boot}:${++this.calls}:${this.rng.id()}`;
      this.nextValue = value;
      let lock: Redlock.Lock | null = null;
      try {
        lock = await this.redlock.lock(key, this.config.ttlMs);
      } catch {
        // a LockError: no quorum, or no validity left; node-redlock has already unlocked every instance
      }
      if (lock !== null) {
        if (!session.live) {
          void this.giveBack(lock);
          break;
        }
        session.live = false;
        return { key, lease: value, token: undefined, lock } as Held;
      }
      if (!session.live) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.retryPauseUs() / 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return null;
  }

  abandon(): void {
    if (this.session === null) return;
    this.session.live = false;
    this.session.wake();
  }

  private async giveBack(lock: Redlock.Lock): Promise<void> {
    try {
      await this.redlock.unlock(lock);
    } catch {
      // best effort: the keys expire anyway
    }
  }

  stillValid(grant: LiveGrant): boolean {
    return (grant as Held).lock.expiration > Date.now();
  }

  async release(grant: LiveGrant): Promise<boolean | null> {
    const errorsBefore = this.errors;
    try {
      await this.redlock.unlock((grant as Held).lock);
      return true;
    } catch {
      return this.errors === errorsBefore ? false : null;
    }
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.disconnect();
  }
}
