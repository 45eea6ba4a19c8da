/**
 * A raft-lock server: the Raft core replicating the lock state machine, plus
 * what only the leader does — take client requests, decide session expiry
 * by its own monotonic clock, and answer keep-alives.
 *
 * Models etcd's lessor: session deadlines live only in the leader's memory;
 * a new leader takes charge of sessions at its first commit (its own no-op
 * applied: etcd's `Promote`) and gives every live session the election
 * timeout (`electionTimeout.min`, etcd's configured one) plus the full TTL
 * (etcd's remaining TTL without lease checkpoints); before that it neither
 * expires nor renews. A session whose deadline passes is ended by an
 * `expire` entry the leader proposes, so every replica agrees on when (in
 * log order) it ended. Keep-alives are not logged; how the leader answers
 * one (and a poll for a request the log already settled, an ownership
 * check) is the `reads` knob: `read-index` confirms with a heartbeat round
 * that it still leads (Ongaro's ReadIndex; etcd 3.4.31 / 3.5.13 added such
 * a check to LeaseRenew), `lease` trusts its clock-based leader lease
 * (etcd's ReadOnlyLeaseBased), which a slow clock stretches past the moment
 * another leader took over, and `etcd-3.4` renews with no check at all, as
 * etcd 3.4.0's LeaseRenew: a deposed leader that has not yet heard of its
 * successor (cut off, its ticks stalled by a slow clock, so CheckQuorum has
 * not fired) keeps renewing (ownership checks still use ReadIndex there, as
 * etcd's linearizable reads do).
 *
 * Emits (on the leader, when the entry applies there): `granted {client,
 * token}`, `expired {owner, token}` when a session that held a permit ends,
 * `deleted {owner}` when a client cancels an acquire the service had
 * already granted (its own key deleted on request, as etcd's Mutex does),
 * `renewed {owner}` when a holder's session is renewed; the core emits
 * `elected`, `stepped-down`, `committed`. A new leader may apply an entry
 * that its predecessor already applied just before it was cut off (the
 * commit index had not reached the followers yet). Such a repeat is never
 * reported for a grant (only the leader of the entry's own term reports
 * grants, and only while its leader lease holds, so one may go unreported),
 * but is for an expiry (an unreported expiry would make the next grant look
 * illegal); `detail.index` and `detail.token` identify the repeat.
 * Not modelled: request batching, snapshots, learners.
 */
import type { DesignContext, Message, NodeApi, NodeHandlers, TimerId } from '../api/index.ts';
import type { Micros } from '../api/index.ts';
import type { RaftNode } from '../raft/core.ts';
import { RaftService } from '../raft/service.ts';
import type { LogEntry, Role } from '../raft/types.ts';
import type { RaftLockKnobs } from './knobs.ts';
import { isLockRequest, type LockGranted, type LockRedirect, type LockReply, type LockReplyResult, type LockRequest } from './protocol.ts';
import { LockStateMachine, type LockCommand } from './state-machine.ts';

interface ReplyTo {
  readonly client: string;
  readonly rid: string;
}

/** Builds server `index`; called at start and after every restart (state comes back from disk). */
export function createRaftLockServer(api: NodeApi, ctx: DesignContext<RaftLockKnobs>): NodeHandlers {
  return new RaftLockServer(api, ctx);
}

class RaftLockServer implements NodeHandlers {
  private readonly api: NodeApi;
  private readonly knobs: RaftLockKnobs;
  private readonly sm: LockStateMachine;
  /** The Raft member and the client answers it promised (leader-only, forgotten on every role change). */
  private readonly service: RaftService<LockCommand, ReplyTo>;
  private readonly raft: RaftNode<LockCommand>;
  // Leader-only, volatile:
  /** Session deadline by this leader's monotonic clock. */
  private readonly deadlineUs = new Map<string, Micros>();
  /** Sessions whose `expire` entry is proposed but not applied yet. */
  private readonly expiring = new Set<string>();
  /** Whether this leader took charge of the sessions (its first commit applied). */
  private promoted = false;
  /** Work waiting for the promotion (etcd-3.4 renewals); `false`: leadership was lost first. */
  private awaitingPromotion: Array<(promoted: boolean) => void> = [];
  private sweepTimer: TimerId | null = null;

  constructor(api: NodeApi, ctx: DesignContext<RaftLockKnobs>) {
    this.api = api;
    this.knobs = ctx.knobs;
    this.sm = new LockStateMachine(ctx.permits);
    this.service = new RaftService<LockCommand, ReplyTo>(api, {
      members: ctx.servers,
      timing: { electionTimeoutUs: ctx.knobs.electionTimeoutUs, heartbeatUs: ctx.knobs.heartbeatUs },
      apply: (index, entry, asLeader) => this.onApply(index, entry, asLeader),
      roleChanged: (role) => this.onRole(role),
    });
    this.raft = this.service.raft;
    this.service.start();
  }

  onMessage(from: string, msg: Message): void {
    if (this.raft.handle(from, msg)) return;
    if (isLockRequest(msg)) this.onRequest(from, msg);
  }

  // ---- client requests ---------------------------------------------------

  private onRequest(from: string, req: LockRequest): void {
    if (!this.raft.isLeader()) {
      this.redirect(from, req.rid);
      return;
    }
    const sm = this.sm;
    switch (req.op) {
      case 'keepalive':
        this.keepAlive(from, req);
        return;
      case 'open':
        if (sm.isLive(req.session)) this.reply(from, req.rid, { status: 'opened' });
        else if (sm.hasEnded(req.session)) this.reply(from, req.rid, { status: 'session-ended' });
        else this.propose(from, req.rid, { op: 'open', session: req.session, client: from });
        return;
      case 'acquire':
      case 'release':
      case 'cancel':
        // Answers already decided by committed entries (an ownership check) come from local state, once the
        // leader checked it still leads as `reads` says; anything new goes through the log.
        if (this.settled(req) !== undefined) this.read(from, req.rid, () => this.answerRequest(from, req));
        else this.answerRequest(from, req);
        return;
      case 'close':
        if (sm.hasEnded(req.session)) this.reply(from, req.rid, { status: 'closed' });
        else this.propose(from, req.rid, { op: 'close', session: req.session });
        return;
    }
  }

  /** The answer local state already holds for an acquire / release / cancel, if the log settled it. */
  private settled(req: LockRequest): LockReplyResult | undefined {
    if (req.op !== 'acquire' && req.op !== 'release' && req.op !== 'cancel') return undefined;
    const known = this.sm.statusOf(req.session, req.req);
    if (known === undefined) return undefined;
    if (req.op === 'acquire') return known;
    return known.status === 'released' || known.status === 'cancelled' ? known : undefined;
  }

  private answerRequest(from: string, req: LockRequest): void {
    if (req.op !== 'acquire' && req.op !== 'release' && req.op !== 'cancel') return;
    const known = this.settled(req);
    if (known !== undefined) this.reply(from, req.rid, known);
    else if (this.sm.hasEnded(req.session)) this.reply(from, req.rid, { status: 'session-ended' });
    else this.propose(from, req.rid, { op: req.op, session: req.session, req: req.req });
  }

  /** Runs `answer` once local state may be served as `reads` says (ReadIndex, or the leader lease); redirects if leadership is lost first. */
  private read(from: string, rid: string, answer: () => void): void {
    if (this.knobs.reads === 'lease' && this.raft.leaseValid()) {
      answer();
      return;
    }
    this.raft.confirmLeadership((ok) => (ok && this.raft.isLeader() ? answer() : this.redirect(from, rid)));
  }

  private keepAlive(from: string, req: LockRequest): void {
    const answer = (): void => {
      if (!this.raft.isLeader()) {
        this.redirect(from, req.rid);
        return;
      }
      if (this.sm.isLive(req.session) && !this.expiring.has(req.session)) {
        this.deadlineUs.set(req.session, this.api.monotonic() + this.knobs.sessionTtlUs);
        if (this.sm.holds(req.session)) this.api.emit({ kind: 'renewed', owner: from, session: req.session });
        this.reply(from, req.rid, { status: 'alive' });
      } else {
        this.reply(from, req.rid, { status: 'session-ended' });
      }
    };
    if (this.knobs.reads !== 'etcd-3.4') {
      this.read(from, req.rid, answer);
      return;
    }
    // etcd 3.4.0: no leadership check; only a leader that took charge of the sessions renews (a lessor that is
    // not primary cannot), so a renewal that reaches a new leader before its first commit waits for it.
    if (this.promoted) answer();
    else this.awaitingPromotion.push((promoted) => (promoted ? answer() : this.redirect(from, req.rid)));
  }

  private propose(from: string, rid: string, cmd: LockCommand): void {
    if (!this.service.propose(cmd, { client: from, rid })) this.redirect(from, rid);
  }

  private reply(to: string, rid: string, result: LockReplyResult): void {
    this.api.send(to, { type: 'lock.reply', rid, result } satisfies LockReply);
  }

  private redirect(to: string, rid: string): void {
    this.api.send(to, { type: 'lock.redirect', rid, leader: this.service.leaderHint() } satisfies LockRedirect);
  }

  // ---- applying the log ---------------------------------------------------

  private onApply(index: number, entry: LogEntry<LockCommand>, asLeader: boolean): void {
    const cmd = entry.cmd;
    if (cmd === null) {
      if (asLeader && entry.term === this.raft.term && !this.promoted) this.promote(index);
      return;
    }
    const applied = this.sm.apply(index, cmd);
    if (!asLeader) return;
    if (cmd.op === 'open' && applied.result.status === 'opened' && !this.deadlineUs.has(cmd.session)) {
      this.deadlineUs.set(cmd.session, this.api.monotonic() + this.knobs.sessionTtlUs);
    }
    if (cmd.op === 'close' || cmd.op === 'expire') {
      this.deadlineUs.delete(cmd.session);
      this.expiring.delete(cmd.session);
    }
    if (applied.ended !== null) {
      const { client, session, token, why } = applied.ended;
      if (why === 'cancelled') {
        // The client deleted its own grant on request (it had given that acquire up): not an expiry.
        this.api.note(`lock: cancelled ${client} session ${session} token ${token}`);
        this.api.emit({ kind: 'deleted', owner: client, session, why, index });
      } else {
        this.api.emit({ kind: 'expired', owner: client, session, token, why, index });
      }
    }
    if (applied.result.status === 'queued' && cmd.op === 'acquire') {
      this.api.note(`lock: queued ${this.sm.clientOf(cmd.session)} session ${cmd.session} behind ${applied.result.ahead} at ${index}`);
    }
    for (const grant of applied.grants) {
      this.api.note(`lock: granted ${grant.client} session ${grant.session} token ${grant.token}`);
      // Only the leader that appended the entry reports the grant (an older-term entry may already have been
      // applied and reported by its own leader: a grant reported twice looks like a token reused), and only
      // while its lease says no other leader can exist (a leader resuming from a pause may learn of a commit
      // late, after a newer leader granted higher tokens: reporting it then would misorder the grants).
      if (entry.term === this.raft.term && this.raft.leaseValid()) {
        this.api.emit({ kind: 'granted', client: grant.client, token: grant.token, session: grant.session, index });
      }
      if (cmd.op !== 'acquire') {
        // Wake only the one waiter that got the permit.
        this.api.send(grant.client, { type: 'lock.granted', session: grant.session, req: grant.req, token: grant.token } satisfies LockGranted);
      }
    }
    const to = this.service.answerFor(index, entry);
    if (to !== undefined) this.reply(to.client, to.rid, applied.result);
  }

  // ---- leadership and session expiry ------------------------------------

  private onRole(role: Role): void {
    this.deadlineUs.clear();
    this.expiring.clear();
    this.promoted = false;
    const waiting = this.awaitingPromotion;
    this.awaitingPromotion = [];
    for (const then of waiting) then(false);
    if (this.sweepTimer !== null) this.api.cancelTimer(this.sweepTimer);
    this.sweepTimer = null;
    if (role === 'leader') this.armSweep();
  }

  /**
   * etcd's `Promote`, at this leader's first commit: it cannot know when
   * sessions were last renewed, so it gives every live one the election
   * timeout plus the full TTL from now, and from now on renews and expires.
   */
  private promote(index: number): void {
    this.promoted = true;
    const deadlineUs = this.api.monotonic() + this.knobs.electionTimeoutUs.minUs + this.knobs.sessionTtlUs;
    const sessions = this.sm.liveSessions();
    for (const session of sessions) this.deadlineUs.set(session, deadlineUs);
    this.api.note(`lock: promoted at first commit ${index}: ${sessions.length} session(s) extended by electionTimeout.min + sessionTtl`);
    const waiting = this.awaitingPromotion;
    this.awaitingPromotion = [];
    for (const then of waiting) then(true);
  }

  private armSweep(): void {
    this.sweepTimer = this.api.setTimer(this.knobs.heartbeatUs, () => {
      this.sweepTimer = null;
      if (!this.raft.isLeader()) return;
      this.sweep();
      this.armSweep();
    }, 'session sweep');
  }

  /** Proposes an `expire` for every session whose deadline passed by this leader's clock. */
  private sweep(): void {
    if (!this.promoted) return; // not in charge of the sessions before the first commit
    const nowUs = this.api.monotonic();
    for (const session of this.sm.liveSessions()) {
      let deadline = this.deadlineUs.get(session);
      if (deadline === undefined) {
        deadline = nowUs + this.knobs.sessionTtlUs;
        this.deadlineUs.set(session, deadline);
      }
      if (nowUs >= deadline && !this.expiring.has(session)) {
        this.expiring.add(session);
        this.api.note(`session ${session} of ${this.sm.clientOf(session)} expired by the leader's clock`);
        this.raft.propose({ op: 'expire', session });
      }
    }
  }
}
