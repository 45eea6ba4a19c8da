/**
 * The Redlock client (redis.io's algorithm, as redlock-py and node-redlock
 * implement it).
 *
 * Models, per attempt: read the start time on the client's clock (`wall` by
 * default, as the reference clients do; `clientClock: "monotonic"`), send
 * `SET key value NX PX ttl` to every instance at once, each with its own
 * `requestTimeout` (a timeout is a vote against), and decide as soon as the
 * votes allow, as node-redlock does: at a quorum (⌊N/2⌋+1) of yes votes, or
 * once so many said no that a quorum is impossible (more than N − quorum;
 * node-redlock waits for `quorum` no votes, the same for odd N). The
 * slowest instances do not delay the decision; their later replies are
 * handled as late ones (below). (The redis.io text's sequential variant,
 * trying instances one after another, is not modelled: SPEC §3 has no knob
 * for it.) Held iff a quorum said yes and validity =
 * ttl − elapsed − (ttl·driftFactor + 2 ms) is above zero. With
 * `checkValidity: false` the elapsed-time check is skipped: the client
 * believes it holds for ttl − drift from when the votes came in. On failure
 * it unlocks every instance (compare-and-delete, fire-and-forget) and retries
 * after `retryDelay ± retryJitter` with the same value. The validity deadline
 * is only known, never enforced: `stillValid()` reads it (for
 * `checkBeforeWrite`), and a holder whose work overruns it goes on working
 * and still releases in the end (redlock-py only returns the validity;
 * node-redlock's abort signal is cooperative). Release: compare-and-delete
 * on every instance, always sent, decided as early as the acquire is:
 * `done(true)` once a quorum deleted the key, `false` once a quorum answered
 * that it held no such key, `null` (unknown) once neither can happen. A
 * yes that arrives after the attempt was decided (or after its timeout) for
 * a key the client does not hold is unlocked at that instance.
 * Semaphore (`permits` > 1): each attempt tries one key `lock:i` on every
 * instance, rotating i between attempts (Redlock itself defines only a
 * mutex).
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
 * ../shared/redis/client-base.ts. On abandon, an attempt in flight unlocks
 * everything when it is decided (see `conclude`), and any yes after that.
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

  /**
   * Compare-and-delete on every instance, decided as soon as the answers
   * allow (as node-redlock does): true once a quorum deleted the key, false
   * once a quorum held no such key, null (unknown) once neither can happen.
   */
  protected sendRelease(hold: Hold, done: (ok: boolean | null) => void): void {
    const n = this.options.servers.length;
    let answered = 0;
    let deleted = 0;
    let notHeld = 0;
    let decided = false;
    const count = (outcome: boolean | null): void => {
      if (decided) return;
      answered++;
      if (outcome === true) deleted++;
      if (outcome === false) notHeld++;
      const pending = n - answered;
      const ok = deleted >= this.quorum ? true : notHeld >= this.quorum ? false : deleted + pending < this.quorum && notHeld + pending < this.quorum ? null : undefined;
      if (ok === undefined) return;
      decided = true;
      this.finishRelease(hold, done, ok);
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

  /**
   * Attempt `n` tries one key (rotating between attempts for a semaphore) on
   * every instance, and is decided as soon as a quorum voted yes or a quorum
   * became impossible.
   */
  protected attempt(session: Session, n: number): void {
    const key = this.keys[(this.firstKey + n) % this.keys.length];
    const startUs = this.clock();
    const servers = this.options.servers;
    let yes = 0;
    let no = 0;
    let decided = false;
    /** A yes the attempt no longer counts on: keep it only if it is part of the lock we hold. */
    const lateYes = (server: string): void => {
      const held = this.hold !== null && this.hold.key === key && this.hold.value === session.value;
      if (!held) this.unlock(server, key, session.value);
    };
    const vote = (server: string, granted: boolean): void => {
      if (decided) {
        if (granted) lateYes(server);
        return;
      }
      if (granted) yes++;
      else no++;
      if (yes >= this.quorum || no > servers.length - this.quorum) {
        decided = true;
        this.conclude(session, key, startUs, yes, yes + no);
      }
    };
    for (const server of servers) {
      this.rpc.call(
        server,
        (reqId) => ({ type: 'redis.acquire', reqId, keys: [key], value: session.value, ttlUs: this.options.ttlUs, counter: null }),
        this.options.requestTimeoutUs,
        {
          reply: (reply) => vote(server, reply.type === 'redis.acquired' && reply.ok),
          timeout: () => vote(server, false),
          late: (reply) => {
            if (reply.type === 'redis.acquired' && reply.ok) lateYes(server);
          },
        },
      );
    }
  }

  /** The votes decide the attempt (`answered` of the instances have voted): hold, or unlock and retry. */
  private conclude(session: Session, key: string, startUs: Micros, votes: number, answered: number): void {
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
      this.api.note(`redlock attempt failed: ${votes} yes of ${answered} answers (${this.options.servers.length} instances), validity ${validityUs}us`);
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
