/**
 * The Markdown report (reports/render-markdown.ts, `report --format md`):
 * the matrix and metrics tables, skip reasons, mismatches and fuzz
 * findings, with `|` and newlines escaped in cells and HTML's special
 * characters in free text.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../sim/harness/result.ts';
import { mdText, renderMarkdownReport } from '../reports/render-markdown.ts';
import { withSummary } from './fixtures/report/summary.ts';
import { SUMMARY_HEAD } from '../reports/render-suite.ts';
import { GC_PAUSE, RUNS } from './fixtures/report/runs.ts';

/** The table starting at the line equal to `head`, as rows of cells (escaped pipes kept). */
function table(md: string, head: string): string[][] {
  const lines = md.split('\n');
  const start = lines.indexOf(head);
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start; i < lines.length && lines[i].startsWith('|'); i++) {
    if (i === start + 1) continue;
    rows.push(lines[i].slice(2, -2).split(/ (?<!\\)\| /));
  }
  return rows;
}

describe('renderMarkdownReport', () => {
  const md = renderMarkdownReport(withSummary({ title: 'locksim report', sources: ['runs/a.json'], runs: RUNS }));

  it('has the scenarios × designs matrix: verdicts, skips, and mismatches in bold with !', () => {
    const rows = table(md, '| scenario | redis | redlock | raft-lock | cas |');
    expect(rows).toEqual([
      ['scenario', 'redis', 'redlock', 'raft-lock', 'cas'],
      ['`clock-jump-forward`', '**mutex✗ live✗!**', '-', '-', '-'],
      ['`gc-pause`', 'mutex✗', 'mutex✗ resource✗', 'mutex✗', 'skip'],
    ]);
    expect(md).toContain('#### Matrix: 2 scenarios × 4 designs');
    expect(md).toContain('- `gc-pause` / cas: skipped, fault[0] targets the holder, and cas has no lock to hold');
  });

  it('has the per-design metrics summary, computed from the runs without a suite document', () => {
    const rows = table(md, `| ${SUMMARY_HEAD.join(' | ')} |`);
    expect(rows.map((r) => r[0])).toEqual(['design', 'redis', 'redlock', 'raft-lock', 'cas']);
    // redis: 2 runs, both unsafe, one expectation missed; messages (1184 + 160) ÷ sections (23 + 6).
    expect(rows[1].slice(0, 5)).toEqual(['redis', '2', '0', '2', '1']);
    expect(rows[1][7]).toBe('46.3');
    // cas was skipped: no run counts.
    expect(rows[4].slice(1, 5)).toEqual(['0', '0', '0', '0']);
    expect(md).toContain('**Expectation mismatches (1):**\n- clock-jump-forward / redis: liveness expected true, got false');
  });

  it("uses a suite document's designs and summary when given", () => {
    const summary = { redis: { runs: 9, safe: 4, unsafe: 5, expectMismatches: 0, acquireP50Ms: 3.1, acquireP99Ms: 12, messagesPerSection: 21.4, recoveryMs: { p50: 410, max: 10020 } } };
    const text = renderMarkdownReport(withSummary({ title: 't', sources: [], runs: [GC_PAUSE], suite: { designs: ['redis', 'zookeeper'], shard: '2/3', summary } }));
    expect(text).toContain('| scenario | redis | zookeeper |');
    expect(text).toContain('| `gc-pause` | mutex✗ | - |');
    expect(text).toContain('#### Matrix: 1 scenario × 2 designs, shard 2/3');
    expect(text).toContain('| redis | 9 | 4 | 5 | 0 | 3.1ms | 12.0ms | 21.4 | 410.0ms | 10.02s |');
    expect(text).toContain('| zookeeper | - | - |');
  });

  it('escapes | and newlines in cells, and HTML in free text', () => {
    const run: RunResult = {
      scenario: 'a|b\nc',
      seed: 1,
      results: [GC_PAUSE.results[0], { ...GC_PAUSE.results[3], skipped: 'no <b>leader</b> |\nhere' }],
    };
    const text = renderMarkdownReport(withSummary({ title: 'x|<y>', sources: ['dir|1'], runs: [run] }));
    expect(text).toContain('| `a\\|b c` | mutex✗ | skip |');
    expect(text).toContain('skipped, no &lt;b&gt;leader&lt;/b&gt; | here');
    expect(text).toContain('### x|&lt;y&gt;');
    // Every table row still has as many unescaped separators as the head.
    for (const line of text.split('\n').filter((l) => l.startsWith('| '))) {
      const cells = line.split(/(?<!\\)\|/).length;
      expect(cells === 5 || cells === 13).toBe(true);
    }
    expect(mdText('a\r\nb<c>&')).toBe('a b&lt;c&gt;&amp;');
  });

  it('lists fuzz findings with the command that replays each', () => {
    const text = renderMarkdownReport(withSummary({
      title: 'fuzz',
      sources: [],
      runs: [],
      fuzz: [
        { runs: 100, findings: [{ design: 'redlock', property: 'resource', scenario: { name: 'fuzz|1' }, replay: 'tok1', shrinks: 7, traceHash: 'ab' }], coverage: { runs: 100, faults: { fired: 40 } } },
        { runs: 50, findings: [] },
      ],
    }));
    expect(text).toContain('#### Fuzz: 1 finding in 150 runs');
    expect(text).toContain('| redlock | resource | fuzz\\|1 | 7 | `npx locksim replay tok1` |');
    expect(text).toContain('coverage: runs 100 · faults.fired 40');
    expect(text).not.toContain('#### Matrix');
  });

  it('gives the same bytes for the same input', () => {
    expect(renderMarkdownReport(withSummary({ title: 'locksim report', sources: ['runs/a.json'], runs: RUNS }))).toBe(md);
  });
});
