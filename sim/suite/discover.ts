/**
 * Which scenarios a suite runs: the arguments (scenario files, folders,
 * built-in names) or, with none, every built-in scenario (the list `list`
 * prints and `run <name>` finds: `listBuiltinScenarios`). A folder stands
 * for the scenario files directly inside it (.json, .yaml, .yml; not its
 * subfolders, so `scenarios/k8s/` and the like are left alone). Every
 * scenario is loaded and validated here, before anything runs, so bad
 * input fails fast (InputError, exit 2) naming the file.
 *
 * The list is sorted by scenario name comparing code points (never
 * `localeCompare`, whose order depends on the machine's locale), and each
 * scenario keeps the designs it lists, narrowed to `--design` when given;
 * a scenario left with no design is dropped. Two different files with the
 * same scenario name are refused (their results would collide).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import { InputError } from '../scenario/errors.ts';
import { listBuiltinScenarios, loadScenarioFile, resolveScenario } from '../scenario/load.ts';
import type { PlannedScenario } from './types.ts';

/** File extensions a folder's scenario files have (case-insensitive). */
export const SCENARIO_FILE_EXTENSIONS: readonly string[] = ['.json', '.yaml', '.yml'];

/** Code-point order: the same on every machine, whatever its locale. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What to look for. */
export interface DiscoverOptions {
  /** Files, folders or built-in names; empty: the built-in suite. */
  readonly args: readonly string[];
  /** `--design`: only these designs (validated names); undefined: each scenario's own. */
  readonly designs?: readonly string[];
}

/** The scenarios to run, sorted by name (code points). Throws InputError for bad input. */
export function discoverScenarios(registry: DesignRegistry, options: DiscoverOptions): PlannedScenario[] {
  const sources = options.args.length === 0 ? listBuiltinScenarios().map((s) => s.name) : options.args.flatMap(expandArgument);
  if (sources.length === 0) throw new InputError(undefined, 'scenarios', 'found no scenario to run; expected scenario files, folders holding them, or built-in names (npx locksim list)');
  const byName = new Map<string, PlannedScenario & { readonly key: string }>();
  for (const source of sources) {
    const scenario = loadScenarioFile(source, registry);
    const { file } = resolveScenario(source);
    const key = resolve(file);
    const seen = byName.get(scenario.name);
    if (seen !== undefined) {
      if (seen.key === key) continue; // the same file named twice (a folder and a file in it)
      throw new InputError(file, 'name', `scenario name ${JSON.stringify(scenario.name)} is also the name of ${seen.file}; expected every scenario in a suite to have its own name`);
    }
    const designs = options.designs === undefined ? scenario.designs : scenario.designs.filter((d) => options.designs!.includes(d));
    byName.set(scenario.name, { name: scenario.name, source, file, designs, key });
  }
  const planned = [...byName.values()]
    .filter((s) => s.designs.length > 0)
    .sort((a, b) => byCodePoint(a.name, b.name))
    .map(({ key: _key, ...rest }) => rest);
  if (planned.length === 0) {
    throw new InputError(undefined, '--design', `no scenario runs on ${options.designs!.join(', ')}; expected designs the scenarios list`);
  }
  return planned;
}

/** A folder → the scenario files directly inside it (code-point order); anything else stays as it is. */
function expandArgument(arg: string): string[] {
  if (!existsSync(arg) || !statSync(arg).isDirectory()) return [arg];
  const files = readdirSync(arg, { withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && SCENARIO_FILE_EXTENSIONS.includes(extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort(byCodePoint)
    .map((name) => join(arg, name));
  if (files.length === 0) throw new InputError(arg, undefined, `folder holds no scenario file; expected files ending ${SCENARIO_FILE_EXTENSIONS.join(', ')}`);
  return files;
}

/**
 * The designs of the suite: `--design` when given, else every design some
 * scenario runs; in the registry's order either way, so every shard of a
 * suite (and their merge) lists the same designs in the same order.
 */
export function suiteDesigns(registry: DesignRegistry, scenarios: readonly PlannedScenario[], flag: readonly string[] | undefined): string[] {
  const used = new Set(flag ?? scenarios.flatMap((s) => s.designs));
  return [...registry.names.filter((name) => used.has(name)), ...[...used].filter((name) => !registry.names.includes(name)).sort(byCodePoint)];
}
