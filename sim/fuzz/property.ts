/**
 * Properties: which SPEC §4 checks a fuzz run is judged on. `--property
 * CHECK` names one for every design; by default each design gets
 * `mutualExclusion` when it is a lock and `resource` (with the store fencing
 * reads and writes, arbitraries.ts) when it issues tokens. A check that does
 * not apply (`ok: null`), ran out of budget (`"unknown"`), or a design the
 * run's faults cannot apply to (`skipped`) is never a failure: only
 * `ok: false` is. Known-unsafe regions (a pause longer than the lease on
 * any lock) are findings, not errors.
 */
import type { Design } from '../../algorithms/api/index.ts';
import type { DesignResult } from '../harness/result.ts';
import { CHECK_NAMES, type CheckName } from '../scenario/types.ts';

export { CHECK_NAMES };

/** The properties a design is fuzzed on: the one asked for, or its defaults. */
export function propertiesFor(design: Design, property: CheckName | undefined): CheckName[] {
  if (property !== undefined) return [property];
  const props: CheckName[] = [];
  if (design.isLock) props.push('mutualExclusion');
  if (design.issuesTokens) props.push('resource');
  return props.length === 0 ? ['resource'] : props;
}

/** The first of `properties` the result violates (`ok: false`), or null. */
export function violatedProperty(result: DesignResult, properties: readonly CheckName[]): CheckName | null {
  if (result.skipped !== undefined) return null;
  const checks = result.checks as Partial<Record<CheckName, { ok: unknown }>>;
  for (const property of properties) if (checks[property]?.ok === false) return property;
  return null;
}

/** Whether `name` is a SPEC §4 check. */
export function isCheckName(name: string): name is CheckName {
  return (CHECK_NAMES as readonly string[]).includes(name);
}
