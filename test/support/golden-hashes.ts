/**
 * The golden trace hashes: every built-in scenario run on every design, with
 * its traceHash, event count and verdicts. `test/golden-hashes.test.ts`
 * compares a fresh run against `test/golden/trace-hashes.json`, so a change
 * that alters any simulated behaviour is caught, not hoped away.
 *
 * Regenerate (only when a behaviour change is intended, and say so in the
 * commit): `npx tsx test/support/golden-hashes.ts --write`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listBuiltinScenarios } from '../../sim/scenario/load.ts';
import { loadScenarioFile } from '../support/designs.ts';
import { runScenario } from '../support/designs.ts';

export const GOLDEN_FILE = fileURLToPath(new URL('../golden/trace-hashes.json', import.meta.url));
export const ALL_DESIGNS = ['redis', 'redlock', 'raft-lock', 'zookeeper', 'cas'] as const;

export interface GoldenRow {
  readonly traceHash: string;
  readonly events: number;
  readonly verdicts: Readonly<Record<string, boolean | null | 'unknown'>>;
  readonly metrics: Readonly<Record<string, number | null>>;
}

/** `scenario/design` → its golden row, for one built-in scenario (every design). */
export function goldenRows(name: string, file: string): Record<string, GoldenRow> {
  const scenario = loadScenarioFile(file, { extraDesigns: [...ALL_DESIGNS] });
  const result = runScenario(scenario, { designs: ALL_DESIGNS });
  const rows: Record<string, GoldenRow> = {};
  for (const r of result.results) {
    const verdicts: Record<string, boolean | null | 'unknown'> = {};
    for (const [check, value] of Object.entries(r.checks)) verdicts[check] = value?.ok ?? null;
    rows[`${name}/${r.design}`] = { traceHash: r.traceHash, events: r.events, verdicts, metrics: { ...r.metrics } };
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
