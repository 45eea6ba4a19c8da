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
import type { Micros } from '../../sim/time.ts';

export class HeartbeatRounds {
  private current = 0;
  private readonly sentAtUs = new Map<number, Micros>();
  private readonly ackedBy = new Map<string, number>();
  private readonly peers: readonly string[];
  private readonly quorum: number;

  /**
   * @param peers  the other members (not the leader itself)
   * @param quorum votes needed, the leader included
   */
  constructor(peers: readonly string[], quorum: number) {
    if (quorum < 1 || quorum > peers.length + 1) throw new Error(`bad quorum ${quorum} for ${peers.length + 1} members`);
    this.peers = peers;
    this.quorum = quorum;
    for (const peer of peers) this.ackedBy.set(peer, 0);
  }

  /** The latest round started. */
  get round(): number {
    return this.current;
  }

  /** Starts a new round sent at `nowUs`; returns its number. */
  next(nowUs: Micros): number {
    this.current++;
    this.sentAtUs.set(this.current, nowUs);
    return this.current;
  }

  /** Records that `peer` acknowledged `round` (stale and duplicate acks are harmless). */
  ack(peer: string, round: number): void {
    const before = this.ackedBy.get(peer);
    if (before === undefined) throw new Error(`ack from non-member ${peer}`);
    if (round > this.current) throw new Error(`ack of round ${round} from ${peer}, but only ${this.current} rounds were sent`);
    if (round > before) this.ackedBy.set(peer, round);
    this.prune();
  }

  /** The highest round a quorum has acknowledged (0: none yet). */
  quorumRound(): number {
    const rounds = [this.current, ...this.peers.map((peer) => this.ackedBy.get(peer) ?? 0)].sort((a, b) => b - a);
    return rounds[this.quorum - 1];
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
