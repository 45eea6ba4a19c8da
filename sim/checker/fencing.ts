/**
 * `fencing`: the service's grants carry strictly increasing tokens in
 * true-time grant order (a grant reported twice with the same `grant` id
 * counts once), and, when the store checks tokens, it never accepts a token
 * lower than one it accepted before (counting writes, and reads when the
 * store checks reads). With `fencing: "none"` the store promises nothing,
 * so only the service's half is judged (`detail` says so). `null` for
 * designs without tokens, or configured without them (no grant carried
 * one). Linear in the history.
 */
import { formatMicros as formatUs } from './format.ts';
import { MAX_VIOLATIONS, type CheckResult, type FencingMode, type GrantRecord, type StoreAccess, type Violation } from './types.ts';

export function checkFencing(issuesTokens: boolean, grants: readonly GrantRecord[], accesses: readonly StoreAccess[], fencing: FencingMode): CheckResult {
  if (!issuesTokens) return { ok: null, detail: 'design issues no fencing tokens' };
  if (!grants.some((g) => g.token !== undefined) && !accesses.some((a) => a.token !== undefined)) {
    return { ok: null, detail: 'no grant carried a fencing token in this configuration' };
  }
  const violations: Violation[] = [];
  let total = 0;
  const add = (v: Violation): void => {
    total++;
    if (violations.length < MAX_VIOLATIONS) violations.push(v);
  };

  let last: GrantRecord | undefined;
  // The same grant reported again (a new leader re-applying the log entry its predecessor applied)
  // is one grant — but only when the design says so with a grant id: the same client getting the
  // same token from two primaries is a real re-issue.
  const seen = new Set<string | number>();
  for (const grant of grants) {
    if (grant.token === undefined) continue;
    if (grant.grantId !== undefined) {
      if (seen.has(grant.grantId)) continue;
      seen.add(grant.grantId);
    }
    if (last !== undefined && grant.token <= last.token!) {
      add({
        at: grant.atUs,
        nodes: [grant.server, grant.client],
        detail: `${grant.server} granted token ${grant.token} to ${grant.client} at ${formatUs(grant.atUs)}, not above token ${last.token} granted by ${last.server} to ${last.client} at ${formatUs(last.atUs)}`,
      });
    }
    if (last === undefined || grant.token > last.token!) last = grant;
  }

  // A store that checks nothing (`fencing: "none"`) makes no promise about what it accepts: only the
  // service's half of fencing (tokens that increase) is judged, and the verdict says so.
  const storeChecks = fencing !== 'none';
  let highest: StoreAccess | undefined;
  for (const access of storeChecks ? accesses : []) {
    if (!access.accepted || access.token === undefined) continue;
    if (access.kind === 'read' && fencing !== 'reads-and-writes') continue;
    if (highest !== undefined && access.token < highest.token!) {
      add({
        at: access.atUs,
        nodes: [access.client, highest.client],
        detail: `store accepted ${access.client}'s ${access.kind} with token ${access.token} at ${formatUs(access.atUs)} after accepting token ${highest.token} from ${highest.client} at ${formatUs(highest.atUs)}`,
      });
    }
    if (highest === undefined || access.token > highest.token!) highest = access;
  }
  const scope = storeChecks ? undefined : 'the store checks no tokens (fencing "none"): only that the service\'s tokens increase was judged';
  if (total === 0) return scope === undefined ? { ok: true } : { ok: true, detail: scope };
  return { ok: false, violations, ...(total > violations.length ? { total } : {}), ...(scope === undefined ? {} : { detail: scope }) };
}
