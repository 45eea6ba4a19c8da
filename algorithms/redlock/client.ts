/**
 * The Redlock client (redis.io's algorithm, as redlock-py and node-redlock
 * implement it).
 *
 * Models, per attempt: read the start time on the client's clock (`wall` by
 * default, as the reference clients do; `clientClock: "monotonic"`), send
 * `SET key value NX PX ttl` to every instance, each with its own
 * `requestTimeout`, and wait until every instance answered or timed out.
 * Then: held iff a quorum (⌊N/2⌋+1) said yes and validity =
 * ttl − elapsed − (ttl·driftFactor + 2 ms) is above zero. With
 * `checkValidity: false` the elapsed-time check is skipped: the client
 * believes it holds for ttl − drift from when the votes came in. On failure
 * it unlocks every instance (compare-and-delete, fire-and-forget) and retries
 * after `retryDelay ± retryJitter` with the same value. The belief ends at the
 * validity deadline by the client's clock (`lost(...)`); `stillValid()`
 * checks the same deadline. Release: compare-and-delete on every instance;
 * `done(true)` if a quorum deleted the key, `false` if a quorum answered that
 * it held no such key, `null` (unknown) otherwise. A late SET reply for a key the
 * client does not hold is unlocked at that instance. Semaphore (`permits` >
 * 1): each attempt tries one key `lock:i` on every instance, rotating i
 * between attempts (Redlock itself defines only a mutex).
 * Does not model: lock extension, node-redlock's retryCount limit (the
 * workload's acquireTimeout bounds attempts instead), fencing tokens (there
 * are none).
 */
import type { LostListener, NodeApi } from '../api/index.ts';
import { majority, US_PER_MS, type Micros } from '../api/index.ts';
import { RedisClientBase, type Hold, type Session } from '../shared/redis/client-base.ts';

/** The fixed part of Redlock's clock-drift allowance. */
export const DRIFT_CONSTANT_US: Micros = 2 * US_PER_MS;

/** What the Redlock client needs to know. */
export interface RedlockClientOptions {
  readonly servers: readonly string[];
  readonly ttlUs: Micros;
  readonly driftFactor: number;
  readonly requestTimeoutUs: Micros;
  readonly retryDelayUs: Micros;
  readonly retryJitterUs: Micros;
  readonly checkValidity: boolean;
  readonly clientClock: 'wall' | 'monotonic';
  readonly permits: number;
}

/** Redlock's drift allowance for a ttl: ttl·driftFactor + 2 ms (µs, rounded down). */
export function driftUs(ttlUs: Micros, driftFactor: number): Micros {
  return Math.floor(ttlUs * driftFactor) + DRIFT_CONSTANT_US;
}

/** Votes needed out of `n` instances: a majority (the one formula, in algorithms/api/quorum.ts). */
export const quorumOf = majority;

/**
 * The Redlock client; the acquire / hold / release cycle is
 * ../redis/client-base.ts. On abandon, an attempt in flight unlocks
 * everything when its votes are in (see `conclude`).
 */
export class RedlockClient extends RedisClientBase {
  private readonly options: RedlockClientOptions;
  private readonly quorum: number;
  private readonly firstKey: number;

  constructor(api: NodeApi, options: RedlockClientOptions, lost: LostListener) {
    if (options.servers.length === 0) throw new Error('redlock needs at least one instance');
    super(api, options, lost, 'redlock client');
    this.options = options;
    this.quorum = quorumOf(options.servers.length);
    this.firstKey = this.keys.length === 1 ? 0 : api.rng.int(0, this.keys.length - 1);
  }

  /** Validity is measured on `clientClock`. */
  protected clock(): Micros {
    return this.options.clientClock === 'wall' ? this.api.now() : this.api.monotonic();
  }

  /** Compare-and-delete on every instance: true if a quorum deleted the key, false if a quorum held no such key, else null. */
  protected sendRelease(hold: Hold, done: (ok: boolean | null) => void): void {
    let answered = 0;
    let deleted = 0;
    let notHeld = 0;
    const count = (outcome: boolean | null): void => {
      answered++;
      if (outcome === true) deleted++;
      if (outcome === false) notHeld++;
      if (answered < this.options.servers.length) return;
      this.finishRelease(hold, done, deleted >= this.quorum ? true : notHeld >= this.quorum ? false : null);
    };
    for (const server of this.options.servers) {
      this.rpc.call(
        server,
        (reqId) => ({ type: 'redis.unlock', reqId, key: hold.key, value: hold.value, mode: 'compare-and-delete' }),
        this.options.requestTimeoutUs,
        { reply: (reply) => count(reply.type === 'redis.unlocked' && reply.deleted), timeout: () => count(null) },
      );
    }
  }

  // ---- acquire ------------------------------------------------------------------------------

  /** Attempt `n` tries one key (rotating between attempts for a semaphore) on every instance. */
  protected attempt(session: Session, n: number): void {
    const key = this.keys[(this.firstKey + n) % this.keys.length];
    const startUs = this.clock();
    const servers = this.options.servers;
    let answered = 0;
    let votes = 0;
    const count = (yes: boolean): void => {
      answered++;
      if (yes) votes++;
      if (answered === servers.length) this.conclude(session, key, startUs, votes);
    };
    for (const server of servers) {
      this.rpc.call(
        server,
        (reqId) => ({ type: 'redis.acquire', reqId, keys: [key], value: session.value, ttlUs: this.options.ttlUs, counter: null }),
        this.options.requestTimeoutUs,
        {
          reply: (reply) => count(reply.type === 'redis.acquired' && reply.ok),
          timeout: () => count(false),
          late: (reply) => {
            const held = this.hold !== null && this.hold.key === key && this.hold.value === session.value;
            if (reply.type === 'redis.acquired' && reply.ok && !held) this.unlock(server, key, session.value);
          },
        },
      );
    }
  }

  /** Every instance answered or timed out: decide. */
  private conclude(session: Session, key: string, startUs: Micros, votes: number): void {
    if (!session.live || this.session !== session) {
      this.unlockAll(key, session.value);
      return;
    }
    const nowUs = this.clock();
    const { ttlUs, driftFactor, checkValidity } = this.options;
    const drift = driftUs(ttlUs, driftFactor);
    const validityUs = ttlUs - (nowUs - startUs) - drift;
    const deadlineUs = checkValidity ? startUs + ttlUs - drift : nowUs + ttlUs - drift;
    if (votes < this.quorum || (checkValidity && validityUs <= 0) || deadlineUs <= nowUs) {
      this.api.note(`redlock attempt failed: ${votes}/${this.options.servers.length} votes, validity ${validityUs}us`);
      this.unlockAll(key, session.value);
      this.retryLater(session);
      return;
    }
    this.takeHold(session, key, deadlineUs, {});
  }

  private unlockAll(key: string, value: string): void {
    for (const server of this.options.servers) this.unlock(server, key, value);
  }

  /** Fire-and-forget compare-and-delete at one instance. */
  private unlock(server: string, key: string, value: string): void {
    this.unlockAt(server, key, value, 'compare-and-delete');
  }
}

/** Builds the Redlock client on a client node. */
export function createRedlockClient(api: NodeApi, options: RedlockClientOptions, lost: LostListener): RedlockClient {
  return new RedlockClient(api, options, lost);
}
