/**
 * `suite --merge DIR…`: the `--out` folders of several shards (or of
 * separate runs over different scenarios) read back and merged into one
 * §6 document, the one the unsharded run would have printed: the results
 * of every folder's `suite.json`, sorted by scenario name (code points),
 * the summary recomputed from them (summary.ts needs nothing else), and
 * `shard` null.
 *
 * Refused (InputError, exit 2, naming the folder or file): a folder without
 * a readable `suite.json` of the §6 shape; sharded and unsharded folders
 * mixed; shards of different counts, a shard given twice or missing; the
 * same scenario in two folders. The designs are the folders' common list
 * (shards of one suite all list the same designs); folders of different
 * runs get the union, in the order first seen.
 *
 * `copyScenarioFiles` copies a scenario's files (its JSON, history and
 * trace files) from a folder into a new out folder, for `--merge --out`.
 * The folders' `<scenario>.json` may carry timelines (`suite --out` records
 * them); the document never does (its `suite.json` entries are read, and
 * `suiteDocument` drops any timeline), and the merged folder keeps them:
 * a scenario's JSON is copied when it is the same run as the document's.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../harness/result.ts';
import { InputError } from '../scenario/errors.ts';
import { byCodePoint } from './discover.ts';
import { suiteDocument } from './document.ts';
import { SUITE_FILE, type OutFolder } from './out-folder.ts';
import { parseShard } from './shard.ts';
import type { SuiteDocument } from './types.ts';

/** One folder's document, as read. */
interface Read {
  readonly dir: string;
  readonly file: string;
  readonly designs: readonly string[];
  readonly shard: string | null;
  readonly results: readonly RunResult[];
}

/** Where each merged scenario came from. */
export interface Merged {
  readonly document: SuiteDocument;
  /** Scenario name → the folder it was read from. */
  readonly origin: ReadonlyMap<string, string>;
}

/** Reads and merges the folders. */
export function mergeFolders(dirs: readonly string[]): Merged {
  if (dirs.length === 0) throw new InputError(undefined, '--merge', 'expected one or more folders written by suite --out');
  const read = dirs.map(readFolder);
  checkShards(read);
  const designs = sameList(read.map((r) => r.designs)) ?? union(read.map((r) => r.designs));
  const origin = new Map<string, string>();
  const results: RunResult[] = [];
  for (const folder of read) {
    for (const run of folder.results) {
      const seen = origin.get(run.scenario);
      if (seen !== undefined) throw new InputError(folder.file, 'results', `scenario ${JSON.stringify(run.scenario)} is also in ${join(seen, SUITE_FILE)}; expected each scenario in one folder (one shard) only`);
      origin.set(run.scenario, folder.dir);
      results.push(run);
    }
  }
  results.sort((a, b) => byCodePoint(a.scenario, b.scenario));
  return { document: suiteDocument(designs, null, results), origin };
}

function readFolder(dir: string): Read {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(undefined, '--merge', `${JSON.stringify(dir)} is not a folder; expected a folder written by suite --out`);
  const file = join(dir, SUITE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, undefined, `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected the ${SUITE_FILE} that suite --out writes`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, undefined, `not valid JSON (${(error as Error).message}); expected the ${SUITE_FILE} that suite --out writes`);
  }
  const bad = (where: string, what: string): never => {
    throw new InputError(file, where, `${what}; expected the ${SUITE_FILE} that suite --out writes (SPEC §6)`);
  };
  if (!isObject(raw)) return bad('(top level)', 'not an object');
  const suite = raw.suite;
  if (!isObject(suite)) return bad('suite', 'missing or not an object');
  const designs = suite.designs;
  if (!Array.isArray(designs) || !designs.every((d) => typeof d === 'string')) return bad('suite.designs', 'not a list of design names');
  const shard = suite.shard;
  if (shard !== null && typeof shard !== 'string') return bad('suite.shard', 'neither "i/n" nor null');
  if (typeof shard === 'string') parseShard(shard, `${file}: suite.shard`);
  const results = raw.results;
  if (!Array.isArray(results)) return bad('results', 'not a list');
  results.forEach((run, i) => {
    if (!isObject(run) || typeof run.scenario !== 'string' || !Array.isArray(run.results)) bad(`results[${i}]`, 'not a RunResult (scenario, seed, results)');
  });
  return { dir, file, designs: designs as string[], shard: shard as string | null, results: results as RunResult[] };
}

/** Shards: all or none; one count; each index once; none missing. */
function checkShards(read: readonly Read[]): void {
  const sharded = read.filter((r) => r.shard !== null);
  if (sharded.length === 0) return;
  if (sharded.length !== read.length) {
    const plain = read.find((r) => r.shard === null)!;
    throw new InputError(plain.file, 'suite.shard', `is null (unsharded) while ${sharded[0].file} is shard ${sharded[0].shard}; expected the folders of one sharded suite, or unsharded folders only`);
  }
  const byIndex = new Map<number, Read>();
  const count = parseShard(sharded[0].shard!).count;
  for (const r of sharded) {
    const shard = parseShard(r.shard!);
    if (shard.count !== count) throw new InputError(r.file, 'suite.shard', `is ${r.shard} while ${sharded[0].file} is ${sharded[0].shard}; expected shards of one split (the same n)`);
    const twice = byIndex.get(shard.index);
    if (twice !== undefined) throw new InputError(r.file, 'suite.shard', `shard ${r.shard} is also ${twice.file}; expected each shard once`);
    byIndex.set(shard.index, r);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new InputError(undefined, '--merge', `shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing; expected the --out folders of all ${count} shards`);
  }
}

function sameList(lists: ReadonlyArray<readonly string[]>): string[] | undefined {
  const first = lists[0];
  return lists.every((l) => l.length === first.length && l.every((d, i) => d === first[i])) ? [...first] : undefined;
}

function union(lists: ReadonlyArray<readonly string[]>): string[] {
  const out: string[] = [];
  for (const list of lists) for (const d of list) if (!out.includes(d)) out.push(d);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Copies `scenario`'s history and trace files from `fromDir` into the out
 * folder's staging (its JSON is written from the merged results), and, when
 * `run` (the merged document's entry) is given, the folder's
 * `<scenario>.json` over that JSON if it is the same run (same designs and
 * trace hashes), so its timelines carry over.
 */
export function copyScenarioFiles(fromDir: string, scenario: string, out: OutFolder, run?: RunResult): void {
  if (run !== undefined) copyRunJson(fromDir, scenario, out, run);
  const folder = join(fromDir, scenario);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    out.copy(join(scenario, entry.name), join(folder, entry.name));
  }
}

/** Copies `fromDir/<scenario>.json` into staging when it holds the same run as `run` (else leaves the written one). */
function copyRunJson(fromDir: string, scenario: string, out: OutFolder, run: RunResult): void {
  const file = join(fromDir, `${scenario}.json`);
  if (!existsSync(file) || !statSync(file).isFile()) return;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return; // not ours to judge: the document's entry stands
  }
  if (!isObject(raw) || raw.scenario !== run.scenario || raw.seed !== run.seed || !Array.isArray(raw.results)) return;
  const results = raw.results as unknown[];
  const same =
    results.length === run.results.length &&
    results.every((r, i) => isObject(r) && r.design === run.results[i].design && r.traceHash === run.results[i].traceHash);
  if (same) out.copy(`${scenario}.json`, file);
}
