/**
 * Liveness (SPEC §7), as TigerBeetle's simulator checks it: once the last
 * fault has ended, every client that is still alive must complete a
 * section within `withinUs`. A library like the other checkers: it takes
 * fault windows and section completion times in true time (µs) and knows
 * nothing of who recorded them — the simulator's harness, live mode or a
 * file.
 *
 * The rules:
 * - Where waiting starts: the end of the last fault that took effect
 *   (`endedAtUs`; the caller leaves out faults that never fired or did
 *   nothing), or `startUs` (the workload's start) when there was none; for
 *   each client, no earlier than its own start (a staggered client owes
 *   nothing before it starts).
 * - A fault that never ended (`endedAtUs` null) leaves nothing to judge:
 *   `ok: null`, naming it.
 * - Who owes a section: every client except one down for good (crashed and
 *   never restarted) and one that had completed all its `sections` by the
 *   time waiting started (it is not waiting for anything).
 * - A client passes with a whole section inside its wait: its lock
 *   granted after the wait began (`grantedUs`: the caller says what a grant
 *   is; strictly after a fault's end, since a grant at that very instant
 *   was decided with the fault — at the start itself, with no fault) and the section completed at most `withinUs` after it. A
 *   section that held its lock across the fault's end and finished after
 *   it shows nothing about the lock coming back, so it does not count (a
 *   holder whose lock service just died can still finish its write to the
 *   store).
 * - A client that completes its last section (its `sections` count used
 *   up) by its deadline has nothing left to wait for: it passes, even if
 *   that section held its lock across the fault's end. Counting sections
 *   done, every completion counts, whenever it was granted.
 * - A client fails when its deadline fell inside the run and it completed
 *   nothing by then: `ok: false`, one violation per client, saying how long
 *   it waited (to its next section, or to the run's end if none came).
 * - A deadline past the run's end with no section yet is a window the run
 *   did not see: `ok: null` saying so (not a pass, not a failure). A client
 *   that completed a section in the part the run did see has passed, so a
 *   window reaching past the end fails nobody and passes the clients that
 *   made it.
 * - No client owing anything (all down for good or done): `ok: null`.
 * Failures win over unobserved windows, which win over passes.
 *
 * Also `recoveryUs`: from the last fault's end to the first section any
 * client completed that was granted after it; null with no fault, a
 * fault that never ended, or no such section.
 *
 * Not modelled: progress other than completed sections (a client that
 * acquires and loses the lock again and again has made none), fairness
 * beyond "each client once".
 */
import type { CheckResult, Micros, Violation } from './types.ts';

/** A fault that took effect, and when its effect ended. */
export interface FaultWindow {
  /** The fault's index in its scenario (named in details). */
  readonly index: number;
  readonly kind: string;
  readonly firedAtUs: Micros;
  /** When its effect ended; null: it had not ended by the run's end. */
  readonly endedAtUs: Micros | null;
}

/** A completed section: when its lock was granted and when it completed. */
export interface CompletedSection {
  readonly grantedUs: Micros;
  readonly completedUs: Micros;
}

/** One client's sections. */
export interface ClientSections {
  readonly client: string;
  /** When the client began its workload (µs). */
  readonly startUs: Micros;
  /** Its completed sections, in completion order. */
  readonly completed: readonly CompletedSection[];
  /** How many sections it was to complete in all (`workload.sections`). */
  readonly sections: number;
  /** Crashed and never restarted. */
  readonly downForGood: boolean;
}

export interface LivenessInput {
  /** The workload's start (true time µs): where waiting starts when no fault happened. */
  readonly startUs: Micros;
  /** The run's end: nothing after it was observed. */
  readonly endUs: Micros;
  /** Each client must complete a section this long after the last fault's end. */
  readonly withinUs: Micros;
  readonly faults: readonly FaultWindow[];
  readonly clients: readonly ClientSections[];
}

export interface LivenessOutcome {
  readonly check: CheckResult;
  /** From the last fault's end to the first completed section after it (µs); null when there is no such pair. */
  readonly recoveryUs: Micros | null;
  /** Where waiting started (the last fault's end, or the start); null when a fault never ended. */
  readonly fromUs: Micros | null;
}

export function checkLiveness(input: LivenessInput): LivenessOutcome {
  const never = input.faults.filter((f) => f.endedAtUs === null);
  if (never.length > 0) {
    const names = never.map((f) => `fault[${f.index}] ${f.kind} (fired at ${seconds(f.firedAtUs)})`).join(', ');
    return {
      check: { ok: null, detail: `${names} never ended within the run (ends at ${seconds(input.endUs)}): liveness is judged only after every fault has ended` },
      recoveryUs: null,
      fromUs: null,
    };
  }
  const lastFault = input.faults.reduce<FaultWindow | null>((last, f) => (last === null || f.endedAtUs! >= last.endedAtUs! ? f : last), null);
  const fromUs = Math.max(input.startUs, lastFault?.endedAtUs ?? input.startUs);
  const since = lastFault === null ? `the start (${seconds(fromUs)}; no fault took effect)` : `the last fault's end (fault[${lastFault.index}] ${lastFault.kind}, ${seconds(fromUs)})`;

  let recoveryUs: Micros | null = null;
  if (lastFault !== null) {
    const first = Math.min(...input.clients.map((c) => firstAfter(c, fromUs, true)?.completedUs ?? Number.POSITIVE_INFINITY));
    if (Number.isFinite(first)) recoveryUs = first - fromUs;
  }

  const excused: string[] = [];
  const passed: Array<{ client: string; afterUs: Micros }> = [];
  const unobserved: string[] = [];
  const failed: Violation[] = [];
  for (const c of input.clients) {
    if (c.downForGood) {
      excused.push(`${c.client} crashed for good`);
      continue;
    }
    const doneBefore = c.completed.filter((s) => s.completedUs <= fromUs).length;
    if (doneBefore >= c.sections) {
      excused.push(`${c.client} had finished its ${c.sections} sections`);
      continue;
    }
    const owedFromUs = Math.max(fromUs, c.startUs);
    const deadlineUs = owedFromUs + input.withinUs;
    // After a fault, a grant at the very instant it ended was decided with it (a crash `on` a grant fires at the grant's instant): strictly after.
    const next = firstAfter(c, owedFromUs, lastFault !== null && owedFromUs === fromUs)?.completedUs;
    const lastUs = c.completed.length >= c.sections ? c.completed[c.sections - 1].completedUs : undefined;
    if (next !== undefined && next <= deadlineUs) {
      passed.push({ client: c.client, afterUs: next - owedFromUs });
    } else if (lastUs !== undefined && lastUs <= deadlineUs) {
      passed.push({ client: c.client, afterUs: lastUs - owedFromUs });
    } else if (deadlineUs > input.endUs) {
      unobserved.push(c.client);
    } else {
      const waited = next === undefined ? `none came by the run's end, ${seconds(input.endUs - owedFromUs)} after` : `its next came ${seconds(next - owedFromUs)} after`;
      failed.push({
        at: deadlineUs,
        nodes: [c.client],
        detail: `${c.client} completed no section within ${seconds(input.withinUs)} of ${owedFromUs === fromUs ? since : `its start (${seconds(owedFromUs)})`}: ${waited}`,
      });
    }
  }

  const excuse = excused.length === 0 ? '' : ` (${excused.join(', ')}: nothing owed)`;
  if (failed.length > 0) {
    return {
      check: { ok: false, detail: `${failed.map((v) => v.nodes[0]).join(', ')} made no progress within ${seconds(input.withinUs)} of ${since}${excuse}`, violations: failed },
      recoveryUs,
      fromUs,
    };
  }
  if (unobserved.length > 0) {
    return {
      check: {
        ok: null,
        detail:
          `the window of ${seconds(input.withinUs)} after ${since} reaches past the run's end (${seconds(input.endUs)}), ` +
          `and ${unobserved.join(', ')} completed no section in the ${seconds(Math.max(0, input.endUs - fromUs))} the run saw: not judged`,
      },
      recoveryUs,
      fromUs,
    };
  }
  if (passed.length === 0) {
    return { check: { ok: null, detail: `no client owed a section after ${since}${excuse}` }, recoveryUs, fromUs };
  }
  const slowest = passed.reduce((a, b) => (b.afterUs > a.afterUs ? b : a));
  return {
    check: { ok: true, detail: `every live client completed a section within ${seconds(input.withinUs)} of ${since}; slowest ${slowest.client} after ${seconds(slowest.afterUs)}${excuse}` },
    recoveryUs,
    fromUs,
  };
}

/** The client's first section granted after `fromUs` (at it too, unless `strictly`); sections complete in grant order, one at a time per client. */
function firstAfter(c: ClientSections, fromUs: Micros, strictly: boolean): CompletedSection | undefined {
  return c.completed.find((s) => (strictly ? s.grantedUs > fromUs : s.grantedUs >= fromUs));
}

/** µs as seconds for details: `12.5s`. */
function seconds(us: Micros): string {
  return `${Math.round(us / 1000) / 1000}s`;
}
