/**
 * The scenario loader: reads a scenario file (JSON or YAML) or a built-in
 * scenario by name, validates all of SPEC §3 and returns the normalised
 * `Scenario` of `types.ts` (defaults applied, durations in µs).
 *
 * Every problem is an `InputError` naming the file, the JSON path (or the
 * line, for syntax errors), the bad value and what was wanted. Each design
 * validates its own knobs (`design.parseKnobs`); the loader rewraps their
 * `KnobError`s at `config.<design>.<knob>`.
 *
 * Does not: run anything, resolve dynamic fault targets (`leader`, `holder`),
 * or check that a fault makes sense for a particular design (a fault on `s5`
 * is valid when any design in the scenario runs five servers).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, isAbsolute, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { KnobError, type Design, type DesignRegistry } from '../../algorithms/api/index.ts';
import { InputError, jsonPath } from './errors.ts';
import { REPO_ROOT } from './paths.ts';
import { readFaults } from './faults-schema.ts';
import {
  fail,
  readArray,
  readBoolean,
  readDuration,
  readEnum,
  readInteger,
  readObject,
  readProbability,
  readRange,
  readString,
  refuseUnknownFields,
  show,
  type Path,
  type Where,
} from './schema.ts';
import { CHECK_NAMES, type CheckName, type FencingMode, type NetworkConfig, type Scenario, type Workload } from './types.ts';

export { CHECK_NAMES };


/** The folder of built-in scenarios: `scenarios/` at the repository root. */
export const BUILTIN_SCENARIOS_DIR = join(REPO_ROOT, 'scenarios') + sep;

const SCENARIO_EXTENSIONS = ['.json', '.yaml', '.yml'] as const;
const TOP_FIELDS = ['name', 'description', 'seed', 'duration', 'livenessWithin', 'designs', 'config', 'network', 'workload', 'faults', 'expect'] as const;
const NETWORK_FIELDS = ['latency', 'loss', 'duplicate'] as const;
const WORKLOAD_FIELDS = ['clients', 'sections', 'hold', 'think', 'stagger', 'acquireTimeout', 'fencing', 'checkBeforeWrite', 'permits'] as const;
const FENCING_MODES: readonly FencingMode[] = ['none', 'writes', 'reads-and-writes'];

/** Where errors point, and the designs a scenario may name. */
interface ScenarioWhere extends Where {
  readonly registry: DesignRegistry;
}

/** Options for parsing. */
export interface ParseOptions {
  /**
   * Designs to validate besides the scenario's own `designs` (for `run --design`
   * naming a design the file does not list): their knobs are checked and their
   * server counts widen the valid fault targets.
   */
  readonly extraDesigns?: readonly string[];
  /** The file named in error messages, when it differs from `source` (built-ins). */
  readonly file?: string;
}

/** Validates a parsed scenario document; `source` is the file it came from (named in every error). */
export function parseScenario(raw: unknown, source: string, registry: DesignRegistry, options: ParseOptions = {}): Scenario {
  const where: ScenarioWhere = { file: options.file ?? source, registry };
  const top = readObject(where, raw, [], 'a scenario object');
  refuseUnknownFields(where, top, [], TOP_FIELDS, 'a scenario');

  const name = top.name === undefined ? defaultName(source) : readString(where, top.name, ['name']);
  if (name.trim() === '') fail(where, ['name'], 'expected a non-empty name');
  const description = top.description === undefined ? '' : readString(where, top.description, ['description']);
  const seed = top.seed === undefined ? 1 : readInteger(where, top.seed, ['seed'], 0);
  const durationUs = readDuration(where, orDefault(top.duration, '60s'), ['duration'], 'positive');
  const livenessWithinUs = readDuration(where, orDefault(top.livenessWithin, '30s'), ['livenessWithin'], 'positive');

  const designs = readDesigns(where, top.designs);
  const allDesigns = [...designs];
  for (const extra of options.extraDesigns ?? []) {
    designOf(registry, extra, undefined, '--design');
    if (!allDesigns.includes(extra)) allDesigns.push(extra);
  }
  const workload = readWorkload(where, top.workload);
  const network = readNetwork(where, top.network);
  const { config, serverCount } = readConfig(where, top.config, designs, allDesigns, workload.permits);
  const faults = readFaults({ file: where.file, nodes: { serverCount, clientCount: workload.clients }, durationUs }, top.faults);
  const expect = readExpect(where, top.expect, designs);

  return { name, description, source, seed, durationUs, livenessWithinUs, designs, config, network, workload, faults, expect };
}

/** The design named `name` in the registry, or an InputError naming the place it was asked for. */
export function designOf(registry: DesignRegistry, name: string, file: string | undefined, where: string | undefined): Design {
  const design = registry.get(name);
  if (design === undefined) throw new InputError(file, where, `unknown design ${JSON.stringify(name)}; expected one of ${registry.names.join(', ')}`);
  return design;
}

/** `fallback` only when the field is absent (a `null` stays, to be refused as the wrong type). */
function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

function defaultName(source: string): string {
  const base = basename(source.replace(/^builtin:/, ''));
  return base.slice(0, base.length - extname(base).length) || base;
}

function readDesigns(where: ScenarioWhere, value: unknown): string[] {
  if (value === undefined) fail(where, ['designs'], 'missing; expected a non-empty list of designs such as ["redis", "redlock"]');
  const list = readArray(where, value, ['designs'], 'a non-empty list of design names such as ["redis", "redlock"]');
  if (list.length === 0) fail(where, ['designs'], 'expected at least one design');
  const names: string[] = [];
  list.forEach((item, i) => {
    const name = readString(where, item, ['designs', i]);
    designOf(where.registry, name, where.file, jsonPath(['designs', i]));
    if (names.includes(name)) fail(where, ['designs', i], `${show(name)} is listed twice`);
    names.push(name);
  });
  return names;
}

function readWorkload(where: Where, value: unknown): Workload {
  const obj = value === undefined ? {} : readObject(where, value, ['workload']);
  refuseUnknownFields(where, obj, ['workload'], WORKLOAD_FIELDS, 'workload');
  const path = (field: string): Path => ['workload', field];
  const acquireTimeoutUs = readDuration(where, orDefault(obj.acquireTimeout, '5s'), path('acquireTimeout'), 'positive');
  return {
    clients: obj.clients === undefined ? 3 : readInteger(where, obj.clients, path('clients'), 1),
    sections: obj.sections === undefined ? 20 : readInteger(where, obj.sections, path('sections'), 1),
    holdUs: readRange(where, orDefault(obj.hold, '2s'), path('hold')),
    thinkUs: readRange(where, orDefault(obj.think, '500ms'), path('think')),
    staggerUs: readDuration(where, orDefault(obj.stagger, '0s'), path('stagger'), 'non-negative'),
    acquireTimeoutUs,
    fencing: obj.fencing === undefined ? 'none' : readEnum(where, obj.fencing, path('fencing'), FENCING_MODES),
    checkBeforeWrite: obj.checkBeforeWrite === undefined ? false : readBoolean(where, obj.checkBeforeWrite, path('checkBeforeWrite')),
    permits: obj.permits === undefined ? 1 : readInteger(where, obj.permits, path('permits'), 1),
  };
}

function readNetwork(where: Where, value: unknown): NetworkConfig {
  const obj = value === undefined ? {} : readObject(where, value, ['network']);
  refuseUnknownFields(where, obj, ['network'], NETWORK_FIELDS, 'network');
  return {
    latencyUs: readRange(where, orDefault(obj.latency, { min: '1ms', max: '5ms' }), ['network', 'latency']),
    loss: obj.loss === undefined ? 0 : readProbability(where, obj.loss, ['network', 'loss']),
    duplicate: obj.duplicate === undefined ? 0 : readProbability(where, obj.duplicate, ['network', 'duplicate']),
  };
}

/** Checks every design's knobs (its own `parseKnobs`) and finds the largest server count among them. */
function readConfig(
  where: ScenarioWhere,
  value: unknown,
  designs: readonly string[],
  allDesigns: readonly string[],
  permits: number,
): { config: Record<string, Readonly<Record<string, unknown>>>; serverCount: number } {
  const obj = value === undefined ? {} : readObject(where, value, ['config'], 'an object of design knobs such as {"redlock": {"servers": 5}}');
  const config: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const [name, knobs] of Object.entries(obj)) {
    designOf(where.registry, name, where.file, jsonPath(['config', name]));
    if (!designs.includes(name)) {
      fail(where, ['config', name], `design ${show(name)} is not in "designs" (${designs.join(', ')}); add it there or drop its config`);
    }
    config[name] = readObject(where, knobs, ['config', name], `an object of ${name} knobs`);
  }
  let serverCount = 0;
  for (const name of allDesigns) {
    const design = designOf(where.registry, name, where.file, 'designs');
    const raw = config[name] ?? {};
    // As the runner does: a design's own `permits` knob overrides the workload's.
    const designPermits = raw.permits === undefined ? permits : readInteger(where, raw.permits, ['config', name, 'permits'], 1);
    let knobs: unknown;
    try {
      knobs = design.parseKnobs(raw, designPermits);
    } catch (error) {
      if (!(error instanceof KnobError)) throw error;
      // A design refusing the workload's permits (no knob of that name given) is a workload problem.
      if (error.path[0] === 'permits' && !('permits' in raw)) fail(where, ['workload', 'permits'], `${name}: ${error.message}`);
      fail(where, ['config', name, ...error.path], error.message);
    }
    const count = design.serverCount(knobs);
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`design ${name} reported an impossible server count ${count}`);
    serverCount = Math.max(serverCount, count);
  }
  return { config, serverCount };
}

function readExpect(where: Where, value: unknown, designs: readonly string[]): Scenario['expect'] {
  if (value === undefined) return {};
  const obj = readObject(where, value, ['expect'], 'an object such as {"redlock": {"mutualExclusion": false}}');
  const expect: Record<string, Partial<Record<CheckName, boolean | null>>> = {};
  for (const [design, checks] of Object.entries(obj)) {
    if (!designs.includes(design)) {
      fail(where, ['expect', design], `design ${show(design)} is not in "designs"; expected one of: ${designs.join(', ')}`);
    }
    const checksObj = readObject(where, checks, ['expect', design], 'an object of checks such as {"mutualExclusion": false}');
    refuseUnknownFields(where, checksObj, ['expect', design], CHECK_NAMES, 'an expect entry');
    const outcome: Partial<Record<CheckName, boolean | null>> = {};
    for (const [check, verdict] of Object.entries(checksObj)) {
      if (verdict !== true && verdict !== false && verdict !== null) {
        fail(where, ['expect', design, check], `expected true, false or null, got ${show(verdict)}`);
      }
      outcome[check as CheckName] = verdict;
    }
    expect[design] = outcome;
  }
  return expect;
}

/** Parses a scenario file's text (JSON or YAML by extension); syntax errors name the file and line. */
export function parseScenarioText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return parseJson(text, file);
  if (ext === '.yaml' || ext === '.yml') return parseYaml(text, file);
  throw new InputError(file, undefined, `expected a scenario file ending in .json, .yaml or .yml, got ${show(ext || basename(file))}`);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const offset = position === null ? text.length : Number(position[1]);
    const { line, column } = lineAndColumn(text, offset);
    const what = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new InputError(file, `line ${line}`, `JSON syntax error at column ${column}: ${what}`);
  }
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    const column = error.linePos?.[0].col;
    const what = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(file, line === undefined ? undefined : `line ${line}`, `YAML syntax error${column === undefined ? '' : ` at column ${column}`}: ${what}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Where a scenario argument points: a file path, or a built-in's file. */
export interface ResolvedScenario {
  /** The file to read. */
  readonly file: string;
  /** `builtin:<name>` for a built-in, else the path as given. */
  readonly source: string;
}

/** Resolves a path or a built-in name (`redis-gc-pause` → `scenarios/redis-gc-pause.json`). */
export function resolveScenario(pathOrName: string): ResolvedScenario {
  if (existsSync(pathOrName)) {
    if (!statSync(pathOrName).isFile()) throw new InputError(pathOrName, undefined, 'is a directory; expected a scenario file (.json, .yaml or .yml)');
    return { file: pathOrName, source: pathOrName };
  }
  if (!/[/\\]/.test(pathOrName)) {
    const builtin = findBuiltin(pathOrName);
    if (builtin !== undefined) return { file: displayPath(builtin.file), source: `builtin:${builtin.name}` };
  }
  const names = listBuiltinScenarios().map((s) => s.name);
  throw new InputError(
    pathOrName,
    undefined,
    `no such file, and no built-in scenario of that name; built-ins: ${names.length === 0 ? '(none)' : names.join(', ')}`,
  );
}

/** Reads, parses and validates a scenario file or built-in scenario. */
export function loadScenarioFile(pathOrName: string, registry: DesignRegistry, options: Omit<ParseOptions, 'file'> = {}): Scenario {
  const { file, source } = resolveScenario(pathOrName);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, undefined, `cannot read: ${(error as Error).message}`);
  }
  return parseScenario(parseScenarioText(text, file), source, registry, { ...options, file });
}

function findBuiltin(name: string): { name: string; file: string } | undefined {
  const base = SCENARIO_EXTENSIONS.some((ext) => name.endsWith(ext)) ? name.slice(0, name.length - extname(name).length) : name;
  return listBuiltinScenarios().find((s) => s.name === base);
}

/** The built-in scenarios in `scenarios/`, by name, with their descriptions (unvalidated: listing never fails). */
export function listBuiltinScenarios(): Array<{ name: string; file: string; description: string }> {
  if (!existsSync(BUILTIN_SCENARIOS_DIR)) return [];
  const byName = new Map<string, { name: string; file: string; description: string }>();
  const entries = readdirSync(BUILTIN_SCENARIOS_DIR)
    .filter((entry) => (SCENARIO_EXTENSIONS as readonly string[]).includes(extname(entry).toLowerCase()))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const entry of entries) {
    const name = entry.slice(0, entry.length - extname(entry).length);
    if (byName.has(name)) continue;
    const file = join(BUILTIN_SCENARIOS_DIR, entry);
    byName.set(name, { name, file, description: describeFile(file) });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** .json before .yaml before .yml when a name has several files. */
function rank(entry: string): number {
  return (SCENARIO_EXTENSIONS as readonly string[]).indexOf(extname(entry).toLowerCase());
}

function describeFile(file: string): string {
  try {
    const raw = parseScenarioText(readFileSync(file, 'utf8'), file);
    const description = (raw as { description?: unknown } | null)?.description;
    return typeof description === 'string' ? description : '';
  } catch {
    return '(unreadable: run it to see the error)';
  }
}

/** A path relative to the working directory when it lies inside it (shorter messages). */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

