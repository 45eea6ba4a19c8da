/**
 * `resource`: no lost update at the protected store. Every write the store
 * accepted must be based on the value the store held just before it (the
 * client read v and wrote v + 1 with nothing in between); otherwise the
 * update that produced the value it overwrote was lost. Linear in the
 * history.
 */
import { formatMicros as formatUs } from './format.ts';
import { MAX_VIOLATIONS, type CheckResult, type StoreAccess, type Violation } from './types.ts';

export function checkResource(accesses: readonly StoreAccess[]): CheckResult {
  const violations: Violation[] = [];
  let total = 0;
  let lastWrite: StoreAccess | undefined;
  let writes = 0;
  for (const access of accesses) {
    if (access.kind !== 'write' || !access.accepted) continue;
    writes++;
    if (access.basedOn !== access.before) {
      total++;
      if (violations.length < MAX_VIOLATIONS) {
        const lost = lastWrite === undefined ? 'the initial value' : `${lastWrite.client}'s write of ${lastWrite.value} at ${formatUs(lastWrite.atUs)}`;
        violations.push({
          at: access.atUs,
          nodes: lastWrite === undefined ? [access.client] : [access.client, lastWrite.client],
          detail: `${access.client} wrote ${access.value} based on a read of ${access.basedOn} at ${formatUs(access.atUs)}, overwriting ${access.before} from ${lost}: that update was lost`,
        });
      }
    }
    lastWrite = access;
  }
  if (total === 0) return { ok: true, writes };
  return { ok: false, violations, writes, ...(total > violations.length ? { total } : {}) };
}
