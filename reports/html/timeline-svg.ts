/**
 * One run's swimlane timeline as inline SVG (hand-built: it is a drawing
 * of recorded events, not a chart): a lane per node (servers, clients, the
 * store), the clients' belief intervals coloured by fencing token, the
 * acquire waits under them, the servers' grants, expiries and leadership
 * terms, each fault as a band over the lanes it hit (a clock fault also
 * draws the node's clock offset as a small track under its lane), the
 * store's reads and writes (rejected ones marked), and every violation on
 * top: a mutual-exclusion overlap as a region over the two holders' lanes,
 * a stale or lost write on the store's lane, anything else on its first
 * node's lane.
 *
 * Geometry: an outer SVG in pixels (lane labels, the time axis) holds an
 * inner SVG whose x unit is one millisecond relative to the workload's
 * start (`readyUs`; the bootstrap before it is negative and shaded) and
 * whose y unit is a pixel; it stretches with `preserveAspectRatio="none"`,
 * so zooming (script.ts) only changes its viewBox and strokes do not scale
 * (`vector-effect`). A point event is a vertical tick `M<x> <y>v<h>`, an
 * interval a rect with `x`/`width`; x values are exact µs written as ms.
 *
 * SPEC §8 hooks: `data-lane` on each lane's group, `data-hold` (+
 * `data-token`) on each belief interval, `data-fault` on each fault's
 * group, `data-violation` + `data-at` (true µs) on each violation marker.
 */
import type { Checks, Timeline, Violation } from '../../sim/harness/result.ts';
import type { CheckName } from '../../sim/scenario/types.ts';
import { CHECK_ORDER } from '../render-run.ts';
import { esc } from './escape.ts';
import { coord, formatMsShort, tickLabel, ticksMs } from './format.ts';
import { tokenClass } from './palette.ts';

/** Pixel layout (script.ts repeats GUTTER_PX and PLOT_PX). */
export const GUTTER_PX = 76;
export const PLOT_PX = 900;
const AXIS_PX = 18;
const LANE_PX = 20;
const CLOCK_PX = 14;
/** Room right of the plot for the last tick's label. */
const RIGHT_PX = 18;

interface LaneBox {
  readonly node: string;
  readonly role: string;
  /** Top of the lane in the plot (px). */
  readonly y: number;
  /** Height including the clock track, if any. */
  readonly h: number;
}

/** A violation placed on the timeline. */
interface Mark {
  readonly check: CheckName;
  readonly v: Violation;
}

/** The timeline's SVG. `checks` supply the violations to mark. */
export function renderTimeline(t: Timeline, checks: Checks): string {
  const ready = t.readyUs;
  const x = (us: number): string => coord((us - ready) / 1000);
  const x0 = Math.min(0, -ready / 1000);
  const x1 = Math.max((t.endUs - ready) / 1000, x0 + 0.001);
  const span = x1 - x0;
  const clocked = new Map(t.clocks.map((c) => [c.node, c.points]));
  const lanes: LaneBox[] = [];
  let y = 0;
  for (const lane of t.lanes) {
    const h = LANE_PX + (clocked.has(lane.node) ? CLOCK_PX : 0);
    lanes.push({ node: lane.node, role: lane.role, y, h });
    y += h;
  }
  const plotH = Math.max(y, LANE_PX);
  const laneOf = new Map(lanes.map((l) => [l.node, l]));
  const width = GUTTER_PX + PLOT_PX + RIGHT_PX;
  const height = AXIS_PX + plotH + 2;
  const end = (us: number | null): number => us ?? t.endUs;

  const out: string[] = [];
  out.push(`<svg class="tl" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-ready="${ready}" data-x0="${coord(x0)}" data-x1="${coord(x1)}">`);
  out.push(axis(x0, x1, height));
  for (const lane of lanes) {
    out.push(`<text class="ln ${lane.role === 'server' ? 'rs' : lane.role === 'client' ? 'rc' : 'rt'}" x="4" y="${AXIS_PX + lane.y + 14}">${esc(lane.node)}</text>`);
    if (clocked.has(lane.node)) {
      const maxAbs = Math.max(0, ...clocked.get(lane.node)!.map(([, off]) => Math.abs(off)));
      out.push(`<text class="cl" x="4" y="${AXIS_PX + lane.y + LANE_PX + 10}">clock ±${esc(formatMsShort(maxAbs / 1000))}</text>`);
    }
  }
  out.push(`<svg class="pl" x="${GUTTER_PX}" y="${AXIS_PX}" width="${PLOT_PX}" height="${plotH}" viewBox="${coord(x0)} 0 ${coord(span)} ${plotH}" preserveAspectRatio="none">`);

  // Backgrounds: alternate lanes, the bootstrap before the workload started.
  lanes.forEach((lane, i) => {
    if (i % 2 === 1) out.push(`<rect class="lb" x="${coord(x0)}" y="${lane.y}" width="${coord(span)}" height="${lane.h}"/>`);
  });
  if (ready > 0) out.push(`<rect class="bt" x="${coord(x0)}" width="${coord(-x0)}" height="${plotH}" data-tip="bootstrap: the service ran alone until its first leader committed"/>`);

  // Faults, under everything else.
  for (const f of t.faults) {
    const hit = [...f.targets, ...(f.sides ?? []).flat()].filter((n, i, all) => laneOf.has(n) && all.indexOf(n) === i);
    const boxes = hit.length === 0 ? lanes : lanes.filter((l) => hit.includes(l.node));
    const sides = f.sides === undefined || f.sides.length === 0 ? '' : ` [${f.sides.map((s) => s.join(' ')).join(' | ')}]`;
    // A crash without a restart ends as it fires (the node is down for good: FaultReport.endedAt): drawn to the run's end.
    const downForGood = f.kind === 'crash' && f.endUs === f.startUs;
    const when = downForGood ? `${formatMsShort((f.startUs - ready) / 1000)} → down for good` : f.endUs === null ? `${formatMsShort((f.startUs - ready) / 1000)} → not ended by the run's end` : f.endUs > f.startUs ? `${formatMsShort((f.startUs - ready) / 1000)} → ${formatMsShort((f.endUs - ready) / 1000)}` : `at ${formatMsShort((f.startUs - ready) / 1000)}`;
    const tip = `fault[${f.index}] ${f.kind} on ${f.targets.length === 0 ? 'everyone' : f.targets.join(', ')}${sides}: ${when}`;
    out.push(`<g class="f ${faultClass(f.kind)}" data-fault="${esc(f.kind)}" data-tip="${esc(tip)}">`);
    const fEnd = downForGood ? t.endUs : end(f.endUs);
    for (const box of boxes) {
      // A translucent band over the lane, and a dashed strip along its bottom that holds cannot hide.
      const w = coord((fEnd - f.startUs) / 1000);
      if (fEnd > f.startUs) out.push(`<rect x="${x(f.startUs)}" y="${box.y}" width="${w}" height="${box.h}"/><path class="fs" d="M${x(f.startUs)} ${box.y + LANE_PX - 2}h${w}"/>`);
      else out.push(`<path d="M${x(f.startUs)} ${box.y}v${box.h}"/>`);
    }
    out.push('</g>');
  }

  // Lanes.
  for (const lane of lanes) {
    out.push(`<g data-lane="${esc(lane.node)}" transform="translate(0,${lane.y})">`);
    if (lane.role === 'server') out.push(...serverLane(t, lane.node, x, end));
    else if (lane.role === 'client') out.push(...clientLane(t, lane.node, x, end));
    else out.push(...storeLane(t, x));
    const points = clocked.get(lane.node);
    if (points !== undefined) out.push(clockTrack(points, x));
    out.push('</g>');
  }

  // Violations, on top.
  for (const mark of marksOf(checks)) out.push(violationMark(mark, t, laneOf, lanes, plotH, x));
  out.push('</svg></svg>');
  return out.join('');
}

/** The axis in the outer SVG: a grid line and a label per tick (script.ts redraws it on zoom). */
function axis(fromMs: number, toMs: number, height: number): string {
  const { stepMs, ticks } = ticksMs(fromMs, toMs);
  const parts = ticks.map((tMs) => {
    const px = (GUTTER_PX + ((tMs - fromMs) / (toMs - fromMs)) * PLOT_PX).toFixed(1);
    return `<path d="M${px} 14V${height}"/><text x="${px}" y="11">${tickLabel(tMs, stepMs)}</text>`;
  });
  return `<g class="ax">${parts.join('')}</g>`;
}

function faultClass(kind: string): string {
  switch (kind) {
    case 'pause':
      return 'fp';
    case 'crash':
      return 'fc';
    case 'partition':
      return 'fx';
    case 'network':
      return 'fw';
    case 'clock-jump':
    case 'clock-drift':
      return 'fk';
    default:
      return 'fo';
  }
}

type X = (us: number) => string;

/** A server's lane: leadership terms, then grants (coloured by token) and expiries. */
function serverLane(t: Timeline, node: string, x: X, end: (us: number | null) => number): string[] {
  const out: string[] = [];
  for (const l of t.leaders) {
    if (l.server !== node) continue;
    out.push(`<rect class="ld" x="${x(l.fromUs)}" width="${coord((end(l.toUs) - l.fromUs) / 1000)}" height="${LANE_PX}" data-tip="${esc(node)} leads"/>`);
  }
  for (const g of t.grants) {
    if (g.server !== node) continue;
    out.push(`<path class="gr ${tokenClass(g.token)}" d="M${x(g.atUs)} 1v14" data-tip="${esc(`grant ${g.client}${g.token === null ? '' : ` token ${g.token}`}`)}"/>`);
  }
  for (const e of t.expiries) {
    if (e.server !== node) continue;
    out.push(`<path class="ex" d="M${x(e.atUs)} 3v10" data-tip="${esc(`expiry ${e.owner}${e.token === null ? '' : ` token ${e.token}`}`)}"/>`);
  }
  return out;
}

/** A client's lane: its acquire waits (one path each for granted and refused), then its belief intervals. */
function clientLane(t: Timeline, node: string, x: X, end: (us: number | null) => number): string[] {
  const out: string[] = [];
  let ok = '';
  let failed = '';
  for (const a of t.acquires) {
    if (a.client !== node) continue;
    const seg = `M${x(a.startUs)} 13.5h${coord((a.endUs - a.startUs) / 1000)}`;
    if (a.ok) ok += seg;
    else failed += seg;
  }
  if (ok !== '') out.push(`<path class="aq" d="${ok}" data-tip="waiting in acquire (granted)"/>`);
  if (failed !== '') out.push(`<path class="aq af" d="${failed}" data-tip="waiting in acquire (refused or timed out)"/>`);
  for (const h of t.holds) {
    if (h.client !== node) continue;
    const open = h.endUs === null ? ' op' : '';
    const token = h.token === null ? '' : ` data-token="${h.token}"`;
    const why = h.endReason === null || h.endReason === 'released' ? '' : ` data-why="${esc(h.endReason)}"`;
    out.push(`<rect class="h ${tokenClass(h.token)}${open}" x="${x(h.startUs)}" y="1" width="${coord((end(h.endUs) - h.startUs) / 1000)}" height="10" data-hold="${esc(node)}"${token}${why}/>`);
  }
  return out;
}

/** The store's lane: reads as short ticks, accepted writes coloured by token, rejected accesses in red. */
function storeLane(t: Timeline, x: X): string[] {
  return t.store.map((s) => {
    const token = s.token === null ? '' : ` token ${s.token}`;
    const verdict = s.accepted ? '' : ` rejected${s.reason === undefined ? '' : `: ${s.reason}`}`;
    const tip = esc(`${s.client} ${s.kind} ${s.value}${token}${verdict}`);
    if (!s.accepted) return `<path class="sx" d="M${x(s.atUs)} 1v14" data-tip="${tip}"/>`;
    if (s.kind === 'read') return `<path class="sr" d="M${x(s.atUs)} 4v8" data-tip="${tip}"/>`;
    return `<path class="sw ${tokenClass(s.token)}" d="M${x(s.atUs)} 1v14" data-tip="${tip}"/>`;
  });
}

/** A node's clock offset (wall − true) under its lane, scaled to the track's height by its largest offset. */
function clockTrack(points: ReadonlyArray<readonly [number, number]>, x: X): string {
  const maxAbs = Math.max(0, ...points.map(([, off]) => Math.abs(off)));
  const mid = LANE_PX + CLOCK_PX / 2;
  const yOf = (off: number): string => coord(maxAbs === 0 ? mid : mid - (off / maxAbs) * (CLOCK_PX / 2 - 2));
  const pts = points.map(([at, off]) => `${x(at)},${yOf(off)}`).join(' ');
  const last = points.length === 0 ? 0 : points[points.length - 1][1];
  return `<path class="cb" d="M${x(points[0]?.[0] ?? 0)} ${mid}H${x(points[points.length - 1]?.[0] ?? 0)}"/><polyline class="co" points="${pts}" data-tip="clock offset (wall − true), up to ±${esc(formatMsShort(maxAbs / 1000))}; ${esc(formatMsShort(last / 1000))} at the end"/>`;
}

/** Every violation with a time, in check order. */
function marksOf(checks: Checks): Mark[] {
  const marks: Mark[] = [];
  const byName = checks as Partial<Record<CheckName, { violations?: readonly Violation[] }>>;
  for (const check of CHECK_ORDER) {
    for (const v of byName[check]?.violations ?? []) if (typeof v?.at === 'number' && Number.isFinite(v.at)) marks.push({ check, v });
  }
  return marks;
}

/** The belief interval of `client` covering `atUs` (the latest to start), if any. */
function holdAt(t: Timeline, client: string, atUs: number): { startUs: number; endUs: number } | undefined {
  let found: { startUs: number; endUs: number } | undefined;
  for (const h of t.holds) {
    const e = h.endUs ?? t.endUs;
    if (h.client === client && h.startUs <= atUs && e >= atUs && (found === undefined || h.startUs >= found.startUs)) found = { startUs: h.startUs, endUs: e };
  }
  return found;
}

/** A violation's marker: an overlap region for mutual exclusion, else a tick across its lane. */
function violationMark(mark: Mark, t: Timeline, laneOf: ReadonlyMap<string, LaneBox>, lanes: readonly LaneBox[], plotH: number, x: X): string {
  const { check, v } = mark;
  const attrs = `data-violation="${check}" data-at="${v.at}" data-tip="${esc(`${check} violated: ${v.detail}`)}"`;
  const boxes = v.nodes.map((n) => laneOf.get(n)).filter((b): b is LaneBox => b !== undefined);
  if (check === 'mutualExclusion' && boxes.length >= 2) {
    const ends = v.nodes.map((n) => holdAt(t, n, v.at)?.endUs).filter((e): e is number => e !== undefined);
    const overlapEnd = ends.length === 0 ? v.at : Math.min(...ends);
    const minWidth = (t.endUs - Math.min(0, t.readyUs)) / 1000 / 2000;
    const top = Math.min(...boxes.map((b) => b.y));
    const bottom = Math.max(...boxes.map((b) => b.y + LANE_PX));
    return `<rect class="ov" x="${x(v.at)}" y="${top}" width="${coord(Math.max((overlapEnd - v.at) / 1000, minWidth))}" height="${bottom - top}" ${attrs}/>`;
  }
  const store = lanes.find((l) => l.role === 'store');
  const onStore = store !== undefined && (check === 'resource' || (check === 'fencing' && t.store.some((s) => s.atUs === v.at)));
  const box = onStore ? store : boxes[0];
  const y1 = box === undefined ? 0 : box.y;
  const y2 = box === undefined ? plotH : box.y + LANE_PX;
  return `<line class="vm" x1="${x(v.at)}" x2="${x(v.at)}" y1="${y1}" y2="${y2}" ${attrs}/>`;
}
