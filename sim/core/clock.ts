/**
 * A node's local clocks: wall and monotonic, with drift and jumps.
 *
 * wall(t) = wall at the last anchor + (t − anchor)·(1 + drift); a jump moves
 * the wall clock only; a drift change re-anchors both clocks so readings stay
 * continuous. The monotonic clock follows drift but ignores jumps, and starts
 * at a per-node offset so monotonic readings of two nodes are not comparable
 * (as on real machines). Models linear drift and steps; not NTP slewing or
 * periodic wander.
 */
import type { Micros } from '../../algorithms/api/index.ts';

export class NodeClock {
  private anchorTrueUs = 0;
  private anchorWallUs: number;
  private anchorMonoUs: number;
  /** Clock speed relative to true time: 1 + drift. */
  private rate = 1;

  constructor(wallOffsetUs: Micros, monotonicStartUs: Micros) {
    this.anchorWallUs = wallOffsetUs;
    this.anchorMonoUs = monotonicStartUs;
  }

  /** Local wall-clock reading at true time `trueUs`. */
  wall(trueUs: Micros): Micros {
    return Math.floor(this.anchorWallUs + (trueUs - this.anchorTrueUs) * this.rate);
  }

  /** Local monotonic reading at true time `trueUs`. */
  monotonic(trueUs: Micros): Micros {
    return Math.floor(this.anchorMonoUs + (trueUs - this.anchorTrueUs) * this.rate);
  }

  /** Steps the wall clock by `byUs` (may be negative). */
  jump(byUs: Micros): void {
    this.anchorWallUs += byUs;
  }

  /** From `trueUs` on, the clocks run at (1 + drift)× true speed. */
  setDrift(trueUs: Micros, drift: number): void {
    if (!(drift > -1)) throw new Error(`clock drift must be > -1, got ${drift}`);
    this.anchorWallUs = this.anchorWallUs + (trueUs - this.anchorTrueUs) * this.rate;
    this.anchorMonoUs = this.anchorMonoUs + (trueUs - this.anchorTrueUs) * this.rate;
    this.anchorTrueUs = trueUs;
    this.rate = 1 + drift;
  }

  /** Current drift (0 = perfect). */
  get drift(): number {
    return this.rate - 1;
  }

  /** True-time span that `localUs` of this clock takes at the current rate (at least 0, rounded up). */
  trueSpan(localUs: Micros): Micros {
    if (localUs <= 0) return 0;
    return this.rate === 1 ? Math.ceil(localUs) : Math.ceil(localUs / this.rate);
  }
}
