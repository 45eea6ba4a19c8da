/**
 * A leader's heartbeat rounds: which rounds a quorum has acknowledged, and
 * when those rounds were sent (by the leader's monotonic clock).
 *
 * This is what both ReadIndex and the leader lease rest on. A reply from a
 * follower in the leader's term acknowledges the round it echoes (and every
 * earlier one). When a quorum (the leader counts itself for every round it
 * sends) acknowledged round r, the leader was still leader when r was sent:
 * a later leader needs votes from that quorum, given only after their acks.
 * The lease adds a timing assumption on top: followers that acked refuse to
 * vote for `electionTimeout.min` after hearing the leader, so no other
 * leader exists before `sentAt(r) + electionTimeout.min` — as long as
 * clocks run at the same speed. Not modelled: clock-drift bounds (etcd has
 * none either).
 */
import type { Micros } from '../api/index.ts';

export class HeartbeatRounds {
  private current = 0;
  private readonly sentAtUs = new Map<number, Micros>();
  private readonly ackedBy = new Map<string, number>();
  private readonly peers: readonly string[];
  private readonly quorum: number;
  /** Scratch space for the quorum computation (no allocation per ack). */
  private readonly scratch: number[];
  /** Cached `quorumRound()`, or -1 when an ack or a new round may have changed it. */
  private cachedQuorumRound = -1;

  /**
   * @param peers  the other members (not the leader itself)
   * @param quorum votes needed, the leader included
   */
  constructor(peers: readonly string[], quorum: number) {
    if (quorum < 1 || quorum > peers.length + 1) throw new Error(`bad quorum ${quorum} for ${peers.length + 1} members`);
    this.peers = peers;
    this.quorum = quorum;
    for (const peer of peers) this.ackedBy.set(peer, 0);
    this.scratch = new Array<number>(peers.length + 1).fill(0);
  }

  /** The latest round started. */
  get round(): number {
    return this.current;
  }

  /** Starts a new round sent at `nowUs`; returns its number. */
  next(nowUs: Micros): number {
    this.current++;
    this.sentAtUs.set(this.current, nowUs);
    this.cachedQuorumRound = -1;
    return this.current;
  }

  /** Records that `peer` acknowledged `round` (stale and duplicate acks are harmless). */
  ack(peer: string, round: number): void {
    const before = this.ackedBy.get(peer);
    if (before === undefined) throw new Error(`ack from non-member ${peer}`);
    if (round > this.current) throw new Error(`ack of round ${round} from ${peer}, but only ${this.current} rounds were sent`);
    if (round > before) {
      this.ackedBy.set(peer, round);
      this.cachedQuorumRound = -1;
      this.prune();
    }
  }

  /** The highest round a quorum has acknowledged (0: none yet). */
  quorumRound(): number {
    if (this.cachedQuorumRound >= 0) return this.cachedQuorumRound;
    // The quorum-th largest of (own round, each peer's ack): insertion sort, descending, into scratch.
    const rounds = this.scratch;
    rounds[0] = this.current;
    for (let i = 0; i < this.peers.length; i++) {
      const value = this.ackedBy.get(this.peers[i])!;
      let j = i + 1;
      while (j > 0 && rounds[j - 1] < value) {
        rounds[j] = rounds[j - 1];
        j--;
      }
      rounds[j] = value;
    }
    this.cachedQuorumRound = rounds[this.quorum - 1];
    return this.cachedQuorumRound;
  }

  /** When the quorum-acknowledged round was sent, or undefined if none is. */
  quorumSentAtUs(): Micros | undefined {
    const round = this.quorumRound();
    return round === 0 ? undefined : this.sentAtUs.get(round);
  }

  /** Forgets send times no longer needed (below the quorum round, which only grows). */
  private prune(): void {
    const keepFrom = this.quorumRound();
    for (const round of this.sentAtUs.keys()) {
      if (round < keepFrom) this.sentAtUs.delete(round);
      else break;
    }
  }
}
