/**
 * `locksim list`: what this build can run — designs (with their knobs and
 * defaults), built-in scenarios, fault kinds and linearizability models.
 * Plain text (long descriptions shortened), or one JSON document with `--json`.
 */
import { DESIGNS } from '../../../algorithms/index.ts';
import { MODEL_NAMES } from '../../checker/linearizability/models/index.ts';
import { listBuiltinScenarios } from '../../scenario/load.ts';
import { FAULT_KINDS } from '../../scenario/types.ts';
import { colours, type CliIo } from '../io.ts';

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
    io.stdout(`${JSON.stringify({ designs, scenarios, faultKinds: FAULT_KINDS, models }, null, 2)}\n`);
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
  out.push('', c.bold('Fault kinds'), `  ${FAULT_KINDS.join(', ')}`);
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
