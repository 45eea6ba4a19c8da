/**
 * What the Redis lock client and the Redlock client share: the life of one
 * client's belief that it holds the lock, and the plumbing around it.
 *
 * Models: the states idle → acquiring → holding → releasing → idle; one
 * acquire session per `acquire` call, with one random value (the lock's
 * value at every server) kept across its attempts; a failed attempt retried
 * after `retryDelay ± retryJitter`; abandon (stop retrying; the subclass
 * unlocks a grant that still arrives); a hold with a validity deadline by
 * the client's own clock that only `stillValid()` reads: nothing preempts
 * the holder when it passes (redis.io's pattern, redlock-py and
 * node-redlock only report a validity; node-redlock's abort signal is
 * cooperative), so the belief lasts until the release, which is always
 * sent (`acquire; try { work } finally { release }`), however late; the
 * fire-and-forget unlock of a grant nobody wants. These clients learn of
 * loss only from the service (a store that rejects their token, a release
 * that deletes nothing); without lock extension nothing calls `lost` today.
 *
 * Does not model: how an attempt is made or decided, or how a release is
 * sent and judged (one primary with redirects, or a quorum of instances:
 * the subclass's `attempt` and `sendRelease`); lock extension; connection
 * state.
 */
import type { Grant, LockClient, LostListener, Message, NodeApi, TimerId } from '../../api/index.ts';
import type { Micros } from '../../api/index.ts';
import type { ReleaseMode } from './options.ts';
import { Rpc } from './rpc.ts';

/** The key of a mutex lock. */
export const LOCK_KEY = 'lock';

/** The keys a lock with `permits` permits uses: `lock`, or `lock:0..N-1` for a semaphore. */
export function lockKeys(permits: number): string[] {
  if (!(Number.isInteger(permits) && permits >= 1)) throw new Error(`permits must be a whole number ≥ 1, got ${permits}`);
  return permits === 1 ? [LOCK_KEY] : Array.from({ length: permits }, (_, i) => `${LOCK_KEY}:${i}`);
}

/** What every Redis-protocol lock client needs to know. */
export interface RedisClientBaseOptions {
  readonly servers: readonly string[];
  readonly retryDelayUs: Micros;
  readonly retryJitterUs: Micros;
  readonly permits: number;
}

/** One `acquire` call. */
export interface Session {
  readonly done: (grant: Grant | null) => void;
  /** The value this session sets the lock key to (its proof of ownership). */
  readonly value: string;
  /** False once granted or abandoned: nothing more is sent for it. */
  live: boolean;
  retryTimer: TimerId | null;
  /** Attempts started so far (by `acquire` and by retries). */
  attempts: number;
}

/** The lock as the client believes it holds it. */
export interface Hold {
  readonly key: string;
  readonly value: string;
  /** The validity deadline on the client's clock (`clock()`): read by `stillValid()`, never enforced by a timer. */
  readonly deadlineUs: Micros;
}

/** Where the client is in the acquire / hold / release cycle. */
export type ClientState = 'idle' | 'acquiring' | 'holding' | 'releasing';

/** A lock client speaking the Redis protocol; subclasses say how an attempt and a release go. */
export abstract class RedisClientBase implements LockClient {
  protected readonly api: NodeApi;
  protected readonly rpc: Rpc;
  /** The lock's keys: `lock`, or `lock:0..N-1` for a semaphore. */
  protected readonly keys: readonly string[];
  protected state: ClientState = 'idle';
  protected session: Session | null = null;
  protected hold: Hold | null = null;
  private readonly base: RedisClientBaseOptions;
  /** Tells the workload the service took the lock away (for a subclass that learns it, e.g. from a refused extension). */
  protected readonly lost: LostListener;
  private readonly label: string;

  /** `label` names the client in errors (`redis client`, `redlock client`). */
  constructor(api: NodeApi, options: RedisClientBaseOptions, lost: LostListener, label: string) {
    this.api = api;
    this.base = options;
    this.lost = lost;
    this.label = label;
    this.rpc = new Rpc(api);
    this.keys = lockKeys(options.permits);
  }

  /** The clock validity deadlines are on. */
  protected abstract clock(): Micros;

  /** Starts attempt `n` (0 for the first) of a live session: from `acquire`, or a retry. */
  protected abstract attempt(session: Session, n: number): void;

  /** Releases `hold` (already `releasing`); ends with `finishRelease`. */
  protected abstract sendRelease(hold: Hold, done: (ok: boolean | null) => void): void;

  /** Starts an acquire session with a fresh random value and its first attempt. */
  acquire(done: (grant: Grant | null) => void): void {
    if (this.state !== 'idle') throw new Error(`${this.api.id}: acquire while ${this.state}`);
    const session: Session = { done, value: this.api.rng.id('v'), live: true, retryTimer: null, attempts: 0 };
    this.session = session;
    this.state = 'acquiring';
    this.startAttempt(session);
  }

  /** Stops acquiring; nothing is reported for this session any more. */
  abandon(): void {
    const session = this.session;
    if (this.state !== 'acquiring' || session === null) return;
    session.live = false;
    if (session.retryTimer !== null) this.api.cancelTimer(session.retryTimer);
    this.session = null;
    this.state = 'idle';
  }

  /**
   * Releases the hold: always sent, even after the validity ran out (the
   * release sits in `finally`), so a late plain DEL can delete the next
   * holder's lock. `null` at once only when there is no hold to release.
   */
  release(done: (ok: boolean | null) => void): void {
    if (this.state === 'idle') return done(null); // nothing held (never granted): nothing is sent, so the outcome is unknown
    const hold = this.hold;
    if (this.state !== 'holding' || hold === null) throw new Error(`${this.api.id}: release while ${this.state}`);
    this.state = 'releasing';
    this.sendRelease(hold, done);
  }

  /** Whether the client holds and its deadline has not passed by its clock. */
  stillValid(): boolean {
    return this.state === 'holding' && this.hold !== null && this.clock() < this.hold.deadlineUs;
  }

  /** Routes replies to the pending requests; any other message is a bug. */
  onMessage(from: string, msg: Message): void {
    if (!this.rpc.onMessage(msg)) throw new Error(`${this.api.id} (${this.label}) got an unexpected message ${msg.type} from ${from}`);
  }

  /** The session won `key` until `deadlineUs` (client clock, still ahead): hold it and report `grant`. */
  protected takeHold(session: Session, key: string, deadlineUs: Micros, grant: Grant): void {
    session.live = false;
    if (session.retryTimer !== null) this.api.cancelTimer(session.retryTimer);
    this.session = null;
    this.hold = { key, value: session.value, deadlineUs };
    this.state = 'holding';
    session.done(grant);
  }

  /** The release of `hold` is decided: back to idle, and `done(ok)`. */
  protected finishRelease(hold: Hold, done: (ok: boolean | null) => void, ok: boolean | null): void {
    if (this.hold !== hold || this.state !== 'releasing') throw new Error(`${this.api.id}: release finished twice`);
    this.hold = null;
    this.state = 'idle';
    done(ok);
  }

  /** Retries the session after `retryDelay ± retryJitter`, unless it is no longer live by then. */
  protected retryLater(session: Session): void {
    if (session.retryTimer !== null) throw new Error(`${this.api.id}: two retries pending for one acquire`);
    const jitterUs = this.base.retryJitterUs;
    const delayUs = Math.max(0, this.base.retryDelayUs + (jitterUs > 0 ? this.api.rng.int(-jitterUs, jitterUs) : 0));
    session.retryTimer = this.api.setTimer(delayUs, () => {
      session.retryTimer = null;
      if (session.live) this.startAttempt(session);
    }, 'retry');
  }

  /** Fire-and-forget unlock of `key` (if it still holds `value`) at one server. */
  protected unlockAt(server: string, key: string, value: string, mode: ReleaseMode): void {
    this.api.send(server, { type: 'redis.unlock', reqId: this.api.rng.id('undo-'), key, value, mode });
  }

  private startAttempt(session: Session): void {
    this.attempt(session, session.attempts++);
  }
}
