/**
 * The golden trace hashes: every built-in scenario run on every design, with
 * its traceHash, event count, verdicts (liveness included) and metrics
 * (`recoveryMs` included). A design `run` would skip (a fault of the
 * scenario cannot apply to it: sim/harness/applicability.ts) is run anyway
 * (`runInapplicable`), so its simulated behaviour stays pinned, and its row
 * also says `skipped` and why. `test/golden-hashes.test.ts`
 * compares a fresh run against `test/golden/trace-hashes.json`, so a change
 * that alters any simulated behaviour is caught, not hoped away.
 *
 * Regenerate (only when a behaviour change is intended, and say so in the
 * commit): `npx tsx test/support/golden-hashes.ts --write`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { whyInapplicable } from '../../sim/harness/applicability.ts';
import { listBuiltinScenarios } from '../../sim/scenario/load.ts';
import { DESIGNS, loadScenarioFile, runScenario } from '../support/designs.ts';

export const GOLDEN_FILE = fileURLToPath(new URL('../golden/trace-hashes.json', import.meta.url));
export const ALL_DESIGNS = ['redis', 'redlock', 'raft-lock', 'zookeeper', 'cas'] as const;

export interface GoldenRow {
  /** Why `run` skips this design on this scenario (the row is still a full run). */
  readonly skipped?: string;
  readonly traceHash: string;
  readonly events: number;
  readonly verdicts: Readonly<Record<string, boolean | null | 'unknown'>>;
  readonly metrics: Readonly<Record<string, number | null>>;
}

/** `scenario/design` → its golden row, for one built-in scenario (every design). */
export function goldenRows(name: string, file: string): Record<string, GoldenRow> {
  const scenario = loadScenarioFile(file, { extraDesigns: [...ALL_DESIGNS] });
  const result = runScenario(scenario, { designs: ALL_DESIGNS, runInapplicable: true });
  const rows: Record<string, GoldenRow> = {};
  for (const r of result.results) {
    const verdicts: Record<string, boolean | null | 'unknown'> = {};
    for (const [check, value] of Object.entries(r.checks)) verdicts[check] = value?.ok ?? null;
    const skipped = whyInapplicable(scenario, DESIGNS.get(r.design)!);
    rows[`${name}/${r.design}`] = { ...(skipped === null ? {} : { skipped }), traceHash: r.traceHash, events: r.events, verdicts, metrics: { ...r.metrics } };
  }
  return rows;
}

export function allGoldenRows(): Record<string, GoldenRow> {
  const rows: Record<string, GoldenRow> = {};
  for (const builtin of listBuiltinScenarios()) Object.assign(rows, goldenRows(builtin.name, builtin.file));
  return rows;
}

if (process.argv.includes('--write')) {
  writeFileSync(GOLDEN_FILE, JSON.stringify(allGoldenRows(), null, 1) + '\n');
  process.stdout.write(`wrote ${GOLDEN_FILE}\n`);
}
