/**
 * Majority quorums: ⌊n/2⌋ + 1 of n members. The one formula Raft's commit
 * and election rules, Redlock's lock quorum and the harness's lease quorum
 * all use.
 */

/** The smallest majority of `members` (⌊n/2⌋ + 1). */
export function majority(members: number): number {
  return Math.floor(members / 2) + 1;
}
