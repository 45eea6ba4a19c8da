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
 * Hard edges it refuses with an InputError rather than a crash or a hang:
 * values beyond `LIMITS` (schema.ts), nesting deeper than `LIMITS.nesting`
 * and self-referencing YAML, YAML alias bombs, duplicate JSON keys, files
 * that are not regular files, and retries that cannot let time advance
 * (zero latency with zero retry delay and jitter).
 *
 * `"designs": "all"` stands for every design in the registry, in registry
 * order (SPEC §6). Built-in scenarios are listed by name in code-point
 * order, the same on every machine.
 *
 * Does not: run anything, resolve dynamic fault targets (`leader`, `holder`),
 * or check that a fault makes sense for a particular design (a fault on `s5`
 * is valid when any design in the scenario runs five servers; the harness's
 * applicability.ts skips, with a reason, a design a fault cannot apply to).
 */
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, extname, join, relative, isAbsolute, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { KnobError, type Design, type DesignRegistry } from '../../algorithms/api/index.ts';
import { InputError, jsonPath } from './errors.ts';
import { REPO_ROOT } from './paths.ts';
import { readFaults } from './faults-schema.ts';
import { JsonProblem, lineAndColumn, parseStrictJson } from './strict-json.ts';
import {
  fail,
  LIMITS,
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
export { LIMITS, SCENARIO_LIMITS } from './schema.ts';


/** The folder of built-in scenarios: `scenarios/` at the repository root. */
export const BUILTIN_SCENARIOS_DIR = join(REPO_ROOT, 'scenarios') + sep;

const SCENARIO_EXTENSIONS = ['.json', '.yaml', '.yml'] as const;
const TOP_FIELDS = ['name', 'description', 'seed', 'duration', 'livenessWithin', 'coldStart', 'designs', 'config', 'network', 'workload', 'faults', 'expect'] as const;
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
  refuseDeepNesting(where, raw);
  const top = readObject(where, raw, [], 'a scenario object');
  refuseUnknownFields(where, top, [], TOP_FIELDS, 'a scenario');

  const name = top.name === undefined ? defaultName(source) : readString(where, top.name, ['name']);
  if (name.trim() === '') fail(where, ['name'], 'expected a non-empty name');
  const description = top.description === undefined ? '' : readString(where, top.description, ['description']);
  const seed = top.seed === undefined ? 1 : readInteger(where, top.seed, ['seed'], 0);
  const durationUs = readDuration(where, orDefault(top.duration, '60s'), ['duration'], 'positive');
  const livenessWithinUs = readDuration(where, orDefault(top.livenessWithin, '30s'), ['livenessWithin'], 'positive');
  const coldStart = top.coldStart === undefined ? false : readBoolean(where, top.coldStart, ['coldStart']);

  const designs = readDesigns(where, top.designs);
  const allDesigns = [...designs];
  for (const extra of options.extraDesigns ?? []) {
    designOf(registry, extra, undefined, '--design');
    if (!allDesigns.includes(extra)) allDesigns.push(extra);
  }
  const workload = readWorkload(where, top.workload);
  const network = readNetwork(where, top.network);
  const { config, serverCount } = readConfig(where, top.config, designs, allDesigns, { workload, network });
  const faults = readFaults({ file: where.file, nodes: { serverCount, clientCount: workload.clients }, durationUs }, top.faults);
  const expect = readExpect(where, top.expect, designs);

  return { name, description, source, seed, durationUs, livenessWithinUs, coldStart, designs, config, network, workload, faults, expect };
}

/** The design named `name` in the registry, or an InputError naming the place it was asked for. */
export function designOf(registry: DesignRegistry, name: string, file: string | undefined, where: string | undefined): Design {
  const design = registry.get(name);
  if (design === undefined) throw new InputError(file, where, `unknown design ${JSON.stringify(name)}; expected one of ${registry.names.join(', ')}`);
  return design;
}

/**
 * Refuses a value nested deeper than `LIMITS.nesting`, or one that contains
 * itself (YAML can write `a: &a [*a]`), before any reader, knob parser or
 * message recurses on it: a 5,000-deep list used to overflow the stack while
 * its error was being printed. Bounded recursion (it stops at the limit);
 * an object shared by several YAML aliases is walked again only when reached
 * deeper than before.
 */
function refuseDeepNesting(where: Where, raw: unknown): void {
  const shallowestOk = new Map<object, number>();
  const inProgress = new Set<object>();
  const path: Array<string | number> = [];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null) return;
    if (inProgress.has(value)) {
      throw new InputError(where.file, shortPath(path), 'contains itself (a YAML alias inside its own anchor); expected a finite value');
    }
    if (depth > LIMITS.nesting) {
      throw new InputError(where.file, shortPath(path), `values nested more than ${LIMITS.nesting} levels deep; expected at most ${LIMITS.nesting} (no scenario field nests deeper than 5)`);
    }
    const seenAt = shallowestOk.get(value);
    if (seenAt !== undefined && seenAt <= depth) return;
    inProgress.add(value);
    for (const [key, child] of Object.entries(value)) {
      path.push(Array.isArray(value) ? Number(key) : key);
      visit(child, depth + 1);
      path.pop();
    }
    inProgress.delete(value);
    shallowestOk.set(value, depth);
  };
  visit(raw, 1);
}

/** A JSON path cut after a few segments, for values nested too deeply to spell out. */
function shortPath(path: ReadonlyArray<string | number>): string {
  const shown = 6;
  return path.length <= shown ? jsonPath(path) : `${jsonPath(path.slice(0, shown))}… (${path.length} levels)`;
}

/** `fallback` only when the field is absent (a `null` stays, to be refused as the wrong type). */
function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

function defaultName(source: string): string {
  const base = basename(source.replace(/^builtin:/, ''));
  return base.slice(0, base.length - extname(base).length) || base;
}

/** `"designs": "all"`: every design in the registry, in registry order (SPEC §6). */
export const ALL_DESIGNS = 'all';

function readDesigns(where: ScenarioWhere, value: unknown): string[] {
  if (value === undefined) fail(where, ['designs'], 'missing; expected a non-empty list of designs such as ["redis", "redlock"], or "all"');
  if (value === ALL_DESIGNS) return [...where.registry.names];
  if (typeof value === 'string') fail(where, ['designs'], `expected a list of design names such as ["redis", "redlock"], or "all" for every design; got ${show(value)}`);
  const list = readArray(where, value, ['designs'], 'a non-empty list of design names such as ["redis", "redlock"], or "all"');
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
  const clientLimit = { value: LIMITS.clients, why: 'each client is a simulated node with its own timers and history' };
  return {
    clients: obj.clients === undefined ? 3 : readInteger(where, obj.clients, path('clients'), 1, clientLimit),
    sections: obj.sections === undefined ? 20 : readInteger(where, obj.sections, path('sections'), 1),
    holdUs: readRange(where, orDefault(obj.hold, '2s'), path('hold')),
    thinkUs: readRange(where, orDefault(obj.think, '500ms'), path('think')),
    staggerUs: readDuration(where, orDefault(obj.stagger, '0s'), path('stagger'), 'non-negative'),
    acquireTimeoutUs,
    fencing: obj.fencing === undefined ? 'none' : readEnum(where, obj.fencing, path('fencing'), FENCING_MODES),
    checkBeforeWrite: obj.checkBeforeWrite === undefined ? false : readBoolean(where, obj.checkBeforeWrite, path('checkBeforeWrite')),
    permits: obj.permits === undefined ? 1 : readInteger(where, obj.permits, path('permits'), 1, { value: LIMITS.clients, why: 'more permits than the most clients a scenario may have are never contended' }),
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
  setting: { readonly workload: Workload; readonly network: NetworkConfig },
): { config: Record<string, Readonly<Record<string, unknown>>>; serverCount: number } {
  const permits = setting.workload.permits;
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
    refuseSpinningRetries(where, name, knobs, setting.network, setting.workload.clients, designPermits);
    const count = design.serverCount(knobs);
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`design ${name} reported an impossible server count ${count}`);
    serverCount = Math.max(serverCount, count);
  }
  return { config, serverCount };
}

/**
 * Refuses retries that cannot let time advance. A redis or redlock client
 * whose lock is busy retries after `retryDelay ± retryJitter`; with both 0
 * on a network whose latency is 0, the request, the refusal and the retry
 * all happen at the same true instant, for ever (the engine's livelock guard
 * would stop it, after 10 million events). It can only happen when more
 * clients than permits contend. The knobs are read by their resolved names
 * (`retryDelayUs`, `retryJitterUs`), so any design that paces retries that
 * way is covered; a design without them is untouched.
 */
function refuseSpinningRetries(where: Where, design: string, knobs: unknown, network: NetworkConfig, clients: number, permits: number): void {
  if (network.latencyUs.maxUs !== 0 || clients <= permits || typeof knobs !== 'object' || knobs === null) return;
  const { retryDelayUs, retryJitterUs } = knobs as { retryDelayUs?: unknown; retryJitterUs?: unknown };
  if (retryDelayUs !== 0 || retryJitterUs !== 0) return;
  fail(
    where,
    ['config', design, 'retryDelay'],
    `retryDelay and retryJitter are both 0 on a network with zero latency: a client retrying a busy lock would spin at one instant and time would never advance; expected a retryDelay or retryJitter above 0 (e.g. "1ms"), or a network latency above 0`,
  );
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

/** The byte-order mark some editors put first in a UTF-8 file; JSON.parse refuses it, `check` always accepted it. */
const BOM = '\uFEFF';

/** Parses a scenario file's text (JSON or YAML by extension); syntax errors name the file and line. A leading BOM is skipped. */
export function parseScenarioText(text: string, file: string): unknown {
  const body = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return parseJson(body, file);
  if (ext === '.yaml' || ext === '.yml') return parseYaml(body, file);
  throw new InputError(file, undefined, `expected a scenario file ending in .json, .yaml or .yml, got ${show(ext || basename(file))}`);
}

/** JSON through the strict reader: every syntax error at its line and column, duplicate keys and deep nesting refused. */
function parseJson(text: string, file: string): unknown {
  try {
    return parseStrictJson(text, LIMITS.nesting);
  } catch (error) {
    if (!(error instanceof JsonProblem)) throw error;
    const { line, column } = lineAndColumn(text, error.offset);
    const kind = error.message.startsWith('duplicate key') || error.message.startsWith('values nested') ? 'JSON error' : 'JSON syntax error';
    throw new InputError(file, `line ${line}`, `${kind} at column ${column}: ${error.message}`);
  }
}

/**
 * How deep YAML text may nest before it is read: flow brackets open at once,
 * compact `- - -` indicators on one line, or a quarter of the indentation
 * columns. The YAML reader recurses per level: near a thousand levels it
 * runs out of stack, and V8 may then fail compiling a regular expression
 * with a fatal "out of memory" that no catch can handle. Far above any
 * scenario (the exact limit, LIMITS.nesting, is checked on the value).
 */
const MAX_YAML_TEXT_DEPTH = 128;

/** Refuses YAML text nested beyond MAX_YAML_TEXT_DEPTH, at its line and column, before the YAML reader sees it. */
function refuseDeepYamlText(text: string, file: string): void {
  const deep = (index: number, what: string): never => {
    const { line, column } = lineAndColumn(text, index);
    throw new InputError(file, `line ${line}`, `YAML nested too deeply at column ${column} (${what}); expected at most ${LIMITS.nesting} levels`);
  };
  let depth = 0;
  let quote = '';
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== '') {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (lineStart) {
      lineStart = false;
      const prefix = /^ *(?:[-?:](?: +|$))*/.exec(text.slice(i, i + 4 * MAX_YAML_TEXT_DEPTH + 1))![0];
      const indicators = (prefix.match(/[-?:]/g) ?? []).length;
      if (indicators > MAX_YAML_TEXT_DEPTH) deep(i, `more than ${MAX_YAML_TEXT_DEPTH} nested "- " indicators on one line`);
      if (prefix.length > 4 * MAX_YAML_TEXT_DEPTH) deep(i, `indented more than ${4 * MAX_YAML_TEXT_DEPTH} columns`);
    }
    const before = i === 0 ? ' ' : text[i - 1];
    if (c === '\n') lineStart = true;
    else if (c === '#' && /\s/.test(before)) {
      const end = text.indexOf('\n', i);
      i = (end === -1 ? text.length : end) - 1;
    } else if ((c === '"' || c === "'") && /[\s[{,:]/.test(before)) quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_YAML_TEXT_DEPTH) deep(i, `more than ${MAX_YAML_TEXT_DEPTH} brackets open`);
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
}

/** The most YAML alias expansions a scenario may use (an "alias bomb" nests anchors to expand exponentially). */
const MAX_YAML_ALIASES = 100;

/**
 * YAML 1.2 with duplicate keys refused and YAML 1.1's merge keys
 * (`<<: *defaults`) supported, since scenario authors use them to share
 * fault fields. Alias bombs and other failures of the YAML reader become
 * InputErrors naming the file.
 */
function parseYaml(text: string, file: string): unknown {
  refuseDeepYamlText(text, file);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    const column = error.linePos?.[0].col;
    const first = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const what = /Maximum call stack/.test(first) ? `values nested too deeply for the YAML reader; expected at most ${LIMITS.nesting} levels` : first;
    throw new InputError(file, line === undefined ? undefined : `line ${line}`, `YAML syntax error${column === undefined ? '' : ` at column ${column}`}: ${what}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (failure) {
    // toJS is a pure function of the text: whatever it throws is a property of the file.
    const message = failure instanceof Error ? failure.message : String(failure);
    if (/Excessive alias count/.test(message)) {
      throw new InputError(file, undefined, `YAML aliases expand too far (an "alias bomb": anchors whose aliases nest exponentially); expected aliases that expand to at most ${MAX_YAML_ALIASES}× the document`);
    }
    throw new InputError(file, undefined, `YAML could not be read: ${message.split('\n')[0]}`);
  }
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
    const kind = notARegularFile(statSync(pathOrName));
    if (kind !== undefined) throw new InputError(pathOrName, undefined, `${kind}, not a regular file; expected a scenario file (.json, .yaml or .yml)`);
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

/**
 * What a path is when it is not a regular file ("is a directory", "is a
 * FIFO (named pipe)", "is a character device (such as /dev/null)"), or
 * undefined for a regular file. The old message called them all directories.
 */
export function notARegularFile(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'is a directory';
  if (stats.isFIFO()) return 'is a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'is a character device (such as /dev/null)';
  if (stats.isBlockDevice()) return 'is a block device';
  if (stats.isSocket()) return 'is a socket';
  return 'is not a regular file';
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
    .sort((a, b) => rank(a) - rank(b) || byCodePoint(a, b));
  for (const entry of entries) {
    const name = entry.slice(0, entry.length - extname(entry).length);
    if (byName.has(name)) continue;
    const file = join(BUILTIN_SCENARIOS_DIR, entry);
    byName.set(name, { name, file, description: describeFile(file) });
  }
  return [...byName.values()].sort((a, b) => byCodePoint(a.name, b.name));
}

/** Orders strings by UTF-16 code unit, the same on every machine (`localeCompare` depends on the locale). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

