/**
 * The client library of the single-instance Redis lock (redis.io's pattern).
 *
 * Models:
 * - acquire: one random value per acquire call; `SET lock value NX PX ttl`
 *   (plus INCR of `lock:token` in the same script for a fencing token) sent
 *   to the server it believes is primary; busy → retry after
 *   `retryDelay ± retryJitter`; MOVED → follow the named primary; no reply
 *   within the command timeout → try the next server in turn (how a client
 *   finds a promoted replica).
 * - the belief: the client holds the lock from the reply until it releases,
 *   or until its validity runs out: ttl minus what elapsed since it sent the
 *   winning SET, measured on its monotonic clock. Then it calls
 *   `lost('lease expired by client clock')`. `stillValid()` checks the same
 *   deadline.
 * - release: the compare-and-delete script (`release: "compare-and-delete"`)
 *   or a plain DEL (`"del"`), retried across servers until it is answered or
 *   the validity ran out: `done(true)` if a key was deleted, `false` if the
 *   server deleted nothing (unless an earlier try timed out and may have
 *   deleted it), `null` when the outcome is unknown.
 * - semaphore (`permits` > 1): as Redis is used in practice, N keys
 *   `lock:0..N-1`; the script SETs NX the first free one, and the client
 *   remembers which key it holds.
 * - abandon: stop retrying; a grant that still arrives is unlocked at once,
 *   never reported. A second grant for one acquire (possible with a
 *   semaphore after a timed-out request) is unlocked too.
 * Does not model: lock extension, a release after the lock was lost (the
 * client sends nothing and answers null), connection state.
 */
import type { LostListener, NodeApi } from '../api/index.ts';
import { US_PER_MS, type Micros } from '../api/index.ts';
import { RedisClientBase, type Hold, type Session } from '../shared/redis/client-base.ts';
import type { ReleaseMode } from '../shared/redis/options.ts';
import type { Reply } from '../shared/redis/protocol.ts';

export { LOCK_KEY, lockKeys } from '../shared/redis/client-base.ts';

/** How long the client waits for a reply before trying the next server. */
export const COMMAND_TIMEOUT_US: Micros = 500 * US_PER_MS;
/** Redirects followed at once before waiting `retryDelay` (stops ping-pong between confused replicas). */
const MAX_REDIRECTS = 2;

/** The INCR counter that issues fencing tokens. */
export const TOKEN_KEY = 'lock:token';

/** What the Redis lock client needs to know. */
export interface RedisClientOptions {
  readonly servers: readonly string[];
  readonly ttlUs: Micros;
  readonly release: ReleaseMode;
  readonly tokens: 'incr' | 'none';
  readonly retryDelayUs: Micros;
  readonly retryJitterUs: Micros;
  readonly permits: number;
}

/** The single-instance lock client; the acquire / hold / release cycle is ./client-base.ts. */
export class RedisLockClient extends RedisClientBase {
  private readonly options: RedisClientOptions;
  /** Index in `servers` of the server believed to be primary. */
  private target = 0;

  constructor(api: NodeApi, options: RedisClientOptions, lost: LostListener) {
    if (options.servers.length === 0) throw new Error('redis client needs at least one server');
    super(api, options, lost, 'redis client');
    this.options = options;
  }

  /** Validity is measured on the monotonic clock. */
  protected clock(): Micros {
    return this.api.monotonic();
  }

  /** The unlock at the believed primary, retried across servers (see `sendUnlock`). */
  protected sendRelease(hold: Hold, done: (ok: boolean | null) => void): void {
    this.sendUnlock(hold, done, MAX_REDIRECTS, false);
  }

  // ---- acquire ------------------------------------------------------------------------------

  /** An attempt: the SET NX script at the believed primary, following up to `MAX_REDIRECTS` redirects. */
  protected attempt(session: Session): void {
    this.sendAcquire(session, MAX_REDIRECTS);
  }

  private sendAcquire(session: Session, redirects: number): void {
    const sentAtUs = this.api.monotonic();
    const counter = this.options.tokens === 'incr' ? TOKEN_KEY : null;
    const to = this.options.servers[this.target];
    this.rpc.call(
      to,
      (reqId) => ({ type: 'redis.acquire', reqId, keys: this.keys, value: session.value, ttlUs: this.options.ttlUs, counter }),
      COMMAND_TIMEOUT_US,
      {
        reply: (reply) => this.onAcquireReply(session, to, sentAtUs, reply, redirects),
        timeout: () => {
          if (!session.live) return;
          this.rotate();
          this.sendAcquire(session, MAX_REDIRECTS);
        },
        late: (reply) => {
          if (reply.type === 'redis.acquired' && reply.ok) this.onGranted(session, to, sentAtUs, reply.key!, reply.token);
        },
      },
    );
  }

  private onAcquireReply(session: Session, from: string, sentAtUs: Micros, reply: Reply, redirects: number): void {
    switch (reply.type) {
      case 'redis.moved':
        if (!session.live) return;
        this.follow(reply.primary);
        if (redirects > 0) this.sendAcquire(session, redirects - 1);
        else this.retryLater(session);
        return;
      case 'redis.acquired':
        if (reply.ok && this.onGranted(session, from, sentAtUs, reply.key!, reply.token)) return;
        if (session.live) this.retryLater(session);
        return;
      default:
        throw new Error(`${this.api.id}: unexpected reply ${reply.type} to an acquire`);
    }
  }

  /**
   * Server `from` granted us `key`: hold it if we still want it and it is
   * still valid by our clock (returns true); otherwise unlock it (false).
   */
  private onGranted(session: Session, from: string, sentAtUs: Micros, key: string, token: number | null): boolean {
    const deadlineUs = sentAtUs + this.options.ttlUs;
    const remainingUs = deadlineUs - this.api.monotonic();
    if (!session.live || this.session !== session || this.state !== 'acquiring' || remainingUs <= 0) {
      this.undo(from, key, session.value);
      return false;
    }
    this.takeHold(session, key, deadlineUs, token === null ? {} : { token });
    return true;
  }

  /** Fire-and-forget unlock, at the server that granted it, of a grant we do not want. */
  private undo(server: string, key: string, value: string): void {
    this.api.note(`unlocking unwanted grant of ${key} at ${server}`);
    this.unlockAt(server, key, value, this.options.release);
  }

  // ---- release ------------------------------------------------------------------------------

  /**
   * Sends the unlock, retrying across servers until answered or the validity
   * ran out. `uncertain`: an earlier try timed out, so it may have deleted the
   * key already; a later "nothing deleted" then proves nothing.
   */
  private sendUnlock(hold: Hold, done: (ok: boolean | null) => void, redirects: number, uncertain: boolean): void {
    const to = this.options.servers[this.target];
    const again = (stillUncertain: boolean): void => {
      if (this.api.monotonic() < hold.deadlineUs) this.sendUnlock(hold, done, MAX_REDIRECTS, stillUncertain);
      else this.finishRelease(hold, done, null);
    };
    this.rpc.call(
      to,
      (reqId) => ({ type: 'redis.unlock', reqId, key: hold.key, value: hold.value, mode: this.options.release }),
      COMMAND_TIMEOUT_US,
      {
        reply: (reply) => {
          if (reply.type === 'redis.unlocked') return this.finishRelease(hold, done, reply.deleted ? true : uncertain ? null : false);
          if (reply.type !== 'redis.moved') throw new Error(`${this.api.id}: unexpected reply ${reply.type} to an unlock`);
          this.follow(reply.primary);
          if (redirects > 0) this.sendUnlock(hold, done, redirects - 1, uncertain);
          else this.api.setTimer(this.options.retryDelayUs, () => again(uncertain), 'retry');
        },
        timeout: () => {
          this.rotate();
          again(true);
        },
      },
    );
  }

  // ---- finding the primary ------------------------------------------------------------------

  private rotate(): void {
    this.target = (this.target + 1) % this.options.servers.length;
  }

  private follow(primary: string | null): void {
    const index = primary === null ? -1 : this.options.servers.indexOf(primary);
    if (index >= 0) this.target = index;
    else this.rotate();
  }
}

/** Builds the Redis lock client on a client node. */
export function createRedisClient(api: NodeApi, options: RedisClientOptions, lost: LostListener): RedisLockClient {
  return new RedisLockClient(api, options, lost);
}
