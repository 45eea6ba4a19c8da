/**
 * Renders a `RunResult` for people: a table comparing designs (checks and
 * metrics), why a check did not apply, the first violation of each failed
 * check, what each fault did, and whether the scenario's expectations held.
 * Text only; colours come from the caller's chalk (plain off a TTY).
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { CheckResult, DesignResult, FaultReport, RunResult } from '../sim/harness/result.ts';
import { CHECK_NAMES } from '../sim/scenario/load.ts';
import type { CheckName } from '../sim/scenario/types.ts';
import { formatUs } from '../algorithms/api/time.ts';
import { COMPACT } from '../sim/cli/io.ts';

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
  lines.push(renderTable(result.results, c));
  lines.push(...renderNotApplicable(result.results, c));
  lines.push(...renderViolations(result.results, c));
  lines.push(...renderFaults(result.results, c));
  lines.push(...renderExpect(result.results, header.expect, c));
  return `${lines.join('\n')}\n`;
}

/** The checks any result reports, in SPEC order (liveness only when present). */
function checksShown(results: readonly DesignResult[]): CheckName[] {
  return CHECK_NAMES.filter((name) => results.some((r) => (r.checks as Partial<Record<CheckName, CheckResult>>)[name] !== undefined));
}

function checkOf(result: DesignResult, name: CheckName): CheckResult | undefined {
  return (result.checks as Partial<Record<CheckName, CheckResult>>)[name];
}

function renderTable(results: readonly DesignResult[], c: ChalkInstance): string {
  const table = new Table({
    head: ['', ...results.map((r) => c.bold(r.design))],
    style: { head: [], border: [] }, chars: COMPACT,
  });
  for (const name of checksShown(results)) {
    table.push([name, ...results.map((r) => checkCell(checkOf(r, name), c))]);
  }
  table.push(['safe', ...results.map((r) => (r.safe ? c.green('yes') : c.red('NO')))]);
  const metric = (label: string, cell: (r: DesignResult) => string): void => {
    table.push([c.dim(label), ...results.map(cell)]);
  };
  metric('sections', (r) => String(r.metrics.sections));
  metric('acquire p50', (r) => ms(r.metrics.acquireP50Ms));
  metric('acquire p99', (r) => ms(r.metrics.acquireP99Ms));
  metric('failed acquires', (r) => String(r.metrics.failedAcquires));
  metric('messages', (r) => String(r.metrics.messages));
  metric('unavailable', (r) => ms(r.metrics.unavailableMs));
  metric('events', (r) => String(r.events));
  metric('expect', (r) => (r.expect.met ? c.green('met') : c.red(`MISSED (${r.expect.mismatches.length})`)));
  return table.toString();
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
    lines.push(`  ${c.cyan(r.design)}`);
    for (const f of r.faults) lines.push(`    ${describeFault(f, c)}`);
  }
  return lines;
}

function describeFault(f: FaultReport, c: ChalkInstance): string {
  const what = `#${f.index} ${f.kind}`;
  if (f.firedAt === null) return `${what}: ${c.yellow('never fired')}${f.skipped === undefined ? '' : ` (${f.skipped})`}`;
  const targets = f.targets.length === 0 ? '' : ` on ${f.targets.join(', ')}`;
  if (f.skipped !== undefined) return `${what} at ${formatUs(f.firedAt)}${targets}: ${c.yellow(`did nothing: ${f.skipped}`)}`;
  const effect = Object.entries(f.effect).map(([k, v]) => `${k}=${v}`).join(', ');
  return `${what} at ${formatUs(f.firedAt)}${targets}: ${effect === '' ? c.dim('(no effect counted)') : effect}`;
}

function renderExpect(results: readonly DesignResult[], expected: RunHeader['expect'], c: ChalkInstance): string[] {
  const lines = ['', c.bold('expect')];
  for (const r of results) {
    if (r.expect.met) {
      const none = Object.keys(expected[r.design] ?? {}).length === 0;
      lines.push(`  ${r.design}: ${none ? c.dim('no expectations') : c.green('met')}`);
      continue;
    }
    const missed = r.expect.mismatches.map((m) => `${m.check} expected ${String(m.expected)}, got ${String(m.actual)}`);
    lines.push(`  ${r.design}: ${c.red('MISSED')}: ${missed.join('; ')}`);
  }
  const failed = results.filter((r) => !r.expect.met).length;
  lines.push(failed === 0 ? c.green('every expectation held') : c.red(`${failed} design(s) missed an expectation (exit 1)`));
  return lines;
}
