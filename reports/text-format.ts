/**
 * Small text helpers shared by the terminal reports (and the CLI's own
 * tables). Plain functions, no imports from the rest of the repository:
 * `reports/` takes only types from elsewhere (README: Architecture).
 */

/** cli-table3 border characters without a line between rows. */
export const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } as const;

/** A true time or span in µs as people read it: `2s`, `1.5s`, `250ms`, `12us` (as algorithms/api's `formatUs`). */
export function formatUs(us: number): string {
  const abs = Math.abs(us);
  if (abs >= 1_000_000) return `${trim(us / 1_000_000)}s`;
  if (abs >= 1_000) return `${trim(us / 1_000)}ms`;
  return `${us}us`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * Node names with runs of five or more consecutive numbers shortened:
 * `s1 s2 s3 s4 s5 c1` → `s1..s5 c1` (shorter runs stay as they are), so a
 * partition of 100 clients stays one line.
 */
export function compactNames(names: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < names.length) {
    const first = /^([a-z]+)(\d+)$/.exec(names[i]);
    let j = i;
    if (first !== null) {
      while (j + 1 < names.length && names[j + 1] === `${first[1]}${Number(first[2]) + (j + 1 - i)}`) j++;
    }
    out.push(j - i >= 4 ? `${names[i]}..${names[j]}` : names.slice(i, j + 1).join(' '));
    i = j + 1;
  }
  return out.join(' ');
}
