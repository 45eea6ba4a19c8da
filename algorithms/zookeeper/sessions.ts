/**
 * The leader's session tracker (ZooKeeper's SessionTrackerImpl with its
 * ExpiryQueue): when each live session expires, by the leader's own
 * monotonic clock.
 *
 * A touch (the client pinged or sent a request, here or via a follower)
 * moves the session's expiry to `now + timeout` rounded UP to the next tick
 * boundary (`(⌊t / tick⌋ + 1) · tick`), never earlier than it was; the
 * leader checks at every tick boundary and closes what has expired. A
 * session being closed ignores touches (ZooKeeper's `setSessionClosing`).
 * Volatile: a new leader rebuilds it by extending every live session by its
 * full timeout from the moment it took office.
 * Not modelled: session owner tracking / SessionMovedException (the
 * lock recipe copes with late requests instead, see lock-recipe.ts).
 */
import type { Micros } from '../api/index.ts';

interface Tracked {
  expiryUs: Micros;
  readonly timeoutUs: Micros;
  closing: boolean;
}

/** Session expiry times (leader's monotonic clock), in tick-sized buckets. */
export class SessionTracker {
  private readonly tickUs: Micros;
  private readonly sessions = new Map<string, Tracked>();

  constructor(tickUs: Micros) {
    if (!(tickUs > 0)) throw new Error(`session tracker: tick must be positive, got ${tickUs}`);
    this.tickUs = tickUs;
  }

  /** The next tick boundary strictly after `timeUs` (ZooKeeper's roundToNextInterval). */
  roundUp(timeUs: Micros): Micros {
    return (Math.floor(timeUs / this.tickUs) + 1) * this.tickUs;
  }

  /** Starts tracking a session (or extends it): expires at roundUp(now + timeout). */
  add(session: string, timeoutUs: Micros, nowUs: Micros): void {
    const tracked = this.sessions.get(session);
    if (tracked === undefined) this.sessions.set(session, { expiryUs: this.roundUp(nowUs + timeoutUs), timeoutUs, closing: false });
    else this.touch(session, nowUs);
  }

  /** A sign of life; false when the session is unknown or being closed (the client must be told it expired). */
  touch(session: string, nowUs: Micros): boolean {
    const tracked = this.sessions.get(session);
    if (tracked === undefined || tracked.closing) return false;
    tracked.expiryUs = Math.max(tracked.expiryUs, this.roundUp(nowUs + tracked.timeoutUs));
    return true;
  }

  has(session: string): boolean {
    return this.sessions.has(session);
  }

  isClosing(session: string): boolean {
    return this.sessions.get(session)?.closing === true;
  }

  /** Sessions whose expiry has come by `nowUs` and that are not being closed yet; marks them closing. */
  takeExpired(nowUs: Micros): string[] {
    const out: string[] = [];
    for (const [session, tracked] of this.sessions) {
      if (!tracked.closing && tracked.expiryUs <= nowUs) {
        tracked.closing = true;
        out.push(session);
      }
    }
    return out;
  }

  /** The session's current expiry time, for tests and notes. */
  expiryOf(session: string): Micros | undefined {
    return this.sessions.get(session)?.expiryUs;
  }

  remove(session: string): void {
    this.sessions.delete(session);
  }

  clear(): void {
    this.sessions.clear();
  }
}
