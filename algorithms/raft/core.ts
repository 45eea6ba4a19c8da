/**
 * The Raft consensus core (Ongaro & Ousterhout, "In Search of an
 * Understandable Consensus Algorithm", plus the thesis's PreVote and
 * CheckQuorum), generic over the replicated state machine.
 *
 * Models: randomized election timeouts; PreVote (a node that cannot win
 * never bumps its term, so an isolated node rejoining cannot depose a
 * healthy leader); leader stickiness (a node that heard a leader within
 * `electionTimeout.min` ignores (pre)votes, as etcd does under CheckQuorum);
 * CheckQuorum (a leader that has not heard a quorum for `electionTimeout.max`
 * steps down); RequestVote with the up-to-date-log rule; AppendEntries with
 * the consistency check, conflict truncation and fast backtracking; commit
 * by majority only for entries of the leader's term (§5.4.2); a no-op on
 * taking office; term, vote and log persisted and fsynced before any reply
 * that depends on them, reloaded on restart; ReadIndex and the leader lease
 * for reads (see rounds.ts).
 *
 * Not modelled: membership changes, snapshots, leadership transfer, flow
 * control beyond a batch limit.
 *
 * Emits `elected {term}`, `stepped-down {term}` and, on every node for every
 * entry it applies, `committed {index, term, digest}`. The commit index is
 * stored as a hint and a leader broadcasts as soon as it advances, so that a
 * successor (or a restarted node) rarely re-applies as leader an entry an
 * earlier leader already applied: `hooks.apply`'s `asLeader` then marks the
 * one node that decided it.
 *
 * An invariant broken by the environment (a node that lost its disk with
 * `durable: "none"` can vote twice, so two leaders may share a term) makes
 * the node panic like etcd does: it notes why and stops handling anything.
 */
import { majority, type Message, type Micros, type NodeApi, type TimerId } from '../api/index.ts';
import { digestOf, RaftLog, type ReadonlyRaftLog } from './log.ts';
import { isRaftMessage, type AppendReply, type AppendRequest, type VoteReply, type VoteRequest } from './messages.ts';
import { HeartbeatRounds } from './rounds.ts';
import type { LogEntry, RaftHooks, RaftOptions, RaftTiming, Role } from './types.ts';

const DEFAULT_MAX_BATCH = 64;

interface PendingRead {
  /** The round whose quorum acknowledgement confirms this read. */
  readonly round: number;
  readonly done: (ok: boolean) => void;
}

/** One Raft member running on one node. Build it in the server's constructor (it reloads from disk), then `start()` it. */
export class RaftNode<C> {
  private readonly store: RaftLog<C>;
  private readonly api: NodeApi;
  private readonly self: string;
  private readonly peers: readonly string[];
  private readonly quorum: number;
  private readonly timing: RaftTiming;
  private readonly hooks: RaftHooks<C>;
  private readonly maxBatch: number;

  private roleNow: Role = 'follower';
  private leaderNow: string | null = null;
  private commit = 0;
  private applied = 0;
  private applying = false;
  private panicReason: string | null = null;
  private started = false;

  private electionTimer: TimerId | null = null;
  private heartbeatTimer: TimerId | null = null;
  /** Follower: when (monotonic) the current leader was last heard. */
  private leaderHeardUs: Micros | null = null;
  /** (Pre)candidate: who granted us their (pre)vote. */
  private votes = new Set<string>();

  // Leader-only state.
  private readonly nextIndex = new Map<string, number>();
  private readonly matchIndex = new Map<string, number>();
  private rounds: HeartbeatRounds | null = null;
  private leaderSinceUs: Micros = 0;
  /** Index of the no-op this leader appended on taking office. */
  private termStartIndex = 0;
  private pendingReads: PendingRead[] = [];

  constructor(api: NodeApi, options: RaftOptions<C>) {
    if (!options.members.includes(api.id)) throw new Error(`raft: ${api.id} is not among the members ${options.members.join(', ')}`);
    if (options.timing.electionTimeoutUs.minUs <= 0) throw new Error('raft: electionTimeout.min must be positive');
    if (options.timing.heartbeatUs <= 0) throw new Error('raft: heartbeat must be positive');
    this.api = api;
    this.self = api.id;
    this.peers = options.members.filter((member) => member !== api.id);
    this.quorum = majority(options.members.length);
    this.timing = options.timing;
    this.hooks = options.hooks;
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.store = new RaftLog<C>(api.disk, options.diskPrefix ?? 'raft');
  }

  /**
   * Starts the node: re-applies the entries a previous incarnation knew were
   * committed (as a follower, so nothing is reported as a new decision), then
   * arms the election timer. Call once, after the owner's own state exists.
   */
  start(): void {
    if (this.started) throw new Error(`raft ${this.self}: started twice`);
    this.started = true;
    this.commit = this.store.storedCommit();
    this.applyCommitted();
    this.resetElectionTimer();
  }

  // ---- queries ---------------------------------------------------------

  /** The persistent state, read-only (for tests and the state machine's server). */
  get log(): ReadonlyRaftLog<C> {
    return this.store;
  }

  /** The current term. */
  get term(): number {
    return this.store.term;
  }

  get role(): Role {
    return this.roleNow;
  }

  /** The leader this node believes in (itself when leader), or null. */
  get leader(): string | null {
    return this.leaderNow;
  }

  get commitIndex(): number {
    return this.commit;
  }

  get lastApplied(): number {
    return this.applied;
  }

  /** Why the node panicked, or null if it did not. */
  get panicked(): string | null {
    return this.panicReason;
  }

  isLeader(): boolean {
    return this.roleNow === 'leader';
  }

  /** A leader may serve reads once it committed an entry of its own term (its no-op): its state is then complete. */
  readyForReads(): boolean {
    return this.roleNow === 'leader' && this.commit >= this.termStartIndex;
  }

  /**
   * The leader lease: true while a quorum acknowledged a round sent less than
   * `electionTimeout.min` ago by this node's monotonic clock. Trusting it
   * assumes clocks run at the same speed; a slow clock stretches it.
   */
  leaseValid(): boolean {
    if (!this.readyForReads() || this.rounds === null) return false;
    const sentAtUs = this.rounds.quorumSentAtUs();
    return sentAtUs !== undefined && this.api.monotonic() < sentAtUs + this.timing.electionTimeoutUs.minUs;
  }

  // ---- commands --------------------------------------------------------

  /** Appends a command to the log if this node is leader; returns its index, or null when not leader. */
  propose(cmd: C): number | null {
    if (this.panicReason !== null || this.roleNow !== 'leader') return null;
    this.store.append({ term: this.store.term, cmd });
    this.store.sync();
    const index = this.store.lastIndex;
    this.broadcast();
    this.advanceCommit();
    return index;
  }

  /**
   * ReadIndex: calls `done(true)` once a quorum acknowledged a heartbeat round
   * started after this call and the leader's no-op is committed (so applied
   * state is at least as new as anything committed before the call);
   * `done(false)` if the node is or becomes not leader first.
   */
  confirmLeadership(done: (ok: boolean) => void): void {
    if (this.panicReason !== null || this.roleNow !== 'leader' || this.rounds === null) {
      done(false);
      return;
    }
    this.pendingReads.push({ round: this.rounds.round + 1, done });
    this.broadcast();
    this.resolveReads();
  }

  /** Routes a message; returns false when it is not a Raft message. */
  handle(from: string, msg: Message): boolean {
    if (!isRaftMessage(msg)) return false;
    if (!this.started) throw new Error(`raft ${this.self}: message before start()`);
    if (this.panicReason !== null) return true;
    if (from === this.self || !this.peers.includes(from)) return true;
    switch (msg.type) {
      case 'raft.prevote':
        this.onPreVote(from, msg);
        break;
      case 'raft.vote':
        this.onVote(from, msg);
        break;
      case 'raft.prevote-reply':
        this.onPreVoteReply(from, msg);
        break;
      case 'raft.vote-reply':
        this.onVoteReply(from, msg);
        break;
      case 'raft.append':
        this.onAppend(from, msg as AppendRequest<C>);
        break;
      case 'raft.append-reply':
        this.onAppendReply(from, msg);
        break;
    }
    return true;
  }

  // ---- elections -------------------------------------------------------

  private resetElectionTimer(): void {
    if (this.electionTimer !== null) this.api.cancelTimer(this.electionTimer);
    const { minUs, maxUs } = this.timing.electionTimeoutUs;
    const delayUs = minUs === maxUs ? minUs : this.api.rng.int(minUs, maxUs);
    this.electionTimer = this.api.setTimer(delayUs, () => {
      this.electionTimer = null;
      if (this.panicReason !== null || this.roleNow === 'leader') return;
      this.startPreVote();
    }, 'election');
  }

  private cancelElectionTimer(): void {
    if (this.electionTimer !== null) this.api.cancelTimer(this.electionTimer);
    this.electionTimer = null;
  }

  /** Whether this node still trusts a leader it heard recently, and so ignores (pre)votes for a higher term. */
  private inLease(): boolean {
    const nowUs = this.api.monotonic();
    if (this.roleNow === 'leader') {
      const sentAtUs = this.rounds?.quorumSentAtUs() ?? this.leaderSinceUs;
      return nowUs - sentAtUs < this.timing.electionTimeoutUs.minUs;
    }
    return this.roleNow === 'follower' && this.leaderNow !== null && this.leaderHeardUs !== null && nowUs - this.leaderHeardUs < this.timing.electionTimeoutUs.minUs;
  }

  private startPreVote(): void {
    const before = this.roleNow;
    this.roleNow = 'pre-candidate';
    this.leaderNow = null;
    this.votes = new Set([this.self]);
    this.resetElectionTimer();
    if (before !== 'pre-candidate') this.hooks.roleChanged?.('pre-candidate', this.store.term);
    if (this.votes.size >= this.quorum) {
      this.startElection();
      return;
    }
    const ask: VoteRequest = { type: 'raft.prevote', term: this.store.term + 1, lastLogIndex: this.store.lastIndex, lastLogTerm: this.store.lastTerm };
    for (const peer of this.peers) this.api.send(peer, ask);
  }

  private startElection(): void {
    this.roleNow = 'candidate';
    this.leaderNow = null;
    this.store.setHardState(this.store.term + 1, this.self);
    this.store.sync();
    this.votes = new Set([this.self]);
    this.resetElectionTimer();
    this.hooks.roleChanged?.('candidate', this.store.term);
    if (this.votes.size >= this.quorum) {
      this.becomeLeader();
      return;
    }
    const ask: VoteRequest = { type: 'raft.vote', term: this.store.term, lastLogIndex: this.store.lastIndex, lastLogTerm: this.store.lastTerm };
    for (const peer of this.peers) this.api.send(peer, ask);
  }

  private onPreVote(from: string, msg: VoteRequest): void {
    // A PreVote never changes our state: grant only if a real vote would be granted and we have no live leader.
    const granted = msg.term > this.store.term && !this.inLease() && this.store.isUpToDate(msg.lastLogTerm, msg.lastLogIndex);
    const reply: VoteReply = { type: 'raft.prevote-reply', term: granted ? msg.term : this.store.term, granted };
    this.api.send(from, reply);
  }

  private onVote(from: string, msg: VoteRequest): void {
    if (msg.term > this.store.term && this.inLease()) {
      // Leader stickiness: a disruptive candidate does not even bump our term.
      this.api.send(from, { type: 'raft.vote-reply', term: this.store.term, granted: false } satisfies VoteReply);
      return;
    }
    if (msg.term > this.store.term) this.stepDown(msg.term, null);
    const votedFor = this.store.votedFor;
    const granted = msg.term === this.store.term && (votedFor === null || votedFor === from) && this.store.isUpToDate(msg.lastLogTerm, msg.lastLogIndex);
    if (granted) {
      this.store.setHardState(this.store.term, from);
      this.resetElectionTimer();
    }
    this.store.sync();
    this.api.send(from, { type: 'raft.vote-reply', term: this.store.term, granted } satisfies VoteReply);
  }

  private onPreVoteReply(from: string, msg: VoteReply): void {
    if (this.roleNow !== 'pre-candidate') return;
    if (msg.granted && msg.term === this.store.term + 1) {
      this.votes.add(from);
      if (this.votes.size >= this.quorum) this.startElection();
    } else if (!msg.granted && msg.term > this.store.term) {
      this.stepDown(msg.term, null);
    }
  }

  private onVoteReply(from: string, msg: VoteReply): void {
    if (msg.term > this.store.term) {
      this.stepDown(msg.term, null);
      return;
    }
    if (this.roleNow !== 'candidate' || msg.term !== this.store.term || !msg.granted) return;
    this.votes.add(from);
    if (this.votes.size >= this.quorum) this.becomeLeader();
  }

  private becomeLeader(): void {
    if (this.roleNow !== 'candidate') throw new Error(`raft ${this.self}: becomeLeader from ${this.roleNow}`);
    this.roleNow = 'leader';
    this.leaderNow = this.self;
    this.cancelElectionTimer();
    this.leaderSinceUs = this.api.monotonic();
    this.rounds = new HeartbeatRounds(this.peers, this.quorum);
    for (const peer of this.peers) {
      this.nextIndex.set(peer, this.store.lastIndex + 1);
      this.matchIndex.set(peer, 0);
    }
    this.store.append({ term: this.store.term, cmd: null });
    this.store.sync();
    this.termStartIndex = this.store.lastIndex;
    this.api.emit({ kind: 'elected', term: this.store.term });
    this.api.note(`raft: leader of term ${this.store.term}`);
    this.hooks.roleChanged?.('leader', this.store.term);
    if (this.roleNow !== 'leader') return; // the hook may not depose us, but stay defensive
    this.broadcast();
    this.armHeartbeat();
    this.advanceCommit();
  }

  /** Becomes a follower of `term` (which must not be lower than ours), believing in `leader`. */
  private stepDown(term: number, leader: string | null): void {
    if (term < this.store.term) throw new Error(`raft ${this.self}: stepDown to older term ${term} < ${this.store.term}`);
    const before = this.roleNow;
    const oldTerm = this.store.term;
    if (term > this.store.term) this.store.setHardState(term, null);
    if (before === 'leader') {
      if (this.heartbeatTimer !== null) this.api.cancelTimer(this.heartbeatTimer);
      this.heartbeatTimer = null;
      this.rounds = null;
      const reads = this.pendingReads;
      this.pendingReads = [];
      for (const read of reads) read.done(false);
    }
    this.roleNow = 'follower';
    this.leaderNow = leader;
    this.leaderHeardUs = leader === null ? null : this.api.monotonic();
    this.resetElectionTimer();
    if (before === 'leader') {
      this.api.emit({ kind: 'stepped-down', term: oldTerm });
      this.api.note(`raft: stepped down from term ${oldTerm} (now term ${this.store.term})`);
    }
    if (before !== 'follower') this.hooks.roleChanged?.('follower', this.store.term);
  }

  // ---- replication -----------------------------------------------------

  /** Starts a heartbeat round: AppendEntries (with whatever each follower lacks) to every follower. */
  private broadcast(): void {
    if (this.roleNow !== 'leader' || this.rounds === null) throw new Error(`raft ${this.self}: broadcast while ${this.roleNow}`);
    const round = this.rounds.next(this.api.monotonic());
    for (const peer of this.peers) this.sendAppend(peer, round);
    this.resolveReads(); // a one-member cluster confirms at once
  }

  /** The leader's periodic tick: CheckQuorum, then a heartbeat round. Not reset by proposals, so the check always runs. */
  private armHeartbeat(): void {
    this.heartbeatTimer = this.api.setTimer(this.timing.heartbeatUs, () => {
      this.heartbeatTimer = null;
      if (this.panicReason !== null || this.roleNow !== 'leader') return;
      if (this.lostQuorum()) {
        this.stepDown(this.store.term, null);
        return;
      }
      this.broadcast();
      this.armHeartbeat();
    }, 'heartbeat');
  }

  /** CheckQuorum: no quorum acknowledged anything sent within `electionTimeout.max`. */
  private lostQuorum(): boolean {
    const sentAtUs = this.rounds?.quorumSentAtUs() ?? this.leaderSinceUs;
    return this.api.monotonic() - sentAtUs > this.timing.electionTimeoutUs.maxUs;
  }

  private sendAppend(peer: string, round: number): void {
    const next = this.nextIndex.get(peer)!;
    const prevIndex = next - 1;
    const prevTerm = this.store.termAt(prevIndex);
    if (prevTerm === undefined) throw new Error(`raft ${this.self}: nextIndex ${next} for ${peer} beyond log end ${this.store.lastIndex}`);
    const msg: AppendRequest<C> = {
      type: 'raft.append',
      term: this.store.term,
      prevIndex,
      prevTerm,
      entries: this.store.slice(next, this.maxBatch),
      commit: this.commit,
      round,
    };
    this.api.send(peer, msg);
  }

  private onAppend(from: string, msg: AppendRequest<C>): void {
    const reject = (conflictIndex: number): void => {
      this.store.sync();
      const reply: AppendReply = { type: 'raft.append-reply', term: this.store.term, success: false, matchIndex: 0, conflictIndex, round: msg.round };
      this.api.send(from, reply);
    };
    if (msg.term < this.store.term) {
      reject(0);
      return;
    }
    if (msg.term === this.store.term && this.roleNow === 'leader') {
      this.panic(`two leaders in term ${msg.term}: ${this.self} and ${from}`);
      return;
    }
    if (msg.term > this.store.term || this.roleNow !== 'follower') this.stepDown(msg.term, from);
    this.leaderNow = from;
    this.leaderHeardUs = this.api.monotonic();
    this.resetElectionTimer();

    if (msg.prevIndex > this.store.lastIndex) {
      reject(this.store.lastIndex + 1);
      return;
    }
    if (this.store.termAt(msg.prevIndex) !== msg.prevTerm) {
      if (msg.prevIndex <= this.commit) {
        this.panic(`leader ${from} disagrees with committed entry ${msg.prevIndex}`);
        return;
      }
      reject(Math.max(this.commit + 1, this.store.firstIndexOfTerm(msg.prevIndex)));
      return;
    }
    let index = msg.prevIndex;
    for (const entry of msg.entries) {
      index++;
      if (index <= this.store.lastIndex) {
        if (this.store.termAt(index) === entry.term) continue; // already have it (a duplicate or reordered append)
        if (index <= this.commit) {
          this.panic(`leader ${from} would overwrite committed entry ${index}`);
          return;
        }
        this.store.truncateAfter(index - 1);
      }
      this.store.append(entry);
    }
    this.store.sync();
    const matchIndex = msg.prevIndex + msg.entries.length;
    const reply: AppendReply = { type: 'raft.append-reply', term: this.store.term, success: true, matchIndex, conflictIndex: 0, round: msg.round };
    this.api.send(from, reply);
    const commit = Math.min(msg.commit, matchIndex);
    if (commit > this.commit) {
      this.commit = commit;
      this.store.storeCommit(commit);
      this.applyCommitted();
    }
  }

  private onAppendReply(from: string, msg: AppendReply): void {
    if (msg.term > this.store.term) {
      this.stepDown(msg.term, null);
      return;
    }
    if (this.roleNow !== 'leader' || msg.term !== this.store.term || this.rounds === null) return;
    if (msg.round > this.rounds.round) {
      // Only possible if an earlier incarnation led this same term: it lost its disk and voted again.
      this.panic(`${from} acknowledged round ${msg.round} of term ${msg.term}, which this process never sent`);
      return;
    }
    this.rounds.ack(from, msg.round);
    const match = this.matchIndex.get(from)!;
    const next = this.nextIndex.get(from)!;
    if (msg.success) {
      if (msg.matchIndex > this.store.lastIndex) throw new Error(`raft ${this.self}: ${from} matched ${msg.matchIndex} beyond our log end ${this.store.lastIndex}`);
      if (msg.matchIndex > match) {
        this.matchIndex.set(from, msg.matchIndex);
        this.nextIndex.set(from, Math.max(next, msg.matchIndex + 1));
        this.advanceCommit();
        if (this.roleNow === 'leader' && this.nextIndex.get(from)! <= this.store.lastIndex) this.sendAppend(from, this.rounds.round);
      }
    } else {
      const retry = Math.min(Math.max(msg.conflictIndex, match + 1), this.store.lastIndex + 1);
      if (retry < next) {
        this.nextIndex.set(from, retry);
        this.sendAppend(from, this.rounds.round);
      }
    }
    this.resolveReads();
  }

  /** Commits the highest index of the current term stored on a quorum (§5.4.2: never count replicas of older terms). */
  private advanceCommit(): void {
    if (this.roleNow !== 'leader') return;
    for (let n = this.store.lastIndex; n > this.commit; n--) {
      if (this.store.termAt(n) !== this.store.term) break;
      let count = 1;
      for (const peer of this.peers) if (this.matchIndex.get(peer)! >= n) count++;
      if (count >= this.quorum) {
        this.commit = n;
        this.store.storeCommit(n);
        this.applyCommitted();
        // Tell followers now, so a successor leader knows these entries were already applied (and reported) by us.
        if (this.roleNow === 'leader' && this.peers.length > 0) this.broadcast();
        return;
      }
    }
  }

  private applyCommitted(): void {
    if (this.applying) return;
    this.applying = true;
    try {
      while (this.applied < this.commit) {
        const index = this.applied + 1;
        const entry: LogEntry<C> = this.store.entry(index);
        this.applied = index;
        this.api.emit({ kind: 'committed', index, term: entry.term, digest: digestOf(entry.cmd) });
        this.hooks.apply(index, entry, this.roleNow === 'leader');
      }
    } finally {
      this.applying = false;
    }
    this.resolveReads();
  }

  private resolveReads(): void {
    if (this.pendingReads.length === 0 || !this.readyForReads() || this.rounds === null) return;
    const confirmed = this.rounds.quorumRound();
    const ready = this.pendingReads.filter((read) => read.round <= confirmed);
    if (ready.length === 0) return;
    this.pendingReads = this.pendingReads.filter((read) => read.round > confirmed);
    for (const read of ready) read.done(true);
  }

  /** Stops the node for good after the environment broke a Raft invariant (as etcd's raft panics). */
  private panic(reason: string): void {
    this.panicReason = reason;
    this.api.note(`raft PANIC: ${reason}`);
    this.cancelElectionTimer();
    if (this.heartbeatTimer !== null) this.api.cancelTimer(this.heartbeatTimer);
    this.heartbeatTimer = null;
    const reads = this.pendingReads;
    this.pendingReads = [];
    for (const read of reads) read.done(false);
  }
}
