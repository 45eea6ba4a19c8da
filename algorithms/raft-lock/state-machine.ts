/**
 * The lock service's replicated state machine: sessions, a FIFO queue of
 * waiters and up to `permits` holders (1: a mutex, more: a semaphore).
 *
 * Models etcd's and Chubby's lock recipes over a log: a client opens a
 * session; `acquire` enqueues it and grants in arrival order; the fencing
 * token is the log index of the entry that made the grant (for a free lock,
 * the acquire itself; for a waiter, the release or session end that freed a
 * permit), so tokens strictly increase in grant order. A release or a
 * session's end frees its permit and grants only the next waiter (no
 * thundering herd). Every request carries an id, so a retried or duplicated
 * command is applied once; a session holds at most one live request, so an
 * entry frees and grants at most one permit. A client that gives up
 * acquiring (its acquireTimeout ran out, like cancelling etcd's Mutex.Lock,
 * which deletes the client's own key) sends `cancel`: it removes only that
 * request — a waiter leaves the queue, a grant nobody took is freed for the
 * next waiter — and leaves the session open; a cancelled request id stays
 * cancelled, so an acquire of it that arrives late does nothing.
 *
 * Deterministic and clock-free: when a session expires is decided outside,
 * by the leader's clock, and arrives here as an `expire` command. Not
 * modelled: lock-delay after a holder fails (Chubby), several locks.
 */

/** A command in the log. */
export type LockCommand =
  | { readonly op: 'open'; readonly session: string; readonly client: string }
  | { readonly op: 'acquire'; readonly session: string; readonly req: string }
  | { readonly op: 'release'; readonly session: string; readonly req: string }
  /** the client gave up this acquire (its acquireTimeout ran out): delete its own waiter or grant, keep the session */
  | { readonly op: 'cancel'; readonly session: string; readonly req: string }
  /** the client gave the session up (its lease ran out by its own clock) */
  | { readonly op: 'close'; readonly session: string }
  /** the leader measured the session as run out by its own clock */
  | { readonly op: 'expire'; readonly session: string };

/** What a command answers to the client that sent it. */
export type LockResult =
  | { readonly status: 'opened' }
  | { readonly status: 'held'; readonly token: number }
  | { readonly status: 'queued'; readonly ahead: number }
  | { readonly status: 'released' }
  /** a release of a request that never held (it was still queued), or a `cancel`: the request is gone */
  | { readonly status: 'cancelled' }
  | { readonly status: 'closed' }
  /** the session expired or was closed: the lock (if any) is gone */
  | { readonly status: 'session-ended' }
  /** a session may have one live request; this one asked for a second */
  | { readonly status: 'busy' };

/** A grant made by applying one entry. */
export interface LockGrant {
  readonly session: string;
  readonly client: string;
  readonly req: string;
  readonly token: number;
}

/** A grant that ended without the client releasing it: its session ended while holding, or the client cancelled an acquire the service had granted. */
export interface LockEnded {
  readonly session: string;
  readonly client: string;
  readonly token: number;
  readonly why: 'expired' | 'closed' | 'cancelled';
}

/** The outcome of applying one entry. */
export interface Applied {
  readonly result: LockResult;
  /** At most one: an entry frees at most one permit. */
  readonly grants: readonly LockGrant[];
  readonly ended: LockEnded | null;
}

type ReqState = { readonly kind: 'queued' } | { readonly kind: 'held'; readonly token: number } | { readonly kind: 'released' } | { readonly kind: 'cancelled' };

interface Session {
  readonly id: string;
  readonly client: string;
  readonly reqs: Map<string, ReqState>;
  /** The request that is queued or held now, if any. */
  live: string | null;
}

interface Waiter {
  readonly session: string;
  readonly req: string;
}

interface Holder extends Waiter {
  readonly token: number;
}

/** The lock/semaphore state, rebuilt on every node by applying the log in order. */
export class LockStateMachine {
  readonly permits: number;
  private readonly sessions = new Map<string, Session>();
  private readonly ended = new Set<string>();
  private holders: Holder[] = [];
  private queue: Waiter[] = [];
  private lastIndex = 0;

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new Error(`permits must be a whole number ≥ 1, got ${permits}`);
    this.permits = permits;
  }

  /** Applies entry `index` (indexes must increase). */
  apply(index: number, cmd: LockCommand): Applied {
    if (index <= this.lastIndex) throw new Error(`lock state machine: entry ${index} applied after ${this.lastIndex}`);
    this.lastIndex = index;
    const applied = this.dispatch(index, cmd);
    this.checkInvariants();
    return applied;
  }

  private dispatch(index: number, cmd: LockCommand): Applied {
    if (cmd.op === 'open') {
      if (this.ended.has(cmd.session)) return only({ status: 'session-ended' });
      if (!this.sessions.has(cmd.session)) this.sessions.set(cmd.session, { id: cmd.session, client: cmd.client, reqs: new Map(), live: null });
      return only({ status: 'opened' });
    }
    const session = this.sessions.get(cmd.session);
    if (session === undefined) return only({ status: 'session-ended' });
    switch (cmd.op) {
      case 'acquire':
        return this.acquire(index, session, cmd.req);
      case 'release':
        return this.release(index, session, cmd.req);
      case 'cancel':
        return this.cancel(index, session, cmd.req);
      case 'close':
      case 'expire':
        return this.end(index, session, cmd.op === 'close' ? 'closed' : 'expired');
    }
  }

  private acquire(index: number, session: Session, req: string): Applied {
    const known = session.reqs.get(req);
    if (known !== undefined) return only(this.describe(known, session, req)); // a retry or duplicate
    if (session.live !== null) return only({ status: 'busy' });
    session.live = req;
    if (this.holders.length < this.permits && this.queue.length === 0) {
      session.reqs.set(req, { kind: 'held', token: index });
      this.holders.push({ session: session.id, req, token: index });
      return { result: { status: 'held', token: index }, grants: [{ session: session.id, client: session.client, req, token: index }], ended: null };
    }
    session.reqs.set(req, { kind: 'queued' });
    this.queue.push({ session: session.id, req });
    return only({ status: 'queued', ahead: this.queue.length - 1 });
  }

  private release(index: number, session: Session, req: string): Applied {
    const state = session.reqs.get(req);
    if (state === undefined) return only({ status: 'released' }); // never seen: nothing to free
    if (state.kind === 'released' || state.kind === 'cancelled') return only(this.describe(state, session, req));
    session.live = null;
    if (state.kind === 'queued') {
      session.reqs.set(req, { kind: 'cancelled' });
      this.queue = this.queue.filter((w) => !(w.session === session.id && w.req === req));
      return only({ status: 'cancelled' });
    }
    session.reqs.set(req, { kind: 'released' });
    this.holders = this.holders.filter((h) => !(h.session === session.id && h.req === req));
    return { result: { status: 'released' }, grants: this.grantNext(index), ended: null };
  }

  private cancel(index: number, session: Session, req: string): Applied {
    const state = session.reqs.get(req);
    if (state === undefined) {
      // Never seen (the acquire is still on its way, or was lost): make sure it never takes effect.
      session.reqs.set(req, { kind: 'cancelled' });
      return only({ status: 'cancelled' });
    }
    if (state.kind === 'released' || state.kind === 'cancelled') return only({ status: 'cancelled' });
    session.live = null;
    session.reqs.set(req, { kind: 'cancelled' });
    if (state.kind === 'queued') {
      this.queue = this.queue.filter((w) => !(w.session === session.id && w.req === req));
      return only({ status: 'cancelled' });
    }
    // Granted while the client was giving up: free it for the next waiter.
    this.holders = this.holders.filter((h) => !(h.session === session.id && h.req === req));
    return { result: { status: 'cancelled' }, grants: this.grantNext(index), ended: { session: session.id, client: session.client, token: state.token, why: 'cancelled' } };
  }

  private end(index: number, session: Session, why: 'expired' | 'closed'): Applied {
    this.sessions.delete(session.id);
    this.ended.add(session.id);
    const held = this.holders.find((h) => h.session === session.id);
    this.holders = this.holders.filter((h) => h.session !== session.id);
    this.queue = this.queue.filter((w) => w.session !== session.id);
    const ended = held === undefined ? null : { session: session.id, client: session.client, token: held.token, why };
    return { result: { status: why === 'closed' ? 'closed' : 'session-ended' }, grants: held === undefined ? [] : this.grantNext(index), ended };
  }

  /** Grants the freed permit (at most one) to the head of the queue. */
  private grantNext(index: number): LockGrant[] {
    if (this.holders.length >= this.permits || this.queue.length === 0) return [];
    const next = this.queue.shift()!;
    const session = this.sessions.get(next.session);
    if (session === undefined || session.live !== next.req) throw new Error(`lock state machine: queued ${next.req} of a dead or moved-on session ${next.session}`);
    session.reqs.set(next.req, { kind: 'held', token: index });
    this.holders.push({ session: next.session, req: next.req, token: index });
    return [{ session: next.session, client: session.client, req: next.req, token: index }];
  }

  private describe(state: ReqState, session: Session, req: string): LockResult {
    switch (state.kind) {
      case 'held':
        return { status: 'held', token: state.token };
      case 'queued':
        return { status: 'queued', ahead: this.queue.findIndex((w) => w.session === session.id && w.req === req) };
      case 'released':
        return { status: 'released' };
      case 'cancelled':
        return { status: 'cancelled' };
    }
  }

  private checkInvariants(): void {
    if (this.holders.length > this.permits) throw new Error(`lock state machine: ${this.holders.length} holders for ${this.permits} permits`);
    if (this.queue.length > 0 && this.holders.length < this.permits) throw new Error('lock state machine: a permit is free while clients wait');
  }

  // ---- queries (local state: as fresh as this node's applied index) ----

  /** Whether a session is open (opened and not yet expired or closed). */
  isLive(session: string): boolean {
    return this.sessions.has(session);
  }

  /** Whether a session ended (expired or closed); such a session never comes back. */
  hasEnded(session: string): boolean {
    return this.ended.has(session);
  }

  /** The client a live session belongs to. */
  clientOf(session: string): string | undefined {
    return this.sessions.get(session)?.client;
  }

  /** Ids of every live session. */
  liveSessions(): string[] {
    return [...this.sessions.keys()];
  }

  /** The current answer for request `req` of a live session, or undefined if it is not known. */
  statusOf(session: string, req: string): LockResult | undefined {
    const s = this.sessions.get(session);
    const state = s?.reqs.get(req);
    return s === undefined || state === undefined ? undefined : this.describe(state, s, req);
  }

  /** Whether the session holds a permit now. */
  holds(session: string): boolean {
    return this.holders.some((h) => h.session === session);
  }

  /** Current holders (session, token), in grant order. */
  currentHolders(): ReadonlyArray<{ readonly session: string; readonly token: number }> {
    return this.holders;
  }

  /** Sessions waiting, in queue order. */
  waiting(): readonly string[] {
    return this.queue.map((w) => w.session);
  }
}

function only(result: LockResult): Applied {
  return { result, grants: [], ended: null };
}
