/**
 * Coverage of the fault space: what the runs' faults actually did, read
 * from each run's fault reports (`effect`, `skipped`, `sides`) and metrics,
 * so a search that never reached the interesting places shows it. Counted
 * per fault (or per run where it is a run's property), summed over runs.
 *
 * The first three are exact, read from the effect counters the faults
 * and the harness report (sim/faults/crash.ts, sim/harness/fault-effects.ts):
 * - `pausesOutlivedLease`: pauses with `leaseExpiredWhilePaused` > 0 — a
 *   paused client believed it held the lock when the pause began and the
 *   service expired that grant before it resumed.
 * - `clockJumpsExpiredHeldLock`: clock jumps with `heldLockExpiredByJump`
 *   > 0 — the jumped server expired a grant it held at the jump, whose
 *   owner believed it held the lock, sooner than the lease after granting.
 * - `crashesLostAckedWrite`: crashes with `ackedWritesLost` > 0 — lost
 *   disk writes made before the server last reported a grant, release or
 *   renewal (acknowledgement is not visible at the disk: see crash.ts).
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

/** One run's coverage, from its scenario object and its result. */
export function runCoverage(scenario: ScenarioJson, result: DesignResult, failed: boolean): Coverage {
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
    switch (kind) {
      case 'pause':
        if ((e.leaseExpiredWhilePaused ?? 0) > 0) c.pausesOutlivedLease++;
        return;
      case 'clock-jump':
        if ((e.heldLockExpiredByJump ?? 0) > 0) c.clockJumpsExpiredHeldLock++;
        return;
      case 'crash':
        if ((e.ackedWritesLost ?? 0) > 0) c.crashesLostAckedWrite++;
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
