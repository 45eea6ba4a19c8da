/**
 * Leadership as the nodes report it (`elected`, `stepped-down`, crashes): the
 * current leader is the most recently elected node that has not stepped down
 * or crashed (a restarted old primary may announce itself and step down while
 * another leads). Before any report, the first server is the primary (the
 * designs without elections: redis without failover, redlock, cas). Also
 * counts elections and the time without a leader, for the metrics, and,
 * when asked (`recordTerms`, for the run's timeline), each node's terms as
 * leader: from its `elected` until it stepped down, crashed, or was elected
 * again (a new term). Terms of different nodes may overlap (an old primary
 * that has not yet heard it was replaced). Off, nothing is kept.
 */
import type { Micros } from '../../algorithms/api/index.ts';

/** A node's term as leader, as it reported it. */
export interface LeaderTerm {
  readonly server: string;
  readonly fromUs: Micros;
  /** When it ended; null while it lasts. */
  toUs: Micros | null;
  /** The design's term (or epoch) number, when its `elected` carried one. */
  readonly term?: number;
}

export class LeadershipTracker {
  private readonly leaders: string[] = [];
  private everElected = false;
  /** Elections reported. */
  elections = 0;
  private leaderlessSinceUs: Micros | null = 0;
  private leaderlessUs = 0;

  /** Every term in the order they began; null unless recorded. */
  readonly terms: LeaderTerm[] | null;
  /** The open term of each node (recorded terms only). */
  private readonly openTerms = new Map<string, LeaderTerm>();

  constructor(
    private readonly firstServer: string | undefined,
    options: { readonly recordTerms?: boolean } = {},
  ) {
    this.terms = options.recordTerms === true ? [] : null;
  }

  /**
   * Starts the counts afresh at `atUs` (a warm start: the bootstrap election
   * is not the thing under test). Leadership itself is kept.
   */
  restartCounting(atUs: Micros): void {
    this.elections = 0;
    this.leaderlessUs = 0;
    this.leaderlessSinceUs = this.leaders.length > 0 ? null : atUs;
  }

  /** The current leader, or null; before any election, the first server. */
  current(): string | null {
    if (this.leaders.length > 0) return this.leaders[this.leaders.length - 1];
    return this.everElected ? null : (this.firstServer ?? null);
  }

  elected(node: string, atUs: Micros, term?: number): void {
    this.elections++;
    this.everElected = true;
    this.update(atUs, () => {
      this.drop(node);
      this.leaders.push(node);
    });
    if (this.terms !== null) {
      this.endTerm(node, atUs);
      const begun: LeaderTerm = term === undefined ? { server: node, fromUs: atUs, toUs: null } : { server: node, fromUs: atUs, toUs: null, term };
      this.terms.push(begun);
      this.openTerms.set(node, begun);
    }
  }

  /** The node stepped down or crashed. */
  gone(node: string, atUs: Micros): void {
    this.update(atUs, () => this.drop(node));
    if (this.terms !== null) this.endTerm(node, atUs);
  }

  private endTerm(node: string, atUs: Micros): void {
    const open = this.openTerms.get(node);
    if (open === undefined) return;
    open.toUs = atUs;
    this.openTerms.delete(node);
  }

  /** Time without a leader (µs) up to `endUs`, or null when no node ever reported an election. */
  leaderlessUsUntil(endUs: Micros): Micros | null {
    if (!this.everElected) return null;
    return this.leaderlessUs + (this.leaderlessSinceUs === null ? 0 : endUs - this.leaderlessSinceUs);
  }

  private update(atUs: Micros, change: () => void): void {
    const had = this.leaders.length > 0;
    change();
    const has = this.leaders.length > 0;
    if (had && !has) this.leaderlessSinceUs = atUs;
    if (has && this.leaderlessSinceUs !== null) {
      this.leaderlessUs += atUs - this.leaderlessSinceUs;
      this.leaderlessSinceUs = null;
    }
  }

  private drop(node: string): void {
    const at = this.leaders.indexOf(node);
    if (at >= 0) this.leaders.splice(at, 1);
  }
}
