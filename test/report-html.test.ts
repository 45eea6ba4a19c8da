/**
 * The HTML report (SPEC §8, reports/html): its structure read back through
 * the §8 hooks with linkedom, on hand-built results (test/fixtures/report)
 * and, once the simulator records timelines, on a real `gc-pause` run; that
 * it is self-contained (nothing to fetch), escapes what a scenario says,
 * renders byte-identically twice, carries Vega charts as inline SVG, and
 * that a suite-sized report stays within the size budget.
 */
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import type { CheckResult, DesignResult, RunResult, Timeline } from '../sim/harness/result.ts';
import { withSummary } from './fixtures/report/summary.ts';
import { renderHtmlReport } from '../reports/html/render-report.ts';
import { CHECK_ORDER } from '../reports/render-run.ts';
import type { FuzzInput } from '../reports/html/model.ts';
import { CLOCK_JUMP, GC_PAUSE, RUNS } from './fixtures/report/runs.ts';
import { syntheticSuite } from './fixtures/report/synthetic.ts';
import { loadScenarioFile, runScenario } from './support/designs.ts';

type Doc = ReturnType<typeof parseHTML>['document'];

function parse(html: string): Doc {
  return parseHTML(html).document;
}

/** The article of `<scenario>/<design>`. */
function runEl(doc: Doc, key: string): Element {
  const el = [...doc.querySelectorAll('[data-run]')].find((e) => e.getAttribute('data-run') === key);
  if (el === undefined) throw new Error(`no data-run=${key}`);
  return el;
}

/** An element's x in the timeline's inner coordinates (ms from readyUs): `x`, `x1`, or a path's first move. */
function xOf(el: Element): number {
  const x = el.getAttribute('x') ?? el.getAttribute('x1');
  if (x !== null) return Number(x);
  return Number(/^M(-?[\d.]+)/.exec(el.getAttribute('d') ?? '')![1]);
}

/** The lane group an element is drawn in (its y offset), or the lane whose band its y falls in. */
function laneTop(svg: Element, node: string): number {
  const lane = [...svg.querySelectorAll('[data-lane]')].find((l) => l.getAttribute('data-lane') === node)!;
  return Number(/translate\(0,(\d+)\)/.exec(lane.getAttribute('transform')!)![1]);
}

/** Checks a design's timeline drawing against its result, through the SPEC §8 hooks. */
function expectTimelineMatches(doc: Doc, scenario: string, r: DesignResult): void {
  const t = r.timeline as Timeline;
  const article = runEl(doc, `${scenario}/${r.design}`);
  const svg = article.querySelector('svg.tl')!;
  expect(svg).not.toBeNull();
  // Lanes, in drawing order.
  expect([...svg.querySelectorAll('[data-lane]')].map((l) => l.getAttribute('data-lane'))).toEqual(t.lanes.map((l) => l.node));
  // One data-hold per belief interval, with its token, at its time.
  const holds = [...svg.querySelectorAll('[data-hold]')];
  expect(holds).toHaveLength(t.holds.length);
  const sorted = [...t.holds].sort((a, b) => a.client.localeCompare(b.client) || a.startUs - b.startUs);
  const drawn = holds.map((h) => ({ client: h.getAttribute('data-hold'), token: h.getAttribute('data-token'), x: xOf(h) })).sort((a, b) => a.client!.localeCompare(b.client!) || a.x - b.x);
  drawn.forEach((h, i) => {
    expect(h.client).toBe(sorted[i].client);
    expect(h.token).toBe(sorted[i].token === null ? null : String(sorted[i].token));
    expect(h.x).toBeCloseTo((sorted[i].startUs - t.readyUs) / 1000, 3);
    // Inside its client's lane.
    const hold = holds.find((e) => e.getAttribute('data-hold') === h.client && xOf(e) === h.x)!;
    expect(hold.parentElement!.getAttribute('data-lane')).toBe(h.client);
  });
  // A fault band per fault, in order.
  expect([...svg.querySelectorAll('[data-fault]')].map((f) => f.getAttribute('data-fault'))).toEqual(t.faults.map((f) => f.kind));
  // A marker per violation: its check, its true time, and an x that is that time.
  const checks = r.checks as Partial<Record<string, CheckResult>>;
  const expected = CHECK_ORDER.flatMap((check) => (checks[check]?.violations ?? []).map((v) => ({ check, at: v.at, nodes: v.nodes })));
  const markers = [...svg.querySelectorAll('[data-violation]')];
  expect(markers.map((m) => [m.getAttribute('data-violation'), Number(m.getAttribute('data-at'))])).toEqual(expected.map((v) => [v.check, v.at]));
  markers.forEach((m, i) => {
    expect(xOf(m)).toBeCloseTo((expected[i].at - t.readyUs) / 1000, 3);
    if (expected[i].check === 'resource') expect(Number(m.getAttribute('y1'))).toBe(laneTop(svg, 'store'));
    if (expected[i].check === 'mutualExclusion') {
      const top = Number(m.getAttribute('y'));
      const bottom = top + Number(m.getAttribute('height'));
      for (const node of expected[i].nodes) {
        expect(laneTop(svg, node)).toBeGreaterThanOrEqual(top);
        expect(laneTop(svg, node)).toBeLessThan(bottom);
      }
    }
  });
  // The inner SVG's viewBox starts at true time 0 (ms from readyUs) and ends at the run's end.
  const [x0, , w] = svg.querySelector('svg.pl')!.getAttribute('viewBox')!.split(' ').map(Number);
  expect(x0).toBeCloseTo(Math.min(0, -t.readyUs / 1000), 3);
  expect(x0 + w).toBeCloseTo((t.endUs - t.readyUs) / 1000, 3);
}

describe('renderHtmlReport: structure (SPEC §8 hooks)', async () => {
  const html = await renderHtmlReport(withSummary({ title: 'fixture report', sources: ['runs/a.json', 'runs/'], runs: RUNS }));
  const doc = parse(html);

  it('has an element per run with data-run="<scenario>/<design>"', () => {
    expect([...doc.querySelectorAll('[data-run]')].map((e) => e.getAttribute('data-run'))).toEqual([
      'clock-jump-forward/redis',
      'gc-pause/redis',
      'gc-pause/redlock',
      'gc-pause/raft-lock',
      'gc-pause/cas',
    ]);
  });

  it('draws lanes, belief intervals, fault bands and violations as the timelines say', () => {
    expectTimelineMatches(doc, 'gc-pause', GC_PAUSE.results[0]);
    expectTimelineMatches(doc, 'gc-pause', GC_PAUSE.results[1]);
    expectTimelineMatches(doc, 'clock-jump-forward', CLOCK_JUMP.results[0]);
  });

  it("marks the store's rejected stale write and the lost updates on the store lane", () => {
    const redis = runEl(doc, 'gc-pause/redis').querySelector('svg.tl')!;
    const store = [...redis.querySelectorAll('[data-lane]')].find((l) => l.getAttribute('data-lane') === 'store')!;
    const rejected = [...store.querySelectorAll('.sx')];
    expect(rejected).toHaveLength(1);
    expect(xOf(rejected[0])).toBeCloseTo(15_110, 3);
    expect(rejected[0].getAttribute('data-tip')).toContain('rejected: stale token 1 < 4');
    const redlock = runEl(doc, 'gc-pause/redlock');
    expect([...redlock.querySelectorAll('[data-violation="resource"]')].map((m) => m.getAttribute('data-at'))).toEqual(['15110210', '16229818']);
  });

  it("draws a clock fault's offset track, a bootstrap band and a never-ending partition to the run's end", () => {
    const svg = runEl(doc, 'clock-jump-forward/redis').querySelector('svg.tl')!;
    const s1 = [...svg.querySelectorAll('[data-lane]')].find((l) => l.getAttribute('data-lane') === 's1')!;
    expect(s1.querySelector('polyline.co')).not.toBeNull();
    expect(svg.textContent).toContain('clock ±12 s');
    expect(svg.querySelector('rect.bt')).not.toBeNull();
    const partition = svg.querySelector('[data-fault="partition"]')!;
    const band = partition.querySelector('rect')!;
    expect(xOf(band) + Number(band.getAttribute('width'))).toBeCloseTo(30_000, 3);
    expect(partition.getAttribute('data-tip')).toContain('[s1 | c1 c2]');
  });

  it('shows a run without a timeline with its verdicts, and its violations as list items carrying the hooks', () => {
    const raft = runEl(doc, 'gc-pause/raft-lock');
    expect(raft.querySelector('svg')).toBeNull();
    expect(raft.textContent).toContain('No timeline was recorded');
    expect(raft.textContent).toContain('mutualExclusion ✗ (1)');
    const item = raft.querySelector('li[data-violation="mutualExclusion"]')!;
    expect(item.getAttribute('data-at')).toBe('10229879');
  });

  it('shows a skipped design as skipped, with the reason', () => {
    const cas = runEl(doc, 'gc-pause/cas');
    expect(cas.querySelector('.b.sk')!.textContent).toBe('skipped');
    expect(cas.textContent).toContain('fault[0] targets the holder, and cas has no lock to hold');
    expect(cas.querySelector('svg')).toBeNull();
  });

  it('has the scenarios × designs matrix, each cell linking to its run', () => {
    const rows = [...doc.querySelectorAll('table.mx tbody tr')];
    expect(rows.map((r) => r.querySelector('th')!.textContent)).toEqual(['clock-jump-forward', 'gc-pause']);
    expect([...doc.querySelectorAll('table.mx thead th')].map((h) => h.textContent)).toEqual(['scenario', 'redis', 'redlock', 'raft-lock', 'cas']);
    const cells = [...rows[1].querySelectorAll('td')];
    expect(cells.map((c) => c.textContent)).toEqual(['mutex✗', 'mutex✗ resource✗', 'mutex✗', 'skip']);
    for (const link of [...doc.querySelectorAll('table.mx td a')]) {
      const target = doc.getElementById(link.getAttribute('href')!.slice(1))!;
      expect(target.getAttribute('data-run')).toMatch(/\//);
    }
    const missed = rows[0].querySelector('td')!;
    expect(missed.textContent).toBe('mutex✗ live✗!');
    expect(missed.className).toContain('mm');
    expect(doc.getElementById(missed.querySelector('a')!.getAttribute('href')!.slice(1))!.getAttribute('data-run')).toBe('clock-jump-forward/redis');
  });

  it('carries the charts as inline SVG from vega, with axes, and unique ids', () => {
    const figures = [...doc.querySelectorAll('figure[data-chart]')];
    expect(figures.map((f) => f.getAttribute('data-chart'))).toEqual(['verdicts', 'latency', 'messages', 'recovery']);
    for (const f of figures) {
      expect(f.querySelector('svg')).not.toBeNull();
      expect(f.querySelector('.role-axis')).not.toBeNull();
    }
    const ids = [...doc.querySelectorAll('[id]')].map((e) => e.getAttribute('id'));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('inlines the results (without timelines) as JSON for scripts', () => {
    const data = JSON.parse(doc.getElementById('locksim-data')!.textContent!);
    expect(data.runs.map((r: RunResult) => r.scenario)).toEqual(['clock-jump-forward', 'gc-pause']);
    expect(data.runs[1].results[0].checks.mutualExclusion.violations[0].at).toBe(10_048_510);
    expect(data.runs[1].results[0].timeline).toBeUndefined();
  });

  it('is self-contained: nothing to fetch, no external script, style, font or image', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b|<iframe\b|<object\b|<embed\b/i);
    expect(html).not.toContain('@import');
    expect(html).not.toContain('url(');
    expect(html.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest|import\(|new Image/);
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content');
    expect(csp).toContain("default-src 'none'");
    expect([...doc.querySelectorAll('script')].map((s) => s.getAttribute('type'))).toEqual(['application/json', null]);
  });
});

describe('renderHtmlReport: escaping', () => {
  it('escapes names, details, reasons and client names from a scenario or result, also inside the inline JSON', async () => {
    const evil = '<script>alert(1)</script>';
    const detail = '"><img onerror=alert(1) src=x>';
    const redis = GC_PAUSE.results[0];
    const t = redis.timeline!;
    const hostile: RunResult = {
      scenario: evil,
      seed: 1,
      results: [
        {
          ...redis,
          design: `re"dis<`,
          checks: { ...redis.checks, mutualExclusion: { ok: false, detail, violations: [{ at: 10_048_510, nodes: ['c1', 'c2'], detail }] } },
          faults: [{ ...redis.faults[0], skipped: detail }],
          timeline: { ...t, holds: t.holds.map((h, i) => (i === 0 ? { ...h, endReason: detail } : h)), store: t.store.map((s) => ({ ...s, reason: detail })) },
        },
        { ...GC_PAUSE.results[3], skipped: detail },
      ],
    };
    const html = await renderHtmlReport(withSummary({ title: evil, sources: [`${evil}.json`], runs: [hostile], fuzz: { runs: 1, findings: [{ design: 'redis', property: 'mutualExclusion', scenario: { name: evil, description: detail }, replay: `${evil}`, shrinks: 2, traceHash: detail, violation: { detail } }] } }));
    expect(html).not.toContain(evil);
    expect(html).not.toContain('<img');
    const doc = parse(html);
    expect(doc.querySelectorAll('script')).toHaveLength(2);
    expect(doc.querySelectorAll('img')).toHaveLength(0);
    expect(doc.querySelector('h1')!.textContent).toBe(evil);
    expect(doc.querySelector('[data-run]')!.getAttribute('data-run')).toBe(`${evil}/re"dis<`);
    expect(doc.querySelector('[data-violation]')!.getAttribute('data-tip')).toBe(`mutualExclusion violated: ${detail}`);
    expect(doc.querySelector('[data-hold][data-why]')!.getAttribute('data-why')).toBe(detail);
    const json = doc.getElementById('locksim-data')!.textContent!;
    expect(json).not.toContain('<');
    expect(JSON.parse(json).runs[0].scenario).toBe(evil);
    expect(JSON.parse(json).fuzz[0].findings[0].scenario.description).toBe(detail);
  });
});

describe('renderHtmlReport: determinism, inputs and budget', () => {
  it('renders the same input to the same bytes', async () => {
    const input = { title: 't', sources: [], runs: RUNS };
    const a = await renderHtmlReport(withSummary(input));
    const b = await renderHtmlReport(withSummary(input));
    expect(b).toBe(a);
  });

  it('uses the suite document’s designs and summary when given one, and shows fuzz findings', async () => {
    const fuzz: FuzzInput = {
      runs: 200,
      fuzz: { seed: 9, designs: ['redis'], property: 'default', shard: null },
      designs: { redis: { runs: 200, failedRuns: 3, findings: 1 } },
      findings: [{ design: 'redis', property: 'mutualExclusion', scenario: { name: 'fuzz-redis-9-17' }, replay: 'AbC123', shrinks: 14, traceHash: 'ffee', violation: { at: 5 } }],
      coverage: { runs: 200, faults: { generated: 500, byKind: { pause: { generated: 100 } } } },
    };
    const html = await renderHtmlReport(withSummary({
      title: 'suite',
      sources: ['out/'],
      runs: [GC_PAUSE],
      suite: { designs: ['redis', 'redlock', 'raft-lock', 'zookeeper', 'cas'], shard: '1/2', summary: {} },
      fuzz,
    }));
    const doc = parse(html);
    expect([...doc.querySelectorAll('table.mx thead th')].map((h) => h.textContent)).toEqual(['scenario', 'redis', 'redlock', 'raft-lock', 'zookeeper', 'cas']);
    expect(doc.querySelector('table.mx tbody tr')!.querySelectorAll('td')[3].textContent).toBe('-');
    expect(doc.querySelector('#matrix h2')!.textContent).toContain('shard 1/2');
    const section = doc.getElementById('fuzz')!;
    expect(section.textContent).toContain('npx locksim replay AbC123');
    expect(section.textContent).toContain('faults.byKind.pause.generated 100');
    expect(section.textContent).toContain('fuzz-redis-9-17');
  });

  it('keeps a suite-sized report (165 runs, ~4,400 sections, worst-case event counts) under 5 MB', async () => {
    const runs = syntheticSuite(33, ['redis', 'redlock', 'raft-lock', 'zookeeper', 'cas'], 27);
    const html = await renderHtmlReport(withSummary({ title: 'synthetic suite', sources: [], runs }));
    const doc = parse(html);
    expect(doc.querySelectorAll('[data-run]')).toHaveLength(165);
    expect(doc.querySelectorAll('[data-hold]').length).toBeGreaterThan(4_000);
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
  }, 30_000);
});

describe('renderHtmlReport: a real run', () => {
  it('draws gc-pause as the simulator recorded it (once the simulator records timelines)', async (ctx) => {
    const result = runScenario(loadScenarioFile('gc-pause'), { timeline: true });
    if (result.results.every((r) => r.timeline === undefined)) ctx.skip();
    const doc = parse(await renderHtmlReport(withSummary({ title: 'gc-pause', sources: ['gc-pause'], runs: [result] })));
    for (const r of result.results) {
      if (r.timeline !== undefined) expectTimelineMatches(doc, 'gc-pause', r);
      else expect(runEl(doc, `gc-pause/${r.design}`).textContent).toMatch(/skipped|No timeline/);
    }
  }, 30_000);
});
