/**
 * One scenario's section of the HTML report: per design result an
 * `<article data-run="<scenario>/<design>">` with its verdicts (each
 * check, `safe`, the expectation), its main metrics, what each fault did,
 * its violations (a click zooms the timeline to one) and its swimlane
 * timeline — or a line saying no timeline was recorded, or, for a skipped
 * design, the reason it did not run. Times in the lists are from the
 * workload's start (`readyUs`), as on the timeline's axis; every string
 * from the result is escaped.
 */
import type { CheckResult, DesignResult, FaultReport, RunResult } from '../../sim/harness/result.ts';
import type { CheckName } from '../../sim/scenario/types.ts';
import { CHECK_ORDER } from '../render-run.ts';
import { formatMs } from '../render-suite.ts';
import { formatUs } from '../text-format.ts';
import { esc } from './escape.ts';
import { formatMsShort } from './format.ts';
import { checkOf, isSkipped, metricOf } from './model.ts';
import { renderTimeline } from './timeline-svg.ts';

/** The anchor of run `runIndex`'s design result `resultIndex` (the matrix links to it). */
export function runAnchor(runIndex: number, resultIndex: number): string {
  return `r${runIndex}-${resultIndex}`;
}

/** The anchor of run `runIndex`'s section. */
export function scenarioAnchor(runIndex: number): string {
  return `s${runIndex}`;
}

/** The section of one RunResult. */
export function renderRunSection(run: RunResult, runIndex: number): string {
  const out = [`<section class="sc" id="${scenarioAnchor(runIndex)}"><h2>${esc(run.scenario)} <small>seed ${esc(run.seed)}</small></h2>`];
  run.results.forEach((result, j) => out.push(renderDesign(run, result, runIndex, j)));
  out.push('</section>');
  return out.join('');
}

function renderDesign(run: RunResult, r: DesignResult, runIndex: number, j: number): string {
  const head = `<article class="run" id="${runAnchor(runIndex, j)}" data-run="${esc(`${run.scenario}/${r.design}`)}">`;
  if (isSkipped(r)) {
    return `${head}<h3>${esc(r.design)} <span class="b sk">skipped</span></h3><p class="nt">skipped: ${esc(r.skipped)}</p></article>`;
  }
  const readyUs = r.timeline?.readyUs ?? (metricOf(r, 'readyMs') ?? 0) * 1000;
  const verdict = r.safe === true ? '<span class="b ok">safe</span>' : r.safe === false ? '<span class="b ko">unsafe</span>' : '<span class="b sk">not judged</span>';
  const expect = r.expect?.met === false
    ? `<span class="b ko" title="${esc(r.expect.mismatches.map((m) => `${m.check} expected ${String(m.expected)}, got ${String(m.actual)}`).join('; '))}">expect missed</span>`
    : '<span class="b">expect met</span>';
  const out = [head, `<h3>${esc(r.design)} ${verdict} ${expect} <button class="rz" type="button" hidden>reset zoom</button></h3>`];
  out.push(checksList(r));
  if (r.expect?.met === false) {
    out.push(`<p class="xm">${r.expect.mismatches.map((m) => `${esc(m.check)} expected ${esc(String(m.expected))}, got ${esc(String(m.actual))}`).join('; ')}</p>`);
  }
  out.push(metricsLine(r));
  if (r.faults.length > 0) out.push(`<ul class="fl">${r.faults.map((f) => `<li>${faultLine(f, readyUs)}</li>`).join('')}</ul>`);
  out.push(violationList(r, readyUs));
  out.push(r.timeline === undefined ? '<p class="nt">No timeline was recorded for this run (its result file predates timelines, or it was made without them).</p>' : `<div class="tw">${renderTimeline(r.timeline, r.checks)}</div>`);
  out.push('</article>');
  return out.join('');
}

/** Each check's verdict, its detail on hover. */
function checksList(r: DesignResult): string {
  const items = CHECK_ORDER.map((name) => [name, checkOf(r, name)] as const)
    .filter((pair): pair is readonly [CheckName, CheckResult] => pair[1] !== undefined)
    .map(([name, c]) => {
      const [cls, mark] = c.ok === true ? ['ok', '✓'] : c.ok === false ? ['ko', '✗'] : c.ok === 'unknown' ? ['uk', '?'] : ['na', 'n/a'];
      const count = c.ok === false && c.violations !== undefined ? ` (${typeof c.total === 'number' ? c.total : c.violations.length})` : '';
      const title = c.detail === undefined ? '' : ` title="${esc(c.detail)}"`;
      return `<li class="${cls}"${title}>${name} ${mark}${count}</li>`;
    });
  return `<ul class="ck">${items.join('')}</ul>`;
}

/** The main metrics, then the design's other counters (non-zero ones). */
function metricsLine(r: DesignResult): string {
  const m = r.metrics;
  const main = [
    `sections ${m.sections}`,
    `acquire p50 ${formatMs(m.acquireP50Ms)} / p99 ${formatMs(m.acquireP99Ms)}`,
    `failed acquires ${m.failedAcquires}`,
    `messages ${m.messages}`,
    `unavailable ${formatMs(m.unavailableMs)}`,
    `recovery ${formatMs(metricOf(r, 'recoveryMs'))}`,
    `events ${r.events}`,
    `trace ${esc(r.traceHash)}`,
  ];
  const shown = new Set(['sections', 'acquireP50Ms', 'acquireP99Ms', 'failedAcquires', 'messages', 'unavailableMs', 'recoveryMs']);
  const extra = Object.entries(m)
    .filter(([k, v]) => !shown.has(k) && typeof v === 'number' && v !== 0)
    .map(([k, v]) => `${esc(k)} ${esc(v)}`);
  return `<p class="mt">${main.join(' · ')}${extra.length === 0 ? '' : `<br><small>${extra.join(' · ')}</small>`}</p>`;
}

function rel(us: number, readyUs: number): string {
  return `${us >= readyUs ? '+' : ''}${formatMsShort((us - readyUs) / 1000)}`;
}

/** What a fault did: whom it hit, when, its counted effect or why it did nothing. */
function faultLine(f: FaultReport, readyUs: number): string {
  const what = `fault[${f.index}] <b>${esc(f.kind)}</b>`;
  if (f.firedAt === null) return `${what}: never fired${f.skipped === undefined ? '' : ` (${esc(f.skipped)})`}`;
  const sides = f.sides === undefined || f.sides.length === 0 ? '' : ` [${esc(f.sides.map((s) => s.join(' ')).join(' | '))}]`;
  const resolved = Object.entries(f.resolved ?? {}).map(([k, v]) => `${k} = ${v.length === 0 ? 'nobody' : v.join(' ')}`);
  const on = f.targets.length === 0 ? '' : ` on ${esc(f.targets.join(' '))}`;
  const dyn = resolved.length === 0 ? '' : ` (${esc(resolved.join(', '))})`;
  const until = f.endedAt === undefined ? '' : f.endedAt === null ? ', never ended' : f.endedAt > f.firedAt ? ` → ${rel(f.endedAt, readyUs)}` : '';
  const head = `${what}${sides}${on}${dyn} at ${rel(f.firedAt, readyUs)}${until}`;
  if (f.skipped !== undefined) return `${head}: <span class="ko">did nothing: ${esc(f.skipped)}</span>`;
  const effect = Object.entries(f.effect).map(([k, v]) => `${esc(k)} ${esc(v)}`).join(', ');
  return `${head}: ${effect === '' ? '<i>no effect counted</i>' : effect}`;
}

/**
 * The violations, each a list item. With a timeline the markers on it carry
 * `data-violation`; the items carry `data-goto` (true µs) to zoom to them.
 * Without one the items themselves carry `data-violation` and `data-at`.
 */
function violationList(r: DesignResult, readyUs: number): string {
  const items: string[] = [];
  for (const name of CHECK_ORDER) {
    const c = checkOf(r, name);
    if (c === undefined) continue;
    if (c.ok === false && (c.violations === undefined || c.violations.length === 0)) items.push(`<li><b>${name}</b>: ${esc(c.detail ?? '(no detail)')}</li>`);
    else if (c.ok === 'unknown') items.push(`<li><b>${name}</b> unknown: ${esc(c.detail ?? "the checker's budget ran out")}</li>`);
    for (const v of c.violations ?? []) {
      const timed = typeof v.at === 'number' && Number.isFinite(v.at);
      const hook = !timed ? '' : r.timeline === undefined ? ` data-violation="${name}" data-at="${v.at}"` : ` data-goto="${v.at}"`;
      const when = !timed ? '' : readyUs === 0 ? ` at ${rel(v.at, readyUs)}` : ` at ${rel(v.at, readyUs)} (true ${formatUs(v.at)})`;
      items.push(`<li${hook}><b>${name}</b>${when} [${esc(v.nodes.join(', '))}]: ${esc(v.detail)}</li>`);
    }
    if (typeof c.total === 'number' && c.violations !== undefined && c.total > c.violations.length) items.push(`<li><b>${name}</b>: ${c.total - c.violations.length} more not listed</li>`);
  }
  return items.length === 0 ? '' : `<ol class="vl">${items.join('')}</ol>`;
}
