/**
 * Coverage of the fault space: what the runs' faults actually did, read
 * from each run's fault reports (`effect`, `skipped`, `sides`) and metrics,
 * so a search that never reached the interesting places shows it. Counted
 * per fault (or per run where it is a run's property), summed over runs.
 *
 * Some are approximations from what the harness reports today (the
 * counter that would make each exact is named):
 * - `pausesOutlivedLease`: a pause that took effect on a client and lasted
 *   at least the design's lease (TTL / session) — not checked: that the
 *   client held the lock then (exact: a pause effect counter
 *   `leaseExpiredWhilePaused`, set when a lease of the paused client
 *   expired before it resumed).
 * - `clockJumpsExpiredHeldLock`: a forward jump on a server by at least
 *   half the lease, in a run where some lease expired (exact: a clock-jump
 *   effect counter `leasesExpiredByJump`, set when the jumped server
 *   expired a lease earlier than true time would have).
 * - `crashesLostAckedWrite`: a crash whose `writesLost` > 0 — disk writes
 *   not yet durable; not necessarily acknowledged (exact: a crash effect
 *   counter `ackedWritesLost`, writes whose reply had been sent).
 * - `partitionsSplitQuorum`: a partition that cut links and left the
 *   servers on more than one side (or a `ring`/`bridge`, which splits
 *   every majority by construction) — exact enough.
 * - `staleTokensRejected`: runs whose store rejected a stale token
 *   (`metrics.staleTokensRejected`), and the total.
 * - `faultsDidNothing`: faults reported `skipped` (never triggered, no
 *   holder or leader then) or with no effect counted.
 */
import type { DesignResult, FaultReport } from '../harness/result.ts';
import type { ScenarioJson } from './arbitraries.ts';

export interface KindCoverage {
  generated: number;
  fired: number;
  didNothing: number;
}

export interface Coverage {
  runs: number;
  runsWithoutFaults: number;
  /** Runs whose property failed (before de-duplication). */
  failedRuns: number;
  faults: { generated: number; fired: number; didNothing: number; byKind: Record<string, KindCoverage> };
  pausesOutlivedLease: number;
  clockJumpsExpiredHeldLock: number;
  crashesLostAckedWrite: number;
  partitionsSplitQuorum: number;
  staleTokensRejected: { runs: number; total: number };
  leaseExpiries: { runs: number; total: number };
}

export function emptyCoverage(): Coverage {
  return {
    runs: 0,
    runsWithoutFaults: 0,
    failedRuns: 0,
    faults: { generated: 0, fired: 0, didNothing: 0, byKind: {} },
    pausesOutlivedLease: 0,
    clockJumpsExpiredHeldLock: 0,
    crashesLostAckedWrite: 0,
    partitionsSplitQuorum: 0,
    staleTokensRejected: { runs: 0, total: 0 },
    leaseExpiries: { runs: 0, total: 0 },
  };
}

/** Adds `b` into `a`. */
export function addCoverage(a: Coverage, b: Coverage): Coverage {
  a.runs += b.runs;
  a.runsWithoutFaults += b.runsWithoutFaults;
  a.failedRuns += b.failedRuns;
  a.faults.generated += b.faults.generated;
  a.faults.fired += b.faults.fired;
  a.faults.didNothing += b.faults.didNothing;
  for (const [kind, k] of Object.entries(b.faults.byKind)) {
    const into = (a.faults.byKind[kind] ??= { generated: 0, fired: 0, didNothing: 0 });
    into.generated += k.generated;
    into.fired += k.fired;
    into.didNothing += k.didNothing;
  }
  a.pausesOutlivedLease += b.pausesOutlivedLease;
  a.clockJumpsExpiredHeldLock += b.clockJumpsExpiredHeldLock;
  a.crashesLostAckedWrite += b.crashesLostAckedWrite;
  a.partitionsSplitQuorum += b.partitionsSplitQuorum;
  a.staleTokensRejected.runs += b.staleTokensRejected.runs;
  a.staleTokensRejected.total += b.staleTokensRejected.total;
  a.leaseExpiries.runs += b.leaseExpiries.runs;
  a.leaseExpiries.total += b.leaseExpiries.total;
  return a;
}

/** Sorts `byKind` by kind name, so the JSON is the same whatever order runs were summed in. */
export function sortedCoverage(c: Coverage): Coverage {
  const byKind = Object.fromEntries(Object.entries(c.faults.byKind).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...c, faults: { ...c.faults, byKind } };
}

function didNothing(report: FaultReport): boolean {
  if (report.skipped !== undefined) return true;
  return Object.values(report.effect).every((v) => v === 0);
}

function durationMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return 0;
  const m = /^([+-]?)(\d+)(ms|s)$/.exec(value);
  if (m === null) return 0;
  return (m[1] === '-' ? -1 : 1) * Number(m[2]) * (m[3] === 's' ? 1000 : 1);
}

/** One run's coverage, from its scenario object, the lease its knobs give, and its result. */
export function runCoverage(scenario: ScenarioJson, leaseMs: number, result: DesignResult, failed: boolean): Coverage {
  const c = emptyCoverage();
  c.runs = 1;
  c.failedRuns = failed ? 1 : 0;
  const faults = (scenario.faults as ScenarioJson[] | undefined) ?? [];
  if (faults.length === 0) c.runsWithoutFaults = 1;
  const expiries = Number(result.metrics.leaseExpiries ?? 0);
  const stale = Number(result.metrics.staleTokensRejected ?? 0);
  if (expiries > 0) c.leaseExpiries = { runs: 1, total: expiries };
  if (stale > 0) c.staleTokensRejected = { runs: 1, total: stale };
  faults.forEach((fault, i) => {
    const kind = String(fault.kind);
    const k = (c.faults.byKind[kind] ??= { generated: 0, fired: 0, didNothing: 0 });
    k.generated++;
    c.faults.generated++;
    const report = result.faults[i];
    if (report === undefined) return;
    if (report.firedAt !== null && report.skipped === undefined) {
      k.fired++;
      c.faults.fired++;
    }
    if (didNothing(report)) {
      k.didNothing++;
      c.faults.didNothing++;
      return;
    }
    const e = report.effect;
    const onClient = report.targets.some((t) => t.startsWith('c'));
    const onServer = report.targets.some((t) => t.startsWith('s'));
    switch (kind) {
      case 'pause':
        if (onClient && durationMs(fault.duration) >= leaseMs) c.pausesOutlivedLease++;
        return;
      case 'clock-jump':
        if (onServer && durationMs(fault.by) >= leaseMs / 2 && expiries > 0) c.clockJumpsExpiredHeldLock++;
        return;
      case 'crash':
        if ((e.writesLost ?? 0) > 0) c.crashesLostAckedWrite++;
        return;
      case 'partition': {
        if ((e.linksCut ?? 0) === 0) return;
        const sides = report.sides;
        const split = sides === undefined ? true : sides.filter((side) => side.some((n) => n.startsWith('s'))).length > 1;
        if (split) c.partitionsSplitQuorum++;
        return;
      }
    }
  });
  return c;
}
