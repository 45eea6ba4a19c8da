/**
 * The page shell: doctype, a Content-Security-Policy that lets nothing be
 * fetched (inline style and script only: the file is self-contained and
 * stays so even if a report is edited), the title and sources, the body
 * parts in order, the tooltip, the inlined data and the script.
 */
import { esc, jsonForScript } from './escape.ts';
import { reportScript } from './script.ts';
import { reportCss } from './style.ts';

/** Forbids every fetch: no network, no file, no font, no frame; inline CSS and JS only. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export interface PageParts {
  readonly title: string;
  readonly sources: readonly string[];
  /** A line under the title (already HTML). */
  readonly headline: string;
  /** The body's sections (already HTML). */
  readonly sections: readonly string[];
  /** Inlined as `<script type="application/json" id="locksim-data">` for whoever scripts the page. */
  readonly data: unknown;
}

/** The whole document. */
export function renderPage(parts: PageParts): string {
  const sources = parts.sources.length === 0 ? '' : `<p class="src">made from ${parts.sources.map((s) => `<code>${esc(s)}</code>`).join(', ')}</p>`;
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${esc(parts.title)}</title><style>${reportCss()}</style></head><body>`,
    `<header><h1>${esc(parts.title)}</h1>${sources}<p class="src">${parts.headline}</p></header>`,
    ...parts.sections,
    '<div id="tip"></div>',
    `<script type="application/json" id="locksim-data">${jsonForScript(parts.data)}</script>`,
    `<script>${reportScript()}</script>`,
    '</body></html>\n',
  ].join('\n');
}
