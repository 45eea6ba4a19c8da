/**
 * `mutualExclusion`: at no true instant do more than `permits` clients
 * believe they hold the lock (from acquire-ok until release, crash or
 * learning of loss). A sweep over belief intervals sorted by time; an
 * episode is a maximal stretch with too many holders, and each overlapping
 * pair is reported once per episode, with the true time it began.
 * Intervals are half-open: a belief ending at t does not overlap one
 * starting at t.
 */
import { formatMicros as formatUs } from './format.ts';
import { MAX_VIOLATIONS, type Belief, type CheckResult, type Violation } from './types.ts';

export function checkMutualExclusion(beliefs: readonly Belief[], permits: number, endUs: number): CheckResult {
  type Edge = { atUs: number; start: boolean; belief: Belief };
  const edges: Edge[] = [];
  for (const belief of beliefs) {
    edges.push({ atUs: belief.startUs, start: true, belief });
    edges.push({ atUs: belief.endUs ?? endUs, start: false, belief });
  }
  // Ends before starts at the same instant (half-open intervals); otherwise stable by recording order.
  edges.sort((a, b) => a.atUs - b.atUs || Number(a.start) - Number(b.start));

  const active = new Set<Belief>();
  const violations: Violation[] = [];
  let total = 0;
  let reported = new Set<string>();
  for (const edge of edges) {
    if (!edge.start) {
      active.delete(edge.belief);
      if (active.size <= permits) reported = new Set();
      continue;
    }
    active.add(edge.belief);
    if (active.size <= permits) continue;
    for (const other of active) {
      if (other === edge.belief) continue;
      const pair = [other.client, edge.belief.client].sort();
      const key = pair.join(' ');
      if (reported.has(key)) continue;
      reported.add(key);
      total++;
      if (violations.length < MAX_VIOLATIONS) {
        violations.push({
          at: edge.atUs,
          nodes: pair,
          detail:
            `${edge.belief.client} began holding at ${formatUs(edge.atUs)}${tokenText(edge.belief)} while ${other.client} ` +
            `held since ${formatUs(other.startUs)}${tokenText(other)} (until ${other.endUs === null ? 'the end' : formatUs(other.endUs)}, ${other.endReason ?? 'still holding'}); ` +
            `${active.size} holders > ${permits} permit${permits === 1 ? '' : 's'}`,
        });
      }
    }
  }
  if (total === 0) return { ok: true };
  return { ok: false, violations, ...(total > violations.length ? { total } : {}) };
}

function tokenText(belief: Belief): string {
  return belief.token === undefined ? '' : ` (token ${belief.token})`;
}
