/**
 * A run's timeline (result.ts `Timeline`, for the HTML report's swimlanes),
 * put together after the run from what it recorded — nothing here adds a
 * simulation event, so the trace, `traceHash`, events, verdicts and metrics
 * are those of the same run without it. Recorded only when asked
 * (`RunOptions.timeline`); off, the run keeps none of the extra records.
 *
 * What it holds, in true µs: the lanes (servers, clients, the store); each
 * client's belief intervals (recorder.ts, as `mutualExclusion` judged them);
 * each acquire attempt that ended — answered (granted or refused), given up
 * at `acquireTimeout`, or cut off by the client's crash; the grants the
 * servers reported; each server's reports of a lock or session ending —
 * expired, or deleted on request (`released`); each fault that fired and
 * took effect, from its report's `firedAt` to `endedAt`, with its targets
 * (and a partition's sides); the clock offset (wall − true) of every node a
 * `clock-jump` or `clock-drift` moved; the store's accesses, accepted or
 * rejected; and the leaders' terms.
 *
 * The clock track is worked out, not sampled: the node clock model
 * (sim/core/clock.ts: wall = anchor + (t − anchorTrue)·(1 + drift), a jump
 * moves the anchor, a drift change re-anchors; every wall clock starts at
 * true time) replayed over the clock faults the reports say fired, each
 * `clock-drift` with a duration going back to the rate before it. So the
 * points are the node's own readings (floored as it reads them) at each
 * change, and a step has two points at one instant. Two clock changes of one
 * node at the same instant are taken in the order: faults by index, then
 * the end of a drift (what the engine does for `at` faults).
 *
 * What it does not hold: messages (the trace has them), disk writes,
 * renewals, the service history (`--out` writes it), faults that never
 * fired or fired and did nothing (the result's `faults` lists those), and
 * acquire attempts still waiting at the run's end. Leaders: the terms the
 * servers reported (`elected` until `stepped-down`, a crash, or the node's
 * next `elected`); a design that reports none but has one primary (lease
 * quorum 1: Redis without failover, cas without replicas) shows its first
 * server leading the whole run, as `leader` fault targets take it; a design
 * whose lock lives on a quorum of independent servers (Redlock) has none.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import type { Fault } from '../faults/types.ts';
import type { LeadershipTracker } from './leadership.ts';
import type { Recorder } from './recorder.ts';
import type { FaultReport, Timeline } from './result.ts';

/** A server's report that a lock or session ended: it expired, or was deleted on request (`released`). */
export interface ServerLeaseEnd {
  readonly atUs: Micros;
  readonly server: string;
  readonly owner: string;
  readonly token: number | null;
  readonly released?: true;
}

/**
 * What the run keeps for its timeline beyond the recorder and leadership:
 * the servers' reports of locks and sessions ending, each with its grant's
 * fencing token — the report's own, or else the token granted with the same
 * `lease` id (a Redis key's value), so its mark takes its holder's colour.
 */
export class LeaseEndLog {
  readonly ends: ServerLeaseEnd[] = [];
  private readonly tokenOfLease = new Map<string, number>();

  granted(lease: string | undefined, token: number | undefined): void {
    if (lease !== undefined && token !== undefined) this.tokenOfLease.set(lease, token);
  }

  ended(atUs: Micros, server: string, owner: string, lease: string | undefined, token: number | undefined, released: boolean): void {
    const known = token ?? (lease === undefined ? undefined : this.tokenOfLease.get(lease)) ?? null;
    this.ends.push(released ? { atUs, server, owner, token: known, released: true } : { atUs, server, owner, token: known });
  }
}

/** What the run hands over for its timeline. */
export interface TimelineInput {
  readonly servers: readonly string[];
  readonly clients: readonly string[];
  /** When the workload started (0 on a cold start). */
  readonly readyUs: Micros;
  readonly endUs: Micros;
  /** Recorded with `timeline: true` (its `acquires` kept). */
  readonly recorder: Recorder;
  /** Recorded with `recordTerms: true`. */
  readonly leadership: LeadershipTracker;
  /** Whether the design has one primary when none is elected (lease quorum 1). */
  readonly singlePrimary: boolean;
  readonly leaseEnds: LeaseEndLog;
  readonly faults: readonly FaultReport[];
  /** The scenario's faults (a clock fault's size, rate and duration). */
  readonly specs: readonly Fault[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Hold = Timeline['holds'][number];
type Acquire = Mutable<Timeline['acquires'][number]>;
type FaultBand = Mutable<Timeline['faults'][number]>;
type StoreMark = Mutable<Timeline['store'][number]>;
type Term = Mutable<Timeline['leaders'][number]>;
type ClockTrack = Timeline['clocks'][number];

/** Builds the timeline of a finished run. */
export function buildTimeline(input: TimelineInput): Timeline {
  const { recorder, endUs } = input;
  const lanes: Array<Timeline['lanes'][number]> = [
    ...input.servers.map((node) => ({ node, role: 'server' as const })),
    ...input.clients.map((node) => ({ node, role: 'client' as const })),
    { node: 'store', role: 'store' as const },
  ];
  const holds: Hold[] = recorder.beliefs.map((b) => ({ client: b.client, startUs: b.startUs, endUs: b.endUs, token: b.token ?? null, endReason: b.endReason }));
  const acquires: Acquire[] = (recorder.acquires ?? []).map((a) => ({ ...a }));
  const grants = recorder.grants.map((g) => ({ atUs: g.atUs, server: g.server, client: g.client, token: g.token ?? null }));
  const expiries = input.leaseEnds.ends.map((e) => ({ ...e }));
  const store: StoreMark[] = recorder.storeAccesses.map((a) => {
    const mark: StoreMark = { atUs: a.atUs, client: a.client, kind: a.kind, token: a.token ?? null, accepted: a.accepted, value: a.value };
    if (a.reason !== undefined) mark.reason = a.reason;
    return mark;
  });
  const faults: FaultBand[] = [];
  for (const f of input.faults) {
    if (f.firedAt === null || f.skipped !== undefined) continue;
    const band: FaultBand = { index: f.index, kind: f.kind, targets: [...f.targets], startUs: f.firedAt, endUs: f.endedAt ?? null };
    if (f.sides !== undefined) band.sides = f.sides.map((side) => [...side]);
    faults.push(band);
  }
  return {
    lanes,
    readyUs: input.readyUs,
    endUs,
    holds: byTime(holds, (h) => h.startUs),
    acquires: byTime(acquires, (a) => a.startUs, (a) => a.endUs),
    grants: byTime(grants, (g) => g.atUs),
    expiries: byTime(expiries, (e) => e.atUs),
    faults: byTime(faults, (f) => f.startUs, (f) => f.index),
    clocks: clockTracks(input.faults, input.specs, lanes.map((l) => l.node), endUs),
    store: byTime(store, (s) => s.atUs),
    leaders: leaderTerms(input),
  };
}

/** A stable sort on a time (then a second key): ties keep the order things were recorded in. */
function byTime<T>(items: T[], time: (item: T) => number, then?: (item: T) => number): T[] {
  return items.sort((a, b) => time(a) - time(b) || (then === undefined ? 0 : then(a) - then(b)));
}

function leaderTerms(input: TimelineInput): Term[] {
  const terms = input.leadership.terms ?? [];
  if (terms.length === 0) return input.singlePrimary && input.servers.length > 0 ? [{ server: input.servers[0], fromUs: 0, toUs: null }] : [];
  return byTime(
    terms.map((t) => {
      const term: Term = { server: t.server, fromUs: t.fromUs, toUs: t.toUs };
      if (t.term !== undefined) term.term = t.term;
      return term;
    }),
    (t) => t.fromUs,
  );
}

/** One change of a node's clock, as a fault made it. */
type ClockChange =
  | { readonly atUs: Micros; readonly kind: 'jump'; readonly byUs: Micros }
  | { readonly atUs: Micros; readonly kind: 'drift'; readonly drift: number; readonly durationUs: Micros | undefined };

/** The clock tracks of the nodes clock faults moved, in lane order. */
function clockTracks(reports: readonly FaultReport[], specs: readonly Fault[], laneOrder: readonly string[], endUs: Micros): ClockTrack[] {
  const specOf = new Map(specs.map((s) => [s.index, s]));
  const fired = reports
    .filter((r) => r.firedAt !== null && r.skipped === undefined && (r.kind === 'clock-jump' || r.kind === 'clock-drift'))
    .sort((a, b) => a.firedAt! - b.firedAt! || a.index - b.index);
  const changes = new Map<string, ClockChange[]>();
  for (const report of fired) {
    const spec = specOf.get(report.index);
    if (spec === undefined) continue;
    let change: ClockChange;
    if (spec.kind === 'clock-jump') change = { atUs: report.firedAt!, kind: 'jump', byUs: spec.byUs };
    else if (spec.kind === 'clock-drift') change = { atUs: report.firedAt!, kind: 'drift', drift: spec.rate, durationUs: spec.durationUs };
    else continue;
    for (const node of report.targets) {
      let list = changes.get(node);
      if (list === undefined) changes.set(node, (list = []));
      list.push(change);
    }
  }
  const tracks: ClockTrack[] = [];
  for (const node of [...laneOrder, ...[...changes.keys()].filter((n) => !laneOrder.includes(n))]) {
    const list = changes.get(node);
    if (list !== undefined) tracks.push({ node, points: replayClock(list, endUs) });
  }
  return tracks;
}

/**
 * The node's (true µs, wall − true µs) points: sim/core/clock.ts's
 * arithmetic replayed over its changes (in time order), with each timed
 * drift's return to the rate before it, up to the run's end.
 */
function replayClock(changes: readonly ClockChange[], endUs: Micros): Array<[number, number]> {
  let anchorTrueUs = 0;
  let anchorWallUs = 0;
  let rate = 1;
  const offsetAt = (t: Micros): number => Math.floor(anchorWallUs + (t - anchorTrueUs) * rate) - t;
  const setDrift = (t: Micros, drift: number): void => {
    anchorWallUs = anchorWallUs + (t - anchorTrueUs) * rate;
    anchorTrueUs = t;
    rate = 1 + drift;
  };
  const points: Array<[number, number]> = [];
  const mark = (t: Micros): void => {
    const offset = offsetAt(t);
    const last = points[points.length - 1];
    if (last === undefined || last[0] !== t || last[1] !== offset) points.push([t, offset]);
  };
  /** Timed drifts' ends still to come, in the order they were set (the drift in force before each). */
  const ends: Array<{ atUs: Micros; drift: number }> = [];
  let next = 0;
  for (;;) {
    let end = -1;
    for (let j = 0; j < ends.length; j++) if (ends[j].atUs <= endUs && (end < 0 || ends[j].atUs < ends[end].atUs)) end = j;
    const change = changes[next] as ClockChange | undefined;
    if (change !== undefined && (end < 0 || change.atUs <= ends[end].atUs)) {
      next++;
      mark(change.atUs);
      if (change.kind === 'jump') {
        anchorWallUs += change.byUs;
      } else {
        const before = rate - 1;
        setDrift(change.atUs, change.drift);
        if (change.durationUs !== undefined) ends.push({ atUs: change.atUs + change.durationUs, drift: before });
      }
      mark(change.atUs);
    } else if (end >= 0) {
      const [{ atUs, drift }] = ends.splice(end, 1);
      mark(atUs);
      setDrift(atUs, drift);
      mark(atUs);
    } else {
      break;
    }
  }
  mark(endUs);
  return points;
}
