/**
 * The raft-lock client library, as etcd's clientv3 concurrency package
 * behaves: open a session, keep it alive, acquire by queueing in the log,
 * release, and give up the lock when the session is gone.
 *
 * Session lease: as etcd's clientv3 lessor, the client counts its session
 * as valid until `sessionTtl` after it *received* the last keep-alive reply
 * (its own monotonic clock). The leader renewed a little earlier, when it
 * answered, so the client's deadline is later than the leader's by the
 * reply's transit (and by any pause between the reply's arrival and its
 * handling): a client that stops hearing the service may still believe for
 * those milliseconds after the leader expired its session. When the lease
 * runs out, or the service says the session ended, the client calls
 * `lost(...)` if it held the lock and asks the service to close the session.
 * Acquire: the `req` id stays the same across retries, so a retried acquire
 * is queued and granted once; while queued the client waits for the
 * leader's push and polls in case it was lost. Abandon (acquireTimeout, like
 * cancelling etcd's Mutex.Lock, which deletes only the client's own key):
 * the client cancels that one request — its waiter leaves the queue, a
 * permit granted meanwhile is freed — and keeps its session; its next
 * acquire waits until the cancel was answered (nothing is ever reported
 * after an abandon). Not modelled: several locks per session, reconnect
 * back-off growth, the keep-alive period following the TTL (etcd: TTL/3).
 */
import type { DesignContext, Grant, LockClient, LostListener, Message, NodeApi, TimerId } from '../api/index.ts';
import { US_PER_S, type Micros } from '../api/index.ts';
import { LeaderLink, type Call } from '../shared/leader-link.ts';
import type { RaftLockKnobs } from './knobs.ts';
import type { LockReplyResult, LockRequestBody } from './protocol.ts';

interface Session {
  readonly id: string;
  opened: boolean;
  /** Valid until this monotonic time (set once opened). */
  leaseEndUs: Micros;
  readonly onOpen: Array<() => void>;
  openCall: Call | null;
  keepAliveCall: Call | null;
  keepAliveTimer: TimerId | null;
  leaseTimer: TimerId | null;
}

interface Acquiring {
  req: string;
  readonly done: (grant: Grant | null) => void;
  call: Call | null;
  pollTimer: TimerId | null;
  /** Whether an acquire for `req` was sent in the current session (so an abandon must cancel it). */
  sent: boolean;
}

/** An abandoned acquire being cancelled, and what waits for the answer. */
interface Cancelling {
  readonly session: string;
  readonly call: Call;
  readonly then: Array<() => void>;
}

interface Held {
  readonly session: string;
  readonly req: string;
  readonly token: number;
}

/** Builds the client half on a client node. */
export function createRaftLockClient(api: NodeApi, ctx: DesignContext<RaftLockKnobs>, lost: LostListener): LockClient {
  return new RaftLockClient(api, ctx.knobs, ctx.servers, lost);
}

class RaftLockClient implements LockClient {
  private readonly api: NodeApi;
  private readonly knobs: RaftLockKnobs;
  private readonly lost: LostListener;
  private readonly link: LeaderLink<LockRequestBody, LockReplyResult>;
  /** How often a queued acquire asks again, in case the grant push was lost. */
  private readonly pollUs: Micros;
  private session: Session | null = null;
  private acquiring: Acquiring | null = null;
  private held: Held | null = null;
  private releasing: { readonly session: string; readonly done: (ok: boolean | null) => void; readonly call: Call } | null = null;
  private cancelling: Cancelling | null = null;
  private seq = 0;

  constructor(api: NodeApi, knobs: RaftLockKnobs, servers: readonly string[], lost: LostListener) {
    this.api = api;
    this.knobs = knobs;
    this.lost = lost;
    const timeoutUs = Math.max(knobs.electionTimeoutUs.maxUs, 4 * knobs.heartbeatUs);
    // A fresh rid per attempt: the lock-level ids (`session`, `req`) make every command idempotent.
    this.link = new LeaderLink(api, {
      design: 'raft-lock',
      servers,
      timeoutUs,
      backoffUs: knobs.heartbeatUs,
      types: { request: 'lock.request', reply: 'lock.reply', redirect: 'lock.redirect' },
      ids: 'per-attempt',
      firstTarget: 'random',
      oneCallAtATime: false,
    });
    this.pollUs = Math.min(knobs.keepAliveUs, 1 * US_PER_S);
  }

  // ---- LockClient --------------------------------------------------------

  acquire(done: (grant: Grant | null) => void): void {
    if (this.acquiring !== null) throw new Error(`${this.api.id}: acquire while another acquire is outstanding`);
    if (this.held !== null) throw new Error(`${this.api.id}: acquire while holding token ${this.held.token}`);
    this.acquiring = { req: this.newId('q'), done, call: null, pollTimer: null, sent: false };
    this.withSession(() => this.afterCancel(() => this.sendAcquire()));
  }

  abandon(): void {
    const a = this.acquiring;
    if (a === null) return;
    this.acquiring = null;
    this.stopAcquire(a);
    const s = this.session;
    if (s === null || !s.opened || !a.sent) return; // nothing reached the service in this session
    // Delete only our own waiter (or a grant we will never take); the session lives on.
    if (this.cancelling !== null) throw new Error(`${this.api.id}: a second cancel while one is outstanding`);
    const c: Cancelling = {
      session: s.id,
      then: [],
      call: this.link.call({ op: 'cancel', session: s.id, req: a.req }, (result) => {
        if (this.cancelling !== c) return;
        this.cancelling = null;
        if (result.status === 'session-ended') this.sessionDied(s, 'the service ended the session');
        for (const then of c.then.splice(0)) then();
      }),
    };
    this.cancelling = c;
  }

  release(done: (ok: boolean | null) => void): void {
    const held = this.held;
    this.held = null;
    const s = this.session;
    if (held === null || s === null || s.id !== held.session) {
      done(false); // the lock was already lost (and the workload was told)
      return;
    }
    if (this.releasing !== null) throw new Error(`${this.api.id}: release while another release is outstanding`);
    const call = this.link.call({ op: 'release', session: s.id, req: held.req }, (result) => {
      this.releasing = null;
      // 'session-ended': the service had already ended our session, and with it the lock.
      done(result.status === 'released');
    });
    this.releasing = { session: s.id, done, call };
  }

  stillValid(): boolean {
    return this.held !== null && this.session !== null && this.session.id === this.held.session && this.api.monotonic() < this.session.leaseEndUs;
  }

  onMessage(from: string, msg: Message): void {
    if (this.link.handle(from, msg)) return;
    if (msg.type === 'lock.granted') {
      const a = this.acquiring;
      const s = this.session;
      if (a !== null && s !== null && msg.session === s.id && msg.req === a.req) this.granted(a, s, msg.token as number);
    }
  }

  // ---- sessions ----------------------------------------------------------

  private newId(kind: string): string {
    return `${this.api.id}-${kind}${++this.seq}-${this.api.rng.id()}`;
  }

  /** Runs `then` once a session is open (opening one if needed). */
  private withSession(then: () => void): void {
    const s = this.session ?? this.openSession();
    if (s.opened) then();
    else s.onOpen.push(then);
  }

  /** Runs `then` once no cancel is outstanding (a session has one live request at a time). */
  private afterCancel(then: () => void): void {
    if (this.cancelling === null) then();
    else this.cancelling.then.push(then);
  }

  private openSession(): Session {
    const s: Session = { id: this.newId('s'), opened: false, leaseEndUs: 0, onOpen: [], openCall: null, keepAliveCall: null, keepAliveTimer: null, leaseTimer: null };
    this.session = s;
    s.openCall = this.link.call({ op: 'open', session: s.id }, (result) => {
      s.openCall = null;
      if (this.session !== s) return;
      if (result.status !== 'opened') {
        this.sessionDied(s, `the service refused to open the session (${result.status})`);
        return;
      }
      s.opened = true;
      this.extendLease(s);
      this.scheduleKeepAlive(s);
      const waiting = s.onOpen.splice(0);
      for (const then of waiting) then();
    });
    return s;
  }

  private scheduleKeepAlive(s: Session): void {
    s.keepAliveTimer = this.api.setTimer(this.knobs.keepAliveUs, () => {
      s.keepAliveTimer = null;
      if (this.session !== s) return;
      s.keepAliveCall = this.link.call({ op: 'keepalive', session: s.id }, (result) => {
        s.keepAliveCall = null;
        if (this.session !== s) return;
        if (result.status === 'alive') {
          this.extendLease(s);
          this.scheduleKeepAlive(s);
        } else {
          this.sessionDied(s, 'the service ended the session');
        }
      });
    }, 'keep-alive');
  }

  /** The lease runs `sessionTtl` from now, the reply's receipt (etcd clientv3: `deadline = now + TTL`). */
  private extendLease(s: Session): void {
    s.leaseEndUs = Math.max(s.leaseEndUs, this.api.monotonic() + this.knobs.sessionTtlUs);
    if (s.leaseTimer !== null) this.api.cancelTimer(s.leaseTimer);
    s.leaseTimer = this.api.setTimer(Math.max(0, s.leaseEndUs - this.api.monotonic()), () => {
      s.leaseTimer = null;
      if (this.session === s && this.api.monotonic() >= s.leaseEndUs) this.sessionDied(s, 'session lease ran out by own clock');
    }, 'lease end');
  }

  /** Forgets a session and asks the service to close it (best effort, until the service would have expired it anyway). */
  private dropSession(s: Session): void {
    if (this.session === s) this.session = null;
    if (this.cancelling !== null && this.cancelling.session === s.id) {
      // The session's end deletes the cancelled request too: whatever waited goes on (in a fresh session).
      const c = this.cancelling;
      this.cancelling = null;
      c.call.cancel();
      for (const then of c.then.splice(0)) then();
    }
    for (const timer of [s.keepAliveTimer, s.leaseTimer]) if (timer !== null) this.api.cancelTimer(timer);
    s.keepAliveTimer = s.leaseTimer = null;
    s.openCall?.cancel();
    s.keepAliveCall?.cancel();
    s.openCall = s.keepAliveCall = null;
    const close = this.link.call({ op: 'close', session: s.id }, () => {});
    this.api.setTimer(this.knobs.sessionTtlUs, () => close.cancel(), 'session close');
  }

  /** The session is gone (lease ran out or the service ended it): give up the lock, then carry on. */
  private sessionDied(s: Session, reason: string): void {
    if (this.session !== s) return;
    this.dropSession(s);
    if (this.releasing !== null && this.releasing.session === s.id) {
      const r = this.releasing;
      this.releasing = null;
      r.call.cancel();
      r.done(null); // no answer: the release may or may not have been applied
    }
    const a = this.acquiring;
    if (a !== null) {
      // Still wanted: start over in a fresh session with a fresh request id.
      this.stopAcquire(a);
      a.req = this.newId('q');
      a.sent = false;
      this.withSession(() => this.afterCancel(() => this.sendAcquire()));
    }
    if (this.held !== null && this.held.session === s.id) {
      this.held = null;
      this.lost(reason);
    }
  }

  // ---- acquiring ---------------------------------------------------------

  private sendAcquire(): void {
    const a = this.acquiring;
    const s = this.session;
    if (a === null || s === null || !s.opened) return;
    a.call?.cancel();
    a.sent = true;
    a.call = this.link.call({ op: 'acquire', session: s.id, req: a.req }, (result) => this.onAcquireResult(a, s, result));
  }

  private onAcquireResult(a: Acquiring, s: Session, result: LockReplyResult): void {
    if (this.acquiring !== a || this.session !== s) return;
    a.call = null;
    switch (result.status) {
      case 'held':
        this.granted(a, s, result.token);
        return;
      case 'queued':
        if (a.pollTimer === null) {
          a.pollTimer = this.api.setTimer(this.pollUs, () => {
            a.pollTimer = null;
            if (this.acquiring === a && this.session === s) this.sendAcquire();
          }, 'poll');
        }
        return;
      case 'session-ended':
        this.sessionDied(s, 'the service ended the session');
        return;
      default:
        throw new Error(`${this.api.id}: unexpected answer ${JSON.stringify(result)} to acquire ${a.req}`);
    }
  }

  private granted(a: Acquiring, s: Session, token: number): void {
    if (this.api.monotonic() >= s.leaseEndUs) {
      // The grant came after our lease ran out (e.g. we were paused): we cannot trust it.
      this.sessionDied(s, 'granted after the session lease ran out');
      return;
    }
    this.acquiring = null;
    this.stopAcquire(a);
    this.held = { session: s.id, req: a.req, token };
    a.done({ token });
  }

  private stopAcquire(a: Acquiring): void {
    a.call?.cancel();
    a.call = null;
    if (a.pollTimer !== null) this.api.cancelTimer(a.pollTimer);
    a.pollTimer = null;
  }
}
