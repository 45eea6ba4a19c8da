/**
 * What `locksim report <result.json-or-dir…>` reads, merged into one report's
 * input: run results (`run --json`, `run --out`), suite documents
 * (`suite --json`) and suite run folders (`suite --out DIR`, one per shard),
 * and fuzz documents (`fuzz --json`).
 *
 * - A file is told apart by its shape: `{suite, results, summary}` is a
 *   suite document, `{scenario, seed, results}` a run result, `{runs,
 *   findings, coverage}` a fuzz document; anything else is refused naming
 *   the file and what was expected.
 * - A folder is read whole: its `suite.json` (when there is one) gives the
 *   suite's designs and shard, and each `<scenario>.json` beside it a run
 *   result — with its timeline, which `suite --out` and `run --out` record —
 *   taking the place of the same scenario's entry in `suite.json`.
 * - Several suite inputs (shards) merge: their runs, the union of their
 *   designs, the shards they were, and the summary recomputed from all runs.
 *   A scenario given twice must be the same run (same trace hashes), else
 *   it is refused naming both places.
 * - Fuzz findings are replayed (their scenario, event for event, with its
 *   timeline recorded) so the report can draw them: a finding carries a
 *   scenario, not a result. Counts and coverage add up across documents.
 *
 * Bad input is an `InputError` (exit 2) naming the file and the JSON path.
 * Nothing here renders; reports/ does.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DesignRegistry } from '../../algorithms/api/index.ts';
import { addCoverage, emptyCoverage, type Coverage, type Finding } from '../fuzz/index.ts';
import type { DesignResult, RunResult } from '../harness/result.ts';
import { runScenario } from '../harness/runner.ts';
import { InputError } from '../scenario/errors.ts';
import { notARegularFile, parseScenario, parseScenarioText } from '../scenario/load.ts';
import { byCodePoint } from '../suite/discover.ts';
import { SUITE_FILE } from '../suite/out-folder.ts';
import { summarise } from '../suite/summary.ts';
import type { DesignSummary } from '../suite/types.ts';

/** The suite part of a report: the designs (the matrix's columns), the shards merged, the per-design summary. */
export interface ReportSuite {
  readonly designs: readonly string[];
  /** The shard when one was given, the shards merged ("1/3, 2/3"), or null. */
  readonly shard: string | null;
  readonly summary: Readonly<Record<string, DesignSummary>>;
}

/** The fuzz part: runs and findings over every fuzz document, coverage added up. */
export interface ReportFuzz {
  readonly runs: number;
  readonly findings: readonly Finding[];
  readonly coverage: Coverage | null;
}

/** The fuzz part as merged here: each finding's file beside it (for messages). */
interface MergedFuzz extends ReportFuzz {
  readonly sources: readonly string[];
}

export interface ReportInputs {
  /** The files and folders read, as given. */
  readonly sources: readonly string[];
  /** Every run, ordered by scenario name (code points); fuzz findings' replays last, in finding order. */
  readonly runs: readonly RunResult[];
  readonly suite: ReportSuite | null;
  readonly fuzz: ReportFuzz | null;
}

type Json = Record<string, unknown>;

/** A run read from somewhere, remembering where (for duplicate messages). */
interface Placed {
  readonly run: RunResult;
  readonly where: string;
}

/** Reads and merges the inputs; `registry` replays fuzz findings. */
export function loadReportInputs(paths: readonly string[], registry: DesignRegistry): ReportInputs {
  if (paths.length === 0) throw new InputError(undefined, 'report', 'expected one or more result files or folders (run --json, suite --json, suite --out, fuzz --json)');
  const runs = new Map<string, Placed>();
  const suites: Array<{ designs: readonly string[]; shard: string | null }> = [];
  const fuzzDocs: Array<{ file: string; doc: Json }> = [];

  const addRun = (run: RunResult, where: string, replaceFrom?: string): void => {
    const seen = runs.get(run.scenario);
    if (seen !== undefined && seen.where !== replaceFrom && !sameRun(seen.run, run)) {
      throw new InputError(where, 'scenario', `${JSON.stringify(run.scenario)} is also in ${seen.where} with different results; expected each scenario once (one shard each)`);
    }
    // A run with a timeline wins over the same run without one.
    if (seen === undefined || seen.where === replaceFrom || (seen.run.results.some((r) => r.timeline === undefined) && run.results.every((r) => r.timeline !== undefined || r.skipped !== undefined))) {
      runs.set(run.scenario, { run, where });
    }
  };

  for (const path of paths) {
    if (!existsSync(path)) throw new InputError(path, undefined, 'no such file or folder; expected a result file (run --json, suite --json, fuzz --json) or a folder written by suite --out or run --out');
    if (statSync(path).isDirectory()) {
      readFolder(path, addRun, suites);
      continue;
    }
    const doc = readJson(path);
    classify(doc, path, addRun, suites, fuzzDocs);
  }

  const ordered = [...runs.values()].map((p) => p.run).sort((a, b) => byCodePoint(a.scenario, b.scenario));
  const fuzz = fuzzDocs.length === 0 ? null : mergeFuzz(fuzzDocs);
  const replays = fuzz === null ? [] : fuzz.findings.map((finding, i) => replayFinding(finding, i, fuzz.sources[i], registry));
  const suite = suites.length === 0 ? null : mergeSuites(suites, ordered);
  return { sources: [...paths], runs: [...ordered, ...replays], suite, fuzz: fuzz === null ? null : { runs: fuzz.runs, findings: fuzz.findings, coverage: fuzz.coverage } };
}

function readFolder(dir: string, addRun: (run: RunResult, where: string, replaceFrom?: string) => void, suites: Array<{ designs: readonly string[]; shard: string | null }>): void {
  const suiteFile = join(dir, SUITE_FILE);
  const names = readdirSync(dir).filter((name) => name.endsWith('.json') && name !== SUITE_FILE).sort(byCodePoint);
  let suiteRuns = new Set<string>();
  if (existsSync(suiteFile)) {
    const doc = readJson(suiteFile);
    if (!isSuiteDocument(doc)) throw new InputError(suiteFile, undefined, 'expected a suite document (SPEC §6: {"suite", "results", "summary"}) as suite --out writes it');
    const header = readSuite(doc, suiteFile, addRun);
    suites.push(header);
    suiteRuns = new Set(asRuns(doc.results, suiteFile, 'results').map((r) => r.scenario));
  }
  let found = suiteRuns.size;
  for (const name of names) {
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    const doc = readJson(file);
    if (!isRunResult(doc)) continue; // not a result (e.g. a timings file): the folder's other files are not ours to judge
    const run = asRun(doc, file, '');
    addRun(run, file, suiteRuns.has(run.scenario) ? suiteFile : undefined);
    found++;
  }
  if (found === 0) throw new InputError(dir, undefined, `no results in this folder; expected ${SUITE_FILE} or <scenario>.json files, as suite --out and run --out write them`);
}

function classify(doc: unknown, file: string, addRun: (run: RunResult, where: string) => void, suites: Array<{ designs: readonly string[]; shard: string | null }>, fuzzDocs: Array<{ file: string; doc: Json }>): void {
  if (isSuiteDocument(doc)) {
    suites.push(readSuite(doc, file, addRun));
    return;
  }
  if (isRunResult(doc)) {
    addRun(asRun(doc, file, ''), file);
    return;
  }
  if (isFuzzDocument(doc)) {
    if (!Array.isArray(doc.findings)) throw new InputError(file, 'findings', 'expected an array of findings');
    if (typeof doc.runs !== 'number') throw new InputError(file, 'runs', 'expected the number of runs');
    fuzzDocs.push({ file, doc });
    return;
  }
  throw new InputError(file, '(top level)', 'expected a run result ({"scenario", "seed", "results"}: run --json), a suite document ({"suite", "results", "summary"}: suite --json) or a fuzz document ({"runs", "findings", "coverage"}: fuzz --json)');
}

function readSuite(doc: Json, file: string, addRun: (run: RunResult, where: string) => void): { designs: readonly string[]; shard: string | null } {
  const header = doc.suite as Json;
  if (!Array.isArray(header.designs) || !header.designs.every((d) => typeof d === 'string')) throw new InputError(file, 'suite.designs', 'expected an array of design names');
  if (header.shard !== null && typeof header.shard !== 'string') throw new InputError(file, 'suite.shard', 'expected "i/n" or null');
  for (const run of asRuns(doc.results, file, 'results')) addRun(run, file);
  return { designs: header.designs as string[], shard: header.shard as string | null };
}

function mergeSuites(suites: ReadonlyArray<{ designs: readonly string[]; shard: string | null }>, runs: readonly RunResult[]): ReportSuite {
  const designs: string[] = [];
  for (const s of suites) for (const d of s.designs) if (!designs.includes(d)) designs.push(d);
  for (const run of runs) for (const r of run.results) if (!designs.includes(r.design)) designs.push(r.design);
  const shards = [...new Set(suites.map((s) => s.shard).filter((s): s is string => s !== null))];
  const shard = shards.length === 0 || (suites.length > 1 && coversAll(shards)) ? null : shards.join(', ');
  return { designs, shard, summary: summarise(designs, runs) };
}

/** Whether shards "1/n" … "n/n" are all there. */
function coversAll(shards: readonly string[]): boolean {
  const counts = new Set(shards.map((s) => s.split('/')[1]));
  if (counts.size !== 1) return false;
  const n = Number([...counts][0]);
  return shards.length === n;
}

function mergeFuzz(docs: ReadonlyArray<{ file: string; doc: Json }>): MergedFuzz {
  let runs = 0;
  const findings: Finding[] = [];
  const sources: string[] = [];
  let coverage: Coverage | null = null;
  for (const { file, doc } of docs) {
    runs += doc.runs as number;
    (doc.findings as unknown[]).forEach((f, i) => {
      findings.push(asFinding(f, file, i));
      sources.push(`${file}: findings[${i}]`);
    });
    if (typeof doc.coverage === 'object' && doc.coverage !== null) {
      coverage = addCoverage(coverage ?? emptyCoverage(), doc.coverage as Coverage);
    }
  }
  return { runs, findings, coverage, sources };
}

function asFinding(value: unknown, file: string, i: number): Finding {
  const where = `findings[${i}]`;
  if (typeof value !== 'object' || value === null) throw new InputError(file, where, 'expected a finding object');
  const f = value as Json;
  for (const key of ['design', 'property', 'replay']) if (typeof f[key] !== 'string') throw new InputError(file, `${where}.${key}`, 'expected a string');
  if (typeof f.scenario !== 'object' || f.scenario === null) throw new InputError(file, `${where}.scenario`, 'expected the finding\'s scenario object (SPEC §3)');
  return f as unknown as Finding;
}

/** Replays a finding's scenario on its design, recording the timeline; the run is named after the finding so it never collides with a suite's. */
function replayFinding(finding: Finding, index: number, source: string, registry: DesignRegistry): RunResult {
  const scenario = parseScenario(finding.scenario, `${source}.scenario`, registry);
  const run = runScenario(scenario, registry, { designs: [finding.design], timeline: true });
  return { ...run, scenario: `fuzz ${index + 1}: ${finding.property} on ${finding.design} (${scenario.name})` };
}

function readJson(file: string): unknown {
  const why = notARegularFile(statSync(file));
  if (why !== undefined) throw new InputError(file, undefined, why);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); expected a readable result file`);
  }
  if (text.trim() === '') throw new InputError(file, undefined, 'is empty; expected a result JSON document');
  return parseScenarioText(text, file.toLowerCase().endsWith('.json') ? file : `${file}.json`);
}

const isObject = (doc: unknown): doc is Json => typeof doc === 'object' && doc !== null && !Array.isArray(doc);
const isSuiteDocument = (doc: unknown): doc is Json => isObject(doc) && isObject(doc.suite) && 'results' in doc && 'summary' in doc;
const isRunResult = (doc: unknown): doc is Json => isObject(doc) && typeof doc.scenario === 'string' && 'results' in doc && 'seed' in doc;
const isFuzzDocument = (doc: unknown): doc is Json => isObject(doc) && 'findings' in doc && 'runs' in doc;

function asRuns(value: unknown, file: string, where: string): RunResult[] {
  if (!Array.isArray(value)) throw new InputError(file, where, 'expected an array of run results');
  return value.map((run, i) => asRun(run, file, `${where}[${i}]`));
}

/** Checks the parts of a §4 RunResult a report reads; the rest is passed through as written. */
function asRun(value: unknown, file: string, where: string): RunResult {
  const at = (key: string): string => (where === '' ? key : `${where}.${key}`);
  if (!isObject(value)) throw new InputError(file, where || '(top level)', 'expected a run result object');
  if (typeof value.scenario !== 'string') throw new InputError(file, at('scenario'), 'expected the scenario name');
  if (typeof value.seed !== 'number') throw new InputError(file, at('seed'), 'expected the seed (a number)');
  if (!Array.isArray(value.results)) throw new InputError(file, at('results'), 'expected an array of design results');
  value.results.forEach((r, i) => asDesignResult(r, file, at(`results[${i}]`)));
  return value as unknown as RunResult;
}

function asDesignResult(value: unknown, file: string, where: string): DesignResult {
  if (!isObject(value)) throw new InputError(file, where, 'expected a design result object');
  if (typeof value.design !== 'string') throw new InputError(file, `${where}.design`, 'expected the design name');
  if (!isObject(value.checks)) throw new InputError(file, `${where}.checks`, 'expected the checks object');
  if (!isObject(value.metrics)) throw new InputError(file, `${where}.metrics`, 'expected the metrics object');
  if (!Array.isArray(value.faults)) throw new InputError(file, `${where}.faults`, 'expected the fault reports array');
  if (value.timeline !== undefined && !isObject(value.timeline)) throw new InputError(file, `${where}.timeline`, 'expected a timeline object');
  return value as unknown as DesignResult;
}

function sameRun(a: RunResult, b: RunResult): boolean {
  if (a.seed !== b.seed || a.results.length !== b.results.length) return false;
  return a.results.every((r, i) => r.design === b.results[i].design && r.traceHash === b.results[i].traceHash);
}
