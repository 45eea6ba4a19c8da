/**
 * The client library of the single-instance Redis lock (redis.io's pattern).
 *
 * Models:
 * - acquire: one random value per acquire call; `SET lock value NX PX ttl`
 *   (plus INCR of `lock:token` in the same script for a fencing token) sent
 *   to the server it believes is primary; busy → retry after
 *   `retryDelay ± retryJitter`.
 * - finding the primary: with Sentinels (`failover: "sentinel"`), as a
 *   Sentinel-aware client does (redis-py's `SentinelConnectionPool`): at its
 *   first command, and again after `-READONLY` or a command timeout (a broken
 *   connection), it asks the Sentinels in turn for the primary
 *   (`SENTINEL get-master-addr-by-name`), skipping one that answers nothing
 *   or believes that primary down, starting with the one that last answered;
 *   none → retry after `retryDelay`. Without Sentinels it walks its
 *   configured server list: `-READONLY` or a timeout → the next server.
 *   `-READONLY` names no primary.
 * - the belief: the client holds the lock from the reply until it releases.
 *   Its validity (ttl minus what elapsed since it sent the winning SET, on
 *   its monotonic clock) is only known, never enforced: `stillValid()` reads
 *   it (for `checkBeforeWrite`), and work that overruns the TTL goes on, as
 *   with redis.io's pattern.
 * - release: the compare-and-delete script (`release: "compare-and-delete"`)
 *   or a plain DEL (`"del"`), always sent, however late (it sits in
 *   `finally`: a holder that overran its TTL, or whose token the store
 *   rejected, still runs it, and a late plain DEL deletes the next holder's
 *   lock), and retried across servers until it is answered or the validity
 *   ran out: `done(true)` if a key was deleted, `false` if the
 *   server deleted nothing (unless an earlier try timed out and may have
 *   deleted it), `null` when the outcome is unknown.
 * - semaphore (`permits` > 1): as Redis is used in practice, N keys
 *   `lock:0..N-1`; the script SETs NX the first free one, and the client
 *   remembers which key it holds.
 * - abandon: stop retrying; a grant that still arrives is unlocked at once,
 *   never reported. A second grant for one acquire (possible with a
 *   semaphore after a timed-out request) is unlocked too.
 * Does not model: lock extension, connection state.
 */
import type { LostListener, NodeApi } from '../api/index.ts';
import { US_PER_MS, type Micros } from '../api/index.ts';
import { RedisClientBase, type Hold, type Session } from '../shared/redis/client-base.ts';
import type { ReleaseMode } from '../shared/redis/options.ts';
import type { Reply } from '../shared/redis/protocol.ts';

export { LOCK_KEY, lockKeys } from '../shared/redis/client-base.ts';

/** How long the client waits for a reply (from a server or a Sentinel) before looking for the primary again. */
export const COMMAND_TIMEOUT_US: Micros = 500 * US_PER_MS;
/** Redirects followed at once before waiting `retryDelay` (stops ping-pong between confused replicas). */
const MAX_REDIRECTS = 2;

/** The INCR counter that issues fencing tokens. */
export const TOKEN_KEY = 'lock:token';

/** What the Redis lock client needs to know. */
export interface RedisClientOptions {
  /** The data servers, primary first (the configured list). */
  readonly servers: readonly string[];
  /** The Sentinels to ask for the primary (empty: walk `servers` instead). */
  readonly sentinels: readonly string[];
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
  /** The server believed to be primary; null until a Sentinel names one. */
  private target: string | null;
  /** The Sentinel asked first (the one that answered last). */
  private sentinelIndex = 0;

  constructor(api: NodeApi, options: RedisClientOptions, lost: LostListener) {
    if (options.servers.length === 0) throw new Error('redis client needs at least one server');
    super(api, options, lost, 'redis client');
    this.options = options;
    this.target = options.sentinels.length > 0 ? null : options.servers[0];
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
    this.locate(
      () => session.live,
      (to) => this.sendAcquireTo(to, session, redirects),
      () => this.retryLater(session),
    );
  }

  private sendAcquireTo(to: string, session: Session, redirects: number): void {
    const sentAtUs = this.api.monotonic();
    const counter = this.options.tokens === 'incr' ? TOKEN_KEY : null;
    this.rpc.call(
      to,
      (reqId) => ({ type: 'redis.acquire', reqId, keys: this.keys, value: session.value, ttlUs: this.options.ttlUs, counter }),
      COMMAND_TIMEOUT_US,
      {
        reply: (reply) => this.onAcquireReply(session, to, sentAtUs, reply, redirects),
        timeout: () => {
          if (!session.live) return;
          this.forget(to);
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
      case 'redis.readonly':
        if (!session.live) return;
        this.forget(from);
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
    this.locate(
      () => this.hold === hold,
      (to) => this.sendUnlockTo(to, hold, done, redirects, uncertain),
      // No Sentinel names a primary it believes up: ask again later, while the validity lasts (as a timed-out unlock does).
      () =>
        this.api.setTimer(this.options.retryDelayUs, () => {
          if (this.api.monotonic() < hold.deadlineUs) this.sendUnlock(hold, done, MAX_REDIRECTS, uncertain);
          else this.finishRelease(hold, done, null);
        }, 'retry'),
    );
  }

  private sendUnlockTo(to: string, hold: Hold, done: (ok: boolean | null) => void, redirects: number, uncertain: boolean): void {
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
          if (reply.type !== 'redis.readonly') throw new Error(`${this.api.id}: unexpected reply ${reply.type} to an unlock`);
          this.forget(to);
          if (redirects > 0) this.sendUnlock(hold, done, redirects - 1, uncertain);
          else this.api.setTimer(this.options.retryDelayUs, () => again(uncertain), 'retry');
        },
        timeout: () => {
          this.forget(to);
          again(true);
        },
      },
    );
  }

  // ---- finding the primary ------------------------------------------------------------------

  /**
   * Calls `use` with the believed primary, asking the Sentinels first when
   * none is known; `none` when no Sentinel named a primary it believes up.
   * Nothing is called once `wanted()` turns false.
   */
  private locate(wanted: () => boolean, use: (server: string) => void, none: () => void): void {
    if (this.target !== null) return use(this.target);
    const sentinels = this.options.sentinels;
    const ask = (tried: number): void => {
      if (!wanted()) return;
      if (this.target !== null) return use(this.target);
      if (tried === sentinels.length) return none();
      const index = (this.sentinelIndex + tried) % sentinels.length;
      this.rpc.call(sentinels[index], (reqId) => ({ type: 'sentinel.get-master', reqId }), COMMAND_TIMEOUT_US, {
        reply: (reply) => {
          if (reply.type !== 'sentinel.master') throw new Error(`${this.api.id}: unexpected reply ${reply.type} from Sentinel ${sentinels[index]}`);
          if (reply.down || !this.options.servers.includes(reply.primary)) return ask(tried + 1);
          this.sentinelIndex = index;
          this.target = reply.primary;
          ask(tried);
        },
        timeout: () => ask(tried + 1),
      });
    };
    ask(0);
  }

  /** `server` refused (READONLY) or did not answer: ask the Sentinels again, or try the next configured server. */
  private forget(server: string): void {
    if (this.target !== server) return;
    if (this.options.sentinels.length > 0) {
      this.target = null;
      return;
    }
    const servers = this.options.servers;
    this.target = servers[(servers.indexOf(server) + 1) % servers.length];
  }
}

/** Builds the Redis lock client on a client node. */
export function createRedisClient(api: NodeApi, options: RedisClientOptions, lost: LostListener): RedisLockClient {
  return new RedisLockClient(api, options, lost);
}
