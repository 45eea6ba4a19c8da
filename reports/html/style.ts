/**
 * The report's inline stylesheet: page, tables, the run articles and the
 * timeline's classes (short names, because a suite's timelines have tens
 * of thousands of elements). Nothing is loaded: system fonts only, no
 * `@import`, no `url(`. Offscreen runs are not laid out until scrolled to
 * (`content-visibility`), which keeps a whole suite's page quick to open.
 */
import { paletteCss } from './palette.ts';

const PAGE = `
:root{--bad:#d62728;--ok:#2e7d32;--mute:#777}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1240px;padding:0 16px 40px;color:#222}
h1{font-size:21px;margin:18px 0 4px}h2{font-size:17px;margin:26px 0 8px;padding-bottom:2px;border-bottom:1px solid #ddd}h3{font-size:14px;margin:10px 0 2px}
h2 small,.src{color:var(--mute);font-weight:normal;font-size:12px}
code,pre{font:12px ui-monospace,Menlo,Consolas,monospace}pre{background:#f6f6f6;padding:6px;overflow:auto;max-height:320px}
table{border-collapse:collapse;font-size:12px;margin:4px 0}th,td{padding:2px 7px;border:1px solid #e3e3e3;text-align:left;vertical-align:top}thead th{background:#f4f4f4}
.mx a{display:block;color:inherit;text-decoration:none}.mx tbody th a{color:#1f5f99}
.c-safe{background:#e9f6ea;color:var(--ok)}.c-broken{background:#fdecea;color:#b71c1c}.c-unknown{background:#fff6da;color:#8a5a00}.c-skip{background:#f4f4f4;color:#999}.c-absent{color:#ccc}
.mm{box-shadow:inset 0 0 0 2px #f0a000;font-weight:bold}
.sm td{text-align:right}.lg{font-size:11px;color:var(--mute);margin:2px 0 8px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:14px 20px;margin-top:10px}
figure{margin:0}figcaption{font-size:12px;color:#555;margin-bottom:2px}.charts svg{max-width:100%;height:auto}
.run{content-visibility:auto;contain-intrinsic-size:auto 320px;border-left:3px solid #ddd;padding:0 0 4px 10px;margin:10px 0}
.run:target,.sc:target{border-left-color:#f0a000}
.b{font-size:11px;padding:1px 6px;border-radius:3px;background:#eee;font-weight:normal;margin-left:4px}.b.ok{background:#cdebd0;color:#1b5e20}.b.ko{background:#fbd3d3;color:#a01010}.b.sk{color:#777}
.ck{list-style:none;padding:0;margin:2px 0;display:flex;gap:12px;flex-wrap:wrap;font-size:12px}.ck .ok{color:var(--ok)}.ck .ko{color:var(--bad);font-weight:bold}.ck .uk{color:#8a5a00}.ck .na{color:#999}
.mt,.fl,.vl,.xm{font-size:12px;margin:2px 0}.fl,.vl{padding-left:20px}.mt small{color:var(--mute)}.xm{color:#8a5a00}
.vl li[data-goto],.vl li[data-violation]{cursor:zoom-in}.vl li:hover{background:#fff3f3}
.nt{color:var(--mute);font-style:italic;font-size:12px}
.tw{overflow-x:auto;margin-top:4px}.rz{font-size:11px;margin-left:8px}
#tip{position:fixed;display:none;pointer-events:none;background:#222;color:#fff;font-size:12px;padding:4px 7px;border-radius:3px;max-width:520px;z-index:9;white-space:pre-wrap}
`;

const TIMELINE = `
svg.tl{display:block;max-width:100%;height:auto;font-size:10px}
.tl text{fill:#555}.tl .ln{font-size:11px;font-weight:bold}.tl .rs{fill:#6a3d9a}.tl .rc{fill:#1f5f99}.tl .rt{fill:#444}.tl .cl{fill:#888;font-size:9px}
.ax path{stroke:#e6e6e6}.ax text{text-anchor:middle;fill:#888}
.pl *{vector-effect:non-scaling-stroke}
.lb{fill:#000;fill-opacity:.035}.bt{fill:#000;fill-opacity:.09}
.f rect{fill-opacity:.16;stroke:none}.f path{stroke-width:2;fill:none}.f .fs{stroke-width:4;stroke-dasharray:6 3}
.fp{fill:#d95f02;stroke:#d95f02}.fc{fill:#222;stroke:#222}.fx{fill:#7b3294;stroke:#7b3294}.fw{fill:#2166ac;stroke:#2166ac}.fk{fill:#01665e;stroke:#01665e}.fo{fill:#8c510a;stroke:#8c510a}
${paletteCss()}
.h{stroke:none}.h.op{stroke:#333;stroke-width:1;stroke-dasharray:3 2}
.aq{fill:none;stroke:#c4c4c4;stroke-width:3}.af{stroke:#eaa}
.ld{fill:#6a3d9a;fill-opacity:.13;stroke:none}
.gr{stroke-width:2}.ex{stroke:#333;stroke-width:1.5;stroke-dasharray:2 2}
.sr{stroke:#aaa;stroke-width:1}.sw{stroke-width:2}.sx{stroke:var(--bad);stroke-width:2;stroke-dasharray:3 2}
.cb{stroke:#ddd;stroke-width:1}.co{fill:none;stroke:#0f8c9c;stroke-width:1.5}
.ov{fill:var(--bad);fill-opacity:.28;stroke:var(--bad);stroke-width:1.5;cursor:zoom-in}
.vm{stroke:var(--bad);stroke-width:3;cursor:zoom-in}
`;

/** The page's CSS, whitespace-trimmed. */
export function reportCss(): string {
  return (PAGE + TIMELINE).replace(/\n/g, '');
}
