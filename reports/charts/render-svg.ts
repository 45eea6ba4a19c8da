/**
 * A Vega-Lite spec to inline SVG, at build time and without a browser:
 * vega-lite `compile`, then a vega `View` with `renderer: 'none'` and
 * `toSVG()`. The SVG is made fit to inline into a page among others: the
 * namespace declarations go (HTML's parser puts inline `<svg>` in the SVG
 * namespace; no URL is left in the page), and any element id is renamed
 * `<prefix>-<n>` in order of appearance (vega numbers clip paths and
 * gradients with process-wide counters, so the same chart rendered twice
 * would otherwise differ, and two charts could share an id). vega and
 * vega-lite are imported on first use: they take ~0.3 s to load, which a
 * CLI command that draws no chart should not pay.
 */
import type { TopLevelSpec } from 'vega-lite';

/** The chart's SVG (deterministic for the same spec). */
export async function vegaLiteToSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return inlineSvg(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/** Drops namespace declarations and gives every id (and reference to it) a per-chart prefix. */
export function inlineSvg(svg: string, idPrefix: string): string {
  let text = svg.replace(/ xmlns(?::\w+)?="[^"]*"/g, '').replace(/ version="1\.1"/, '');
  const ids = [...text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  ids.forEach((id, n) => {
    const to = `${idPrefix}-${n}`;
    const quoted = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text
      .replace(new RegExp(` id="${quoted}"`, 'g'), ` id="${to}"`)
      .replace(new RegExp(`url\\(#${quoted}\\)`, 'g'), `url(#${to})`)
      .replace(new RegExp(`href="#${quoted}"`, 'g'), `href="#${to}"`);
  });
  return text;
}
