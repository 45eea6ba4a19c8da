/**
 * Whether a scenario's faults can apply to a design at all (SPEC §6: a
 * scenario that runs on `"designs": "all"` skips, with a reason, a design
 * its faults cannot touch, rather than failing it or running it without
 * them). Decided before the run, from the scenario and the design's own
 * facts (`algorithms/api/`), never from its name. A design is skipped when
 * some fault:
 *
 * 1. names a fixed node the design does not run (`s4` on a one-server
 *    Redis), as its `target`, in a partition's `groups` or `cut`, or as its
 *    `on` trigger's node: the fault would do nothing (or wait for an event
 *    that cannot happen), and the verdicts would be those of another
 *    scenario;
 * 2. names `leader` (target, groups or cut) and the design has no leader:
 *    its lock is held on a quorum of independent servers (`leaseQuorum` > 1,
 *    Redlock), so no server stands for "the leader" and the first one would
 *    be an arbitrary pick. A single primary (Redis, `cas` without
 *    replicas, a Redlock of one) is its leader, elected or not: a `leader`
 *    crash there applies, and what it costs (no failover: the lock is gone
 *    for good) is what `liveness` reports;
 * 3. names `holder` (target, groups or cut) and the design is not a lock
 *    (`isLock` false, `cas`): no client ever holds a lock there.
 *
 * Not a reason to skip: a dynamic target that happens to stand for nobody
 * when the fault fires (no leader during an election, no holder between
 * sections); the scheduler reports that fault as skipped and the run goes
 * on, as before. Not modelled: faults that apply but mean little for a
 * design (a wall-clock jump on a design that only reads monotonic clocks).
 */
import type { Design } from '../../algorithms/api/index.ts';
import type { Fault } from '../faults/types.ts';
import type { Scenario } from '../scenario/types.ts';
import type { DesignResult } from './result.ts';

/** Names that stand for groups or roles rather than one fixed node. */
const NOT_FIXED = new Set(['leader', 'holder', 'servers', 'clients', 'others', 'store']);

/** Why the scenario's faults cannot apply to `design` (the first fault that cannot), or null when they all can. */
export function whyInapplicable(scenario: Scenario, design: Design): string | null {
  const rawKnobs = scenario.config[design.name] ?? {};
  const permits = typeof rawKnobs.permits === 'number' ? rawKnobs.permits : scenario.workload.permits;
  const knobs = design.parseKnobs(rawKnobs, permits);
  const serverCount = design.serverCount(knobs);
  const nodes = new Set([...Array.from({ length: serverCount }, (_, i) => `s${i + 1}`), ...Array.from({ length: scenario.workload.clients }, (_, i) => `c${i + 1}`)]);
  const quorum = design.leaseQuorum?.(knobs) ?? 1;
  for (const fault of scenario.faults) {
    const what = `fault[${fault.index}] (${fault.kind})`;
    const names = namesIn(fault);
    const missing = [...new Set(names.filter((name) => !NOT_FIXED.has(name) && !nodes.has(name)))];
    if (missing.length > 0) {
      return `${what} names ${missing.join(', ')}, which ${design.name} does not run here (${serverCount} server${serverCount === 1 ? '' : 's'}, ${scenario.workload.clients} client${scenario.workload.clients === 1 ? '' : 's'})`;
    }
    if (fault.trigger.kind === 'on' && fault.trigger.node !== undefined && !nodes.has(fault.trigger.node)) {
      return `${what} waits for "${fault.trigger.event}" at ${fault.trigger.node}, which ${design.name} does not run here (${serverCount} server${serverCount === 1 ? '' : 's'})`;
    }
    if (names.includes('leader') && quorum > 1) {
      return `${what} targets the leader, and ${design.name} has none: its lock is held on a quorum of ${quorum} of ${serverCount} independent servers`;
    }
    if (names.includes('holder') && !design.isLock) {
      return `${what} targets the holder, and ${design.name} is not a lock: no client ever holds one`;
    }
  }
  return null;
}

/** Every node or dynamic name a fault acts on (its target, a partition's groups and cut links). */
function namesIn(fault: Fault): string[] {
  const names: string[] = [];
  if ('target' in fault && fault.target !== undefined) names.push(fault.target);
  if (fault.kind === 'partition') {
    for (const group of fault.groups ?? []) names.push(...group);
    for (const [a, b] of fault.cut ?? []) names.push(a, b);
  }
  return names;
}

/**
 * The result of a design the scenario skipped (SPEC §4, with `skipped`):
 * no run, so no trace (`traceHash` empty, `events` 0, `simulatedUs` 0), no
 * checks, `safe` null (not judged), zero metrics, no faults, and its
 * expectations counted as met — a skip is not a failure.
 */
export function skippedResult(design: string, reason: string): DesignResult {
  return {
    design,
    skipped: reason,
    traceHash: '',
    events: 0,
    safe: null,
    checks: {},
    metrics: { sections: 0, acquireP50Ms: null, acquireP99Ms: null, failedAcquires: 0, messages: 0, unavailableMs: 0 },
    expect: { met: true, mismatches: [] },
    faults: [],
    simulatedUs: 0,
  };
}
