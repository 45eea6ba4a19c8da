/**
 * The live `redis` lock client: ioredis against real redis-server(s),
 * behaving as algorithms/redis/client.ts does in simulation.
 *
 * - acquire: one random value per acquire call; the acquire script (SET NX
 *   PX on the first free key, INCR token) at the server it believes is
 *   primary; busy → retry after `retryDelay ± retryJitter`; a command not
 *   answered within the command timeout, or refused with `-READONLY` or a
 *   closed connection → the next configured server (at once for a
 *   timeout or a redirect, after `retryDelay` for a connection error). A
 *   grant that arrives after its validity ran out (TTL since the SET was
 *   sent, on the monotonic clock), or after the acquire was abandoned, or
 *   that answers a command already timed out, is unlocked at once and
 *   never reported.
 * - validity: TTL since the winning SET was sent, on the client's monotonic
 *   clock; only `stillValid()` reads it. Nothing preempts the holder.
 * - release: compare-and-delete (or plain DEL), retried across servers
 *   while the validity lasts: true if a key was deleted, false if nothing
 *   was (unless an earlier try timed out), null when unknown.
 * The command timeout is ours (a race against a timer) rather than
 * ioredis's `commandTimeout`, because a timed-out acquire may still be
 * granted and must then be undone, which needs the late reply.
 * ioredis settings: no offline queue (a command while disconnected fails
 * at once instead of waiting), no automatic resend after a reconnect (a
 * resent SET could grant a lock nobody waits for), reconnect every 50 ms.
 * With Sentinel failover (`config.sentinels`): one ioredis connection in
 * Sentinel mode, as an application would use it (`sentinels`, `name`;
 * `natMap` sends the announced address of whichever server the Sentinels
 * name through this client's own proxy to it; `updateSentinels: false`
 * keeps to those proxies). ioredis asks the Sentinels in turn, starting
 * with the one that answered last, checks the server's role (its ready
 * check), and asks again whenever the connection closes; where the
 * simulated client forgets the primary (`-READONLY`, a command timeout, a
 * connection error) this one drops its connection (`disconnect(true)`) so
 * ioredis asks the Sentinels again. Unlike the model, ioredis does not skip
 * a Sentinel that believes the primary it names is down.
 * Not modelled (as in simulation): lock extension.
 */
import { Redis } from 'ioredis';
import type { Rng } from '../../core/rng.ts';
import type { RedisChildConfig } from '../child-protocol.ts';
import type { LiveGrant, LiveLockClient } from '../live-client.ts';
import { ACQUIRE_LUA, COMPARE_AND_DELETE_LUA, TOKEN_KEY } from './scripts.ts';

/** The lock keys for `permits` (algorithms/shared/redis/client-base.ts's lockKeys). */
export function lockKeys(permits: number): string[] {
  return permits === 1 ? ['lock'] : Array.from({ length: permits }, (_, i) => `lock:${i}`);
}

/** Redirects followed at once before waiting `retryDelay` (as the simulated client). */
const MAX_REDIRECTS = 2;

type LockRedis = Redis & {
  locksimAcquire(numKeys: number, ...args: Array<string | number>): Promise<[string, number | null] | null>;
  locksimRelease(key: string, value: string): Promise<number>;
};

const TIMEOUT = Symbol('timeout');

interface Held extends LiveGrant {
  /** Monotonic µs (hrtime) when the validity runs out. */
  readonly deadlineUs: number;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);
const sleep = (us: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, us / 1000)));

export class RedisLiveClient implements LiveLockClient {
  private readonly connections: LockRedis[];
  /** One connection that follows the Sentinels (ioredis Sentinel mode). */
  private readonly sentinelMode: boolean;
  private target = 0;
  private readonly keys: string[];
  private session: { live: boolean } | null = null;
  private calls = 0;
  requests = 0;

  constructor(
    private readonly client: string,
    private readonly boot: number,
    private readonly config: RedisChildConfig,
    permits: number,
    private readonly rng: Rng,
  ) {
    this.keys = lockKeys(permits);
    const ms = (us: number): number => Math.max(1, Math.round(us / 1000));
    const sentinel = config.sentinels === undefined || config.sentinels.length === 0 ? null : config.sentinels;
    const where = sentinel === null
      ? config.servers.map((server) => ({ host: '127.0.0.1', port: server.port }))
      : [
          {
            sentinels: sentinel.map((s) => ({ host: '127.0.0.1', port: s.port })),
            name: config.masterName ?? 'locksim',
            natMap: Object.fromEntries(Object.entries(config.natMap ?? {}).map(([from, port]) => [from, { host: '127.0.0.1', port }])),
            updateSentinels: false,
            sentinelCommandTimeout: ms(config.commandTimeoutUs),
            sentinelRetryStrategy: () => ms(config.retryDelayUs),
            enableReadyCheck: true,
          },
        ];
    this.sentinelMode = sentinel !== null;
    this.connections = where.map((at) => {
      const redis = new Redis({
        lazyConnect: true,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
        enableReadyCheck: false,
        ...at,
        retryStrategy: () => 50,
        connectionName: `locksim-${client}`,
      }) as LockRedis;
      redis.on('error', () => {}); // reconnects on its own; commands report their own errors
      redis.defineCommand('locksimAcquire', { lua: ACQUIRE_LUA });
      redis.defineCommand('locksimRelease', { numberOfKeys: 1, lua: COMPARE_AND_DELETE_LUA });
      return redis;
    });
  }

  async connect(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.connect()));
  }

  onLost(): void {
    // A Redis lock client has no connection-level loss signal: it only knows a validity.
  }

  /** `promise`, or TIMEOUT after the command timeout; `late` gets the result of a command that timed out. */
  private async timed<T>(promise: Promise<T>, late?: (value: T) => void): Promise<T | typeof TIMEOUT> {
    this.requests++;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve(TIMEOUT);
      }, this.config.commandTimeoutUs / 1000);
    });
    promise.then(
      (value) => {
        if (timedOut) late?.(value);
      },
      () => {},
    );
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private retryPauseUs(): number {
    const { retryDelayUs, retryJitterUs } = this.config;
    return Math.max(0, retryDelayUs + (retryJitterUs === 0 ? 0 : this.rng.int(-retryJitterUs, retryJitterUs)));
  }

  /** The next configured server becomes the believed primary; in Sentinel mode, the Sentinels are asked again. */
  private forget(index: number): void {
    if (this.sentinelMode) {
      const redis = this.connections[0];
      if (redis.status === 'ready' || redis.status === 'connect') redis.disconnect(true);
      return;
    }
    if (this.target === index) this.target = (index + 1) % this.connections.length;
  }

  async acquire(): Promise<LiveGrant | null> {
    const session = { live: true };
    this.session = session;
    const value = `${this.client}:${this.boot}:${++this.calls}:${this.rng.id()}`;
    const counter = this.config.tokens === 'incr' ? '1' : '0';
    let redirects = MAX_REDIRECTS;
    while (session.live) {
      const index = this.target;
      const sentUs = monotonicUs();
      const undo = (reply: [string, number | null] | null): void => {
        if (reply !== null) void this.unlock(index, reply[0], value);
      };
      let reply: [string, number | null] | null | typeof TIMEOUT;
      try {
        reply = await this.timed(
          this.connections[index].locksimAcquire(this.keys.length + 1, ...this.keys, TOKEN_KEY, value, this.config.ttlMs, counter, this.client),
          undo,
        );
      } catch (error) {
        if (!session.live) break;
        this.forget(index);
        if (/READONLY/.test(String(error)) && redirects-- > 0) continue;
        redirects = MAX_REDIRECTS;
        await sleep(this.retryPauseUs());
        continue;
      }
      if (reply === TIMEOUT) {
        this.forget(index);
        continue;
      }
      if (reply !== null) {
        const deadlineUs = sentUs + this.config.ttlMs * 1000;
        if (!session.live || monotonicUs() >= deadlineUs) {
          undo(reply);
          if (!session.live) break;
        } else {
          session.live = false;
          const [key, token] = reply;
          return { key, lease: value, token: token === null ? undefined : Number(token), deadlineUs } as Held;
        }
      }
      redirects = MAX_REDIRECTS;
      await sleep(this.retryPauseUs());
    }
    return null;
  }

  abandon(): void {
    if (this.session !== null) this.session.live = false;
  }

  stillValid(grant: LiveGrant): boolean {
    return monotonicUs() < (grant as Held).deadlineUs;
  }

  /** One unlock at one server: 1 deleted, 0 not, TIMEOUT, or throws. */
  private async unlockOnce(index: number, key: string, value: string): Promise<number | typeof TIMEOUT> {
    const redis = this.connections[index];
    return this.timed(this.config.release === 'del' ? redis.del(key) : redis.locksimRelease(key, value));
  }

  /** Fire-and-forget unlock of a grant nobody wants. */
  private async unlock(index: number, key: string, value: string): Promise<void> {
    try {
      await this.unlockOnce(index, key, value);
    } catch {
      // best effort, as in simulation: the key expires anyway
    }
  }

  async release(grant: LiveGrant): Promise<boolean | null> {
    const held = grant as Held;
    let uncertain = false;
    let redirects = MAX_REDIRECTS;
    for (;;) {
      const index = this.target;
      try {
        const result = await this.unlockOnce(index, held.key, held.lease);
        if (result !== TIMEOUT) return result > 0 ? true : uncertain ? null : false;
        uncertain = true;
        this.forget(index);
      } catch (error) {
        this.forget(index);
        if (!(/READONLY/.test(String(error)) && redirects-- > 0)) {
          redirects = MAX_REDIRECTS;
          await sleep(this.config.retryDelayUs);
        }
      }
      if (monotonicUs() >= held.deadlineUs) return null;
    }
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.disconnect();
  }
}
