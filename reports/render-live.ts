/**
 * Renders a live run (SPEC §9) for people: per design, each check's live
 * verdict beside the simulated one and whether they agree; why a run's
 * verdicts are null (a fault or knob live mode cannot reproduce); what each
 * fault did live (or why it could not be injected); the knobs that have no
 * real counterpart; the servers that ran and the wall time. Pure functions
 * of the live result; colours come from the caller's chalk. Imports only
 * types from the rest of the repository.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { CheckAgreement, LiveDesignResult, LiveFaultReport } from '../sim/live/result.ts';
import type { CheckName } from '../sim/scenario/types.ts';
import { CHECK_ORDER } from './render-run.ts';
import { COMPACT } from './text-format.ts';

/** What the header shows besides the results. */
export interface LiveHeader {
  readonly scenario: string;
  readonly seed: number;
  readonly timeScale: number;
}

/** The whole text report of a live run. */
export function renderLive(results: readonly LiveDesignResult[], header: LiveHeader, c: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(`${c.bold(`live: scenario ${header.scenario}`)}  seed ${header.seed}  time scale ${header.timeScale}  designs ${results.map((r) => r.design).join(', ')}`);
  lines.push(renderAgreementTable(results, c));
  for (const result of results) lines.push(...renderDesign(result, c));
  return `${lines.join('\n')}\n`;
}

/** Checks × designs: `live / simulated` and a mark for agreement. */
function renderAgreementTable(results: readonly LiveDesignResult[], c: ChalkInstance): string {
  const table = new Table({ head: ['check (live / simulated)', ...results.map((r) => r.design)], style: { head: [], border: [] }, chars: COMPACT });
  for (const name of CHECK_ORDER) {
    if (!results.some((r) => r.checks[name] !== undefined || r.agreement?.[name] !== undefined)) continue;
    table.push([name, ...results.map((r) => agreementCell(r, name, c))]);
  }
  table.push(['agree', ...results.map((r) => (r.agreement === undefined ? c.dim('-') : allCell(r.agreement.all, c)))]);
  table.push(['wall time', ...results.map((r) => `${(r.live.wallMs / 1000).toFixed(1)} s`)]);
  return table.toString();
}

function agreementCell(result: LiveDesignResult, name: CheckName, c: ChalkInstance): string {
  const a: CheckAgreement | undefined = result.agreement?.[name];
  const live = verdict(a?.live ?? result.checks[name]?.ok ?? null);
  const simulated = a === undefined ? '' : ` / ${verdict(a.simulated)}`;
  const text = `${live}${simulated}`;
  if (a === undefined || a.agree === null) return c.dim(text);
  return a.agree ? c.green(`${text} ✓`) : c.red(`${text} ≠`);
}

function allCell(all: boolean | null, c: ChalkInstance): string {
  if (all === null) return c.dim('n/a');
  return all ? c.green('yes') : c.red('NO');
}

function verdict(ok: boolean | null | 'unknown'): string {
  return ok === null ? 'n/a' : ok === 'unknown' ? '?' : ok ? 'ok' : 'FAIL';
}

function renderDesign(result: LiveDesignResult, c: ChalkInstance): string[] {
  const lines: string[] = [`${c.bold(result.design)}: ${result.live.servers.length === 0 ? 'no servers started' : result.live.servers.map((s) => `${s.name} ${s.program} 127.0.0.1:${s.port}`).join(', ')}`];
  if (result.unsupported !== undefined) lines.push(`  ${c.yellow('not judged live')}: ${result.unsupported}`);
  for (const name of CHECK_ORDER) {
    const a = result.agreement?.[name];
    if (a?.agree === false) lines.push(`  ${c.red(`${name} disagrees`)}: live ${verdict(a.live)}, simulated ${verdict(a.simulated)}${detailOf(result, name)}`);
  }
  for (const fault of result.faults) lines.push(`  ${describeLiveFault(fault)}`);
  const none = result.live.knobs.filter((k) => k.real === null);
  if (none.length > 0) lines.push(`  no real counterpart: ${none.map((k) => `${k.knob}${k.note === undefined ? '' : ` (${k.note})`}`).join('; ')}`);
  return lines;
}

function detailOf(result: LiveDesignResult, name: CheckName): string {
  const check = result.checks[name];
  const first = check?.violations?.[0]?.detail ?? check?.detail;
  return first === undefined ? '' : ` — ${first}`;
}

/** One fault as it acted live: kind, targets, when, and its effect (counts, or why it could not be injected). */
export function describeLiveFault(f: LiveFaultReport): string {
  const effect = Object.entries(f.effect).map(([k, v]) => (typeof v === 'string' ? `${k}: ${v}` : `${k} ${v}`));
  const when = f.firedAt === null ? 'never fired' : `at +${(f.firedAt / 1000).toFixed(1)} ms`;
  return `fault[${f.index}] ${f.kind}${f.targets.length === 0 ? '' : ` on ${f.targets.join(' ')}`} ${when}${f.skipped === undefined ? '' : ` (${f.skipped})`}${effect.length === 0 ? '' : `: ${effect.join(', ')}`}`;
}
