/**
 * The deterministic token palette: a fencing token's colour is its class
 * `k<token mod 10>` (`kn` for no token), so consecutive tokens differ and
 * the same token has the same colour in every lane, run and report. Red is
 * left out: it means a violation.
 */

/** Ten colours (Tableau 10 with its red swapped for teal). */
export const TOKEN_COLOURS: readonly string[] = ['#4e79a7', '#f28e2b', '#17becf', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#8c8c8c'];

/** A token's colour class. */
export function tokenClass(token: number | null | undefined): string {
  if (token === null || token === undefined || !Number.isFinite(token)) return 'kn';
  const n = TOKEN_COLOURS.length;
  return `k${((Math.trunc(token) % n) + n) % n}`;
}

/** The palette's CSS rules (fill for intervals, stroke for ticks). */
export function paletteCss(): string {
  return [...TOKEN_COLOURS.map((c, i) => `.k${i}{fill:${c};stroke:${c}}`), '.kn{fill:#7f9cbf;stroke:#5a7aa0}'].join('');
}
