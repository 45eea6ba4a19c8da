/**
 * Renders a `RunResult` for people: a table comparing designs (checks and
 * metrics), why a check did not apply, the first violation of each failed
 * check, what each fault did and whom it hit (its targets, what `leader`,
 * `holder`, `servers` or `clients` resolved to, a partition's sides, or why
 * it did nothing), and whether the scenario's expectations held ("no
 * expectations" when it had none for a design). Liveness is a check row
 * like the others, with `recoveryMs` among the metrics ("recovery"). A
 * design the scenario skipped (its result has `skipped`) shows "skipped" in
 * its column and a line saying why; it has no checks, metrics or faults to
 * show, and its expectations do not count. Pure functions of the result
 * JSON and the scenario's header; colours come from the caller's chalk.
 * Imports only types from the rest of the repository.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { CheckResult, DesignResult, FaultReport, RunResult } from '../sim/harness/result.ts';
import type { CheckName } from '../sim/scenario/types.ts';
import { COMPACT, compactNames, formatUs } from './text-format.ts';

/** The checks in report order (SPEC §4; the scenario loader's CHECK_NAMES, which test/cli-render.test.ts compares). */
export const CHECK_ORDER: readonly CheckName[] = ['mutualExclusion', 'fencing', 'resource', 'linearizable', 'liveness'];

/** What the header needs besides the result. */
export interface RunHeader {
  /** The scenario argument as the user gave it (path or built-in name). */
  readonly argument: string;
  readonly seed: number;
  /** `--design` as given, to repeat in the replay command. */
  readonly designFlag: string | undefined;
  readonly description: string;
  /** The scenario's `expect`, to tell "no expectations" from "met". */
  readonly expect: Readonly<Record<string, object>>;
}

/** The one command that replays this run. */
export function replayCommand(header: Pick<RunHeader, 'argument' | 'seed' | 'designFlag'>): string {
  const design = header.designFlag === undefined ? '' : ` --design ${header.designFlag}`;
  return `npx locksim run ${shellQuote(header.argument)} --seed ${header.seed}${design}`;
}

function shellQuote(arg: string): string {
  return /^[\w./:@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The whole text report of a run. */
export function renderRun(result: RunResult, header: RunHeader, c: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(`${c.bold(`scenario ${result.scenario}`)}  seed ${result.seed}  designs ${result.results.map((r) => r.design).join(', ')}`);
  if (header.description !== '') lines.push(c.dim(header.description));
  lines.push(`replay: ${replayCommand(header)}`);
  lines.push(renderTable(result.results, header.expect, c));
  lines.push(...renderSkipped(result.results, c));
  lines.push(...renderNotApplicable(result.results, c));
  lines.push(...renderViolations(result.results, c));
  lines.push(...renderFaults(result.results, c));
  lines.push(...renderExpect(result.results, header.expect, c));
  return `${lines.join('\n')}\n`;
}

/** The checks any result reports, in SPEC order (liveness only when present). */
function checksShown(results: readonly DesignResult[]): CheckName[] {
  return CHECK_ORDER.filter((name) => results.some((r) => (r.checks as Partial<Record<CheckName, CheckResult>>)[name] !== undefined));
}

function checkOf(result: DesignResult, name: CheckName): CheckResult | undefined {
  return (result.checks as Partial<Record<CheckName, CheckResult>>)[name];
}

/** Whether the scenario set any expectation for `design`. */
function hasExpectations(expected: RunHeader['expect'], design: string): boolean {
  return Object.keys(expected[design] ?? {}).length > 0;
}

function renderTable(results: readonly DesignResult[], expected: RunHeader['expect'], c: ChalkInstance): string {
  const table = new Table({
    head: ['', ...results.map((r) => c.bold(r.design))],
    style: { head: [], border: [] }, chars: COMPACT,
  });
  const skipped = c.yellow('skipped');
  for (const name of checksShown(results)) {
    table.push([name, ...results.map((r) => (r.skipped !== undefined ? skipped : checkCell(checkOf(r, name), c)))]);
  }
  table.push(['safe', ...results.map((r) => (r.skipped !== undefined || r.safe === null ? skipped : r.safe ? c.green('yes') : c.red('NO')))]);
  const metric = (label: string, cell: (r: DesignResult) => string): void => {
    table.push([c.dim(label), ...results.map((r) => (r.skipped !== undefined ? c.dim('-') : cell(r)))]);
  };
  metric('sections', (r) => String(r.metrics.sections));
  metric('acquire p50', (r) => ms(r.metrics.acquireP50Ms));
  metric('acquire p99', (r) => ms(r.metrics.acquireP99Ms));
  metric('failed acquires', (r) => String(r.metrics.failedAcquires));
  metric('messages', (r) => String(r.metrics.messages));
  metric('unavailable', (r) => ms(r.metrics.unavailableMs));
  metric('recovery', (r) => ms(r.metrics.recoveryMs ?? null));
  metric('events', (r) => String(r.events));
  table.push([c.dim('expect'), ...results.map((r) => {
    if (r.skipped !== undefined) return skipped;
    if (!r.expect.met) return c.red(`MISSED (${r.expect.mismatches.length})`);
    return hasExpectations(expected, r.design) ? c.green('met') : c.dim('no expectations');
  })]);
  return table.toString();
}

/** One line per skipped design: why it did not run. */
function renderSkipped(results: readonly DesignResult[], c: ChalkInstance): string[] {
  const lines = results.filter((r) => r.skipped !== undefined).map((r) => `  ${r.design} skipped: ${r.skipped}`);
  return lines.length === 0 ? [] : [c.yellow('skipped (a fault cannot apply to the design; not a failure):'), ...lines.map((l) => c.yellow(l))];
}

function checkCell(check: CheckResult | undefined, c: ChalkInstance): string {
  if (check === undefined) return c.dim('-');
  if (check.ok === true) return c.green('ok');
  if (check.ok === null) return c.dim('n/a');
  if (check.ok === 'unknown') return c.yellow('unknown');
  const count = check.violations?.length;
  return c.red(count === undefined ? 'VIOLATED' : `VIOLATED (${count})`);
}

function ms(value: number | null): string {
  if (value === null) return '-';
  return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(1)}ms`;
}

function renderNotApplicable(results: readonly DesignResult[], c: ChalkInstance): string[] {
  const lines: string[] = [];
  for (const name of checksShown(results)) {
    for (const r of results) {
      const check = checkOf(r, name);
      if (check?.ok === null) lines.push(`  ${name} n/a for ${r.design}: ${check.detail ?? '(no reason given)'}`);
    }
  }
  return lines.length === 0 ? [] : [c.dim('not applicable:'), ...lines.map((l) => c.dim(l))];
}

function renderViolations(results: readonly DesignResult[], c: ChalkInstance): string[] {
  const lines: string[] = [];
  for (const r of results) {
    for (const name of checksShown(results)) {
      const check = checkOf(r, name);
      if (check === undefined) continue;
      if (check.ok === false) {
        const first = check.violations?.[0];
        const count = check.violations?.length ?? 0;
        if (first === undefined) {
          lines.push(`${c.red(`${r.design} ${name} VIOLATED`)}: ${check.detail ?? '(no detail)'}`);
        } else {
          const of = count > 1 ? ` (first of ${count})` : '';
          lines.push(`${c.red(`${r.design} ${name} VIOLATED`)}${of} at ${formatUs(first.at)} [${first.nodes.join(', ')}]: ${first.detail}`);
        }
      } else if (check.ok === 'unknown') {
        lines.push(`${c.yellow(`${r.design} ${name} unknown`)}: ${check.detail ?? 'the checker ran out of budget'}`);
      }
    }
  }
  return lines.length === 0 ? [] : ['', c.bold('violations'), ...lines.map((l) => `  ${l}`)];
}

function renderFaults(results: readonly DesignResult[], c: ChalkInstance): string[] {
  if (results.every((r) => r.faults.length === 0)) return [];
  const lines = ['', c.bold('faults')];
  for (const r of results) {
    if (r.skipped !== undefined) continue;
    lines.push(`  ${c.cyan(r.design)}`);
    for (const f of r.faults) lines.push(`    ${describeFault(f, c)}`);
  }
  return lines;
}

/**
 * One fault's line, saying whom it hit and until when: `#0 pause at 2s on c1: eventsDeferred=3 (until 3s)`,
 * `#1 crash at 7s on leader = s3: crashed=1`, `#2 pause at 9s on holder = nobody:
 * did nothing: …`, `#3 partition [s3 | s1 s2 s4 s5 c1..c3] at 5s (leader = s3): …`.
 */
export function describeFault(f: FaultReport, c: ChalkInstance): string {
  const sides = f.sides === undefined || f.sides.length === 0 ? '' : ` [${f.sides.map((side) => compactNames(side)).join(' | ')}]`;
  const what = `#${f.index} ${f.kind}${sides}`;
  if (f.firedAt === null) return `${what}: ${c.yellow('never fired')}${f.skipped === undefined ? '' : ` (${f.skipped})`}`;
  if (f.skipped !== undefined) return `${what} at ${formatUs(f.firedAt)}${whom(f, sides !== '')}: ${c.yellow(`did nothing: ${f.skipped}`)}`;
  const head = `${what} at ${formatUs(f.firedAt)}${whom(f, sides !== '')}`;
  const effect = Object.entries(f.effect).map(([k, v]) => `${k}=${v}`).join(', ');
  return `${head}: ${effect === '' ? c.dim('(no effect counted)') : effect}${until(f)}`;
}

/** When the fault's effect ended, for liveness: ` (until 7s)`, ` (never ended)`; nothing for one that ended as it fired, or a result without `endedAt`. */
function until(f: FaultReport): string {
  if (f.endedAt === undefined || f.firedAt === null) return '';
  if (f.endedAt === null) return ' (never ended)';
  return f.endedAt > f.firedAt ? ` (until ${formatUs(f.endedAt)})` : '';
}

/** ` on c1`, ` on leader = s3`, ` on c1 (holder = c2)`; a partition's sides already name its nodes, so only dynamic names then. */
function whom(f: FaultReport, hasSides: boolean): string {
  const names = (nodes: readonly string[]): string => (nodes.length === 0 ? 'nobody' : compactNames(nodes));
  const resolved = Object.entries(f.resolved ?? {});
  if (!hasSides && resolved.length === 1 && resolved[0][1].join(' ') === f.targets.join(' ')) return ` on ${resolved[0][0]} = ${names(f.targets)}`;
  const on = hasSides || f.targets.length === 0 ? '' : ` on ${compactNames(f.targets)}`;
  const dynamic = resolved.length === 0 ? '' : ` (${resolved.map(([name, nodes]) => `${name} = ${names(nodes)}`).join(', ')})`;
  return `${on}${dynamic}`;
}

function renderExpect(results: readonly DesignResult[], expected: RunHeader['expect'], c: ChalkInstance): string[] {
  const lines = ['', c.bold('expect')];
  for (const r of results) {
    if (r.skipped !== undefined) {
      lines.push(`  ${r.design}: ${c.yellow('skipped')}${hasExpectations(expected, r.design) ? ' (its expectations do not count)' : ''}`);
      continue;
    }
    if (r.expect.met) {
      lines.push(`  ${r.design}: ${hasExpectations(expected, r.design) ? c.green('met') : c.dim('no expectations')}`);
      continue;
    }
    const missed = r.expect.mismatches.map((m) => `${m.check} expected ${String(m.expected)}, got ${String(m.actual)}`);
    lines.push(`  ${r.design}: ${c.red('MISSED')}: ${missed.join('; ')}`);
  }
  const failed = results.filter((r) => !r.expect.met).length;
  const any = results.some((r) => r.skipped === undefined && hasExpectations(expected, r.design));
  if (failed > 0) lines.push(c.red(`${failed} design(s) missed an expectation (exit 1)`));
  else lines.push(any ? c.green('every expectation held') : c.dim('the scenario sets no expectations (exit 0: it ran)'));
  return lines;
}
