/**
 * `resource` for lock-free designs (`cas`): the store is the replicated
 * register itself, so no acknowledged update may be lost. Every write the
 * service acknowledged (a compare-and-set answered "swapped") turned the
 * register's version `from` into `to`; together they must form one chain:
 *
 * - no two acknowledged writes produced the same version (the later one
 *   overwrote the earlier one's state: that update was lost), and
 * - no acknowledged write sent after another one was acknowledged is based
 *   on an older version than the one that other write produced (the service
 *   forgot an acknowledged update, e.g. a promoted asynchronous replica).
 *
 * Writes whose outcome the client never learned are not acknowledged and may
 * leave gaps in the chain. Works on true times; O(n log n). Does not judge
 * reads (the `linearizable` check does).
 */
import { formatMicros as formatUs } from './format.ts';
import { MAX_VIOLATIONS, type CheckResult, type Micros, type Violation } from './types.ts';

/** One acknowledged conditional write, as the section workload records it. */
export interface AckedWrite {
  readonly client: string;
  /** True time the write's compare-and-set was sent (its first attempt). */
  readonly callUs: Micros;
  /** True time the client received the acknowledgement. */
  readonly returnUs: Micros;
  /** The version the write was conditional on. */
  readonly fromVersion: number;
  /** The version it produced. */
  readonly toVersion: number;
  /** The value it wrote. */
  readonly value: number;
}

/** Checks that the acknowledged writes form one unbroken chain of versions (see the header). */
export function checkRegisterChain(writes: readonly AckedWrite[]): CheckResult {
  for (const w of writes) {
    if (!(w.toVersion > w.fromVersion)) throw new Error(`${w.client}: an acknowledged write from version ${w.fromVersion} to ${w.toVersion} does not advance the version`);
    if (w.returnUs < w.callUs) throw new Error(`${w.client}: an acknowledged write returned before it was sent`);
  }
  const violations: Violation[] = [];
  const reported = new Set<string>();
  const indexOf = new Map(writes.map((w, i) => [w, i]));
  let total = 0;
  const add = (lost: AckedWrite, by: AckedWrite, why: string): void => {
    const key = `${indexOf.get(lost)}:${indexOf.get(by)}`;
    if (reported.has(key)) return;
    reported.add(key);
    total++;
    if (violations.length >= MAX_VIOLATIONS) return;
    violations.push({
      at: by.returnUs,
      nodes: by.client === lost.client ? [by.client] : [by.client, lost.client],
      detail: `${describe(by)} ${why} ${describe(lost)}: that acknowledged update was lost`,
    });
  };

  // 1. Two acknowledged writes producing the same version.
  const byVersion = [...writes].sort((a, b) => a.toVersion - b.toVersion || a.returnUs - b.returnUs);
  for (let i = 1; i < byVersion.length; i++) {
    const earlier = byVersion[i - 1];
    const later = byVersion[i];
    if (later.toVersion === earlier.toVersion) add(earlier, later, `produced version ${later.toVersion} again after`);
  }

  // 2. A write sent after another was acknowledged, yet based on an older version than that one produced.
  const byReturn = [...writes].sort((a, b) => a.returnUs - b.returnUs);
  const byCall = [...writes].sort((a, b) => a.callUs - b.callUs);
  let newest: AckedWrite | undefined;
  let r = 0;
  for (const w of byCall) {
    // Closed intervals: a write acknowledged at t is concurrent with one sent at t.
    while (r < byReturn.length && byReturn[r].returnUs < w.callUs) {
      const done = byReturn[r++];
      if (newest === undefined || done.toVersion > newest.toVersion) newest = done;
    }
    if (newest !== undefined && w.fromVersion < newest.toVersion) {
      add(newest, w, `was sent after, yet based on version ${w.fromVersion}, older than version ${newest.toVersion} of`);
    }
  }

  if (total === 0) return { ok: true, writes: writes.length };
  return { ok: false, violations, writes: writes.length, ...(total > violations.length ? { total } : {}) };
}

function describe(w: AckedWrite): string {
  return `${w.client}'s write of ${w.value} (version ${w.fromVersion} → ${w.toVersion}, acknowledged at ${formatUs(w.returnUs)})`;
}
