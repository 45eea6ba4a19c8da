/**
 * The fuzz part of the HTML report (`fuzz --json` documents): the session
 * (runs, seed, designs, property, shard), per design how many runs failed
 * and how many distinct findings were kept, each finding (design, property,
 * shrinks, the replay command, the violation and the shrunk scenario as
 * JSON) and the coverage counters. All escaped.
 */
import { esc } from './escape.ts';
import { numericLeaves, type FuzzInput } from './model.ts';

/** The section, or "" with no document. */
export function renderFuzzSection(docs: readonly FuzzInput[]): string {
  if (docs.length === 0) return '';
  const out = [`<section id="fuzz"><h2>Fuzzing <small>${docs.length === 1 ? '' : `${docs.length} documents, `}${docs.reduce((a, d) => a + (d.runs ?? 0), 0)} runs, ${docs.reduce((a, d) => a + d.findings.length, 0)} findings</small></h2>`];
  docs.forEach((doc, i) => {
    const s = doc.fuzz;
    const session = s === undefined ? [] : [
      s.seed === undefined ? '' : `seed ${esc(s.seed)}`,
      s.designs === undefined ? '' : `designs ${esc(s.designs.join(', '))}`,
      s.property === undefined ? '' : `property ${esc(s.property)}`,
      s.shard === undefined || s.shard === null ? '' : `shard ${esc(s.shard)}`,
      s.durationMs === undefined ? '' : `${esc(s.durationMs)} ms per run`,
      s.maxFaults === undefined ? '' : `up to ${esc(s.maxFaults)} faults`,
    ].filter((p) => p !== '');
    out.push(`<h3>${docs.length === 1 ? 'Session' : `Document ${i + 1}`}: ${esc(doc.runs)} runs${session.length === 0 ? '' : ` · ${session.join(' · ')}`}</h3>`);
    if (doc.designs !== undefined) {
      const rows = Object.entries(doc.designs).map(([d, v]) => `<tr><th>${esc(d)}</th><td>${esc(v.runs)}</td><td>${esc(v.failedRuns)}</td><td>${esc(v.findings)}</td></tr>`);
      out.push(`<table class="sm"><thead><tr><th>design</th><th>runs</th><th>failing runs</th><th>findings</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
    }
    if (doc.findings.length === 0) out.push('<p class="nt">No property failed.</p>');
    else out.push(`<ol class="fz">${doc.findings.map((f) => findingItem(f)).join('')}</ol>`);
    const leaves = numericLeaves(doc.coverage);
    if (leaves.length > 0) out.push(`<details><summary>coverage</summary><p class="mt">${leaves.map(([k, v]) => `${esc(k)} ${esc(v)}`).join(' · ')}</p></details>`);
  });
  out.push('</section>');
  return out.join('');
}

function findingItem(f: FuzzInput['findings'][number]): string {
  const name = typeof f.scenario?.name === 'string' ? f.scenario.name : '(unnamed scenario)';
  const violation = f.violation === undefined ? '' : `<pre>${esc(JSON.stringify(f.violation, null, 2))}</pre>`;
  return `<li><b>${esc(f.design)}</b> broke <b>${esc(f.property)}</b> in ${esc(name)} (shrunk ${esc(f.shrinks)} times, trace ${esc(f.traceHash)})<br><code>npx locksim replay ${esc(f.replay)}</code>${violation}<details><summary>scenario</summary><pre>${esc(JSON.stringify(f.scenario, null, 2))}</pre></details></li>`;
}
