/**
 * `locksim list`: what this build can run — designs (with their knobs and
 * defaults), built-in scenarios, the scenario file's fields (top level,
 * network, workload), fault kinds with their fields, the scenario's limits,
 * and linearizability models. Plain text (long descriptions shortened), or one JSON document
 * with `--json` (the same content, under `fields` for the scenario's fields).
 */
import type { ChalkInstance } from 'chalk';
import { DESIGNS } from '../../../algorithms/index.ts';
import { MODEL_NAMES } from '../../checker/linearizability/models/index.ts';
import {
  DURATION_FORMS,
  FAULT_KIND_DOCS,
  FAULT_ON_FIELDS,
  FAULT_TRIGGER_FIELDS,
  NETWORK_FIELDS,
  SCENARIO_FIELDS,
  WORKLOAD_FIELDS,
  type FieldDoc,
} from '../../scenario/fields.ts';
import { SCENARIO_LIMITS, listBuiltinScenarios } from '../../scenario/load.ts';
import { FAULT_KINDS } from '../../scenario/types.ts';
import { colours, type CliIo } from '../io.ts';

/** The field documentation as `list --json` prints it (without the loader-test examples). */
function fieldsJson(): object {
  const strip = (fields: readonly FieldDoc[]): object[] => fields.map(({ name, type, default: fallback, meaning }) => ({ name, type, default: fallback, meaning }));
  return {
    scenario: strip(SCENARIO_FIELDS),
    network: strip(NETWORK_FIELDS),
    workload: strip(WORKLOAD_FIELDS),
    faultTrigger: strip(FAULT_TRIGGER_FIELDS),
    faultOn: strip(FAULT_ON_FIELDS),
    faultKinds: Object.fromEntries(FAULT_KIND_DOCS.map((d) => [d.kind, { meaning: d.meaning, fields: strip(d.fields), examples: d.examples }])),
  };
}

/** `    name: type, default X  meaning` (or `…, required  meaning`), one line per field. */
export function fieldLine(f: FieldDoc, c: ChalkInstance): string {
  const fallback = f.default.startsWith('required') ? c.yellow(f.default) : `default ${f.default}`;
  return `${c.cyan(f.name)}: ${f.type}, ${fallback}  ${c.dim(f.meaning)}`;
}

function fieldLines(fields: readonly FieldDoc[], indent: string, c: ChalkInstance): string[] {
  return fields.map((f) => `${indent}${fieldLine(f, c)}`);
}

/** Runs `list`; returns the exit code. */
export function runList(opts: { json?: boolean }, io: CliIo): number {
  const designs = DESIGNS.names.map((name) => DESIGNS.get(name)!).map((d) => ({
    name: d.name,
    description: d.description,
    knobs: d.knobs.map((k) => ({ name: k.name, default: k.default, meaning: k.meaning })),
  }));
  const scenarios = listBuiltinScenarios().map(({ name, description }) => ({ name, description }));
  const models = MODEL_NAMES;
  if (opts.json === true) {
    io.stdout(`${JSON.stringify({ designs, scenarios, faultKinds: FAULT_KINDS, models, fields: fieldsJson(), limits: SCENARIO_LIMITS }, null, 2)}\n`);
    return 0;
  }
  const c = colours(io);
  const out: string[] = [];
  out.push(c.bold('Designs'));
  for (const d of designs) {
    out.push(`  ${c.cyan(d.name)}  ${d.description}`);
    for (const k of d.knobs) out.push(`      ${k.name} = ${showDefault(k.default)}  ${c.dim(k.meaning)}`);
  }
  out.push('', c.bold('Built-in scenarios') + c.dim('  (npx locksim run <name>)'));
  if (scenarios.length === 0) out.push('  (none yet)');
  const width = Math.max(0, ...scenarios.map((s) => s.name.length));
  for (const s of scenarios) out.push(`  ${c.cyan(s.name.padEnd(width))}  ${shorten(s.description, 100)}`);
  out.push('', c.bold('Scenario fields') + c.dim(`  (a scenario file's top level, JSON or YAML; ${DURATION_FORMS})`), ...fieldLines(SCENARIO_FIELDS, '  ', c));
  out.push('', c.bold('Network fields') + c.dim('  (network.<field>)'), ...fieldLines(NETWORK_FIELDS, '  ', c));
  out.push('', c.bold('Workload fields') + c.dim('  (workload.<field>)'), ...fieldLines(WORKLOAD_FIELDS, '  ', c));
  out.push('', c.bold('Fault kinds') + c.dim(`  (faults[i]; ${FAULT_KINDS.join(', ')})`));
  out.push(`  ${c.dim('every fault:')}`, ...fieldLines(FAULT_TRIGGER_FIELDS, '      ', c));
  out.push(`  ${c.dim('on:')}`, ...fieldLines(FAULT_ON_FIELDS, '      ', c));
  for (const doc of FAULT_KIND_DOCS) {
    out.push(`  ${c.cyan(doc.kind)}  ${doc.meaning}`);
    out.push(...(doc.fields.length === 0 ? [`      ${c.dim('(no fields of its own)')}`] : fieldLines(doc.fields, '      ', c)));
  }
  out.push('', c.bold('Limits') + c.dim('  (beyond them a scenario is refused, exit 2)'), ...SCENARIO_LIMITS.map((l) => `  ${l.field}: ${l.limit}`));
  out.push('', c.bold('Linearizability models') + c.dim('  (check --model M)'), `  ${models.join(', ')}`);
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}

/** The text cut at a word before `max` characters, with an ellipsis (full descriptions are in `--json`). */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

function showDefault(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
}
