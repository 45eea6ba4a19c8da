/**
 * The run folder of `--out DIR` (as Jepsen's `store/`):
 *
 *     DIR/<scenario>.json                    the scenario's §4 RunResult, with each
 *                                            design's timeline (for `locksim report DIR`)
 *     DIR/<scenario>/<design>.history.jsonl  the service history (SPEC §5 jsonl)
 *     DIR/<scenario>/<design>.trace.txt      the one-line-per-event trace
 *     DIR/suite.json                         the §6 document (suite only)
 *
 * Nothing is half-written: everything goes first into a hidden staging
 * folder inside DIR (`.locksim-staging-…`, on the same file system, so
 * renames are atomic); `commit` renames each file into place — subfolders'
 * files, then the scenarios' JSON, then suite.json last, so a reader that
 * sees suite.json sees the whole run — and `abort` (any error) removes the
 * staging folder, leaving DIR as it was. Files of earlier runs that this run
 * does not write are left alone. A skipped design has a trace (one line
 * saying why) and no history.
 *
 * Scenario names become file names, so with `--out` they must be plain:
 * letters, digits, `.`, `_`, `-`, not starting with `.` (and, in a suite,
 * not `suite`, whose JSON is the document).
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { InputError } from '../scenario/errors.ts';

/** The document's file name in a suite's out folder. */
export const SUITE_FILE = 'suite.json';

/** Names that can be a file name on every system we run on. */
const PLAIN_NAME = /^[\p{L}\p{N}_-][\p{L}\p{N}._-]*$/u;

/** Refuses a scenario name that cannot be a file name in the out folder. */
export function checkOutName(name: string, file: string, flag: string, suite: boolean): void {
  if (!PLAIN_NAME.test(name) || name.length > 200) {
    throw new InputError(file, 'name', `${JSON.stringify(name)} cannot name files in ${flag}; expected a scenario name of letters, digits, ".", "_" and "-" (not starting with ".")`);
  }
  if (suite && `${name}.json` === SUITE_FILE) {
    throw new InputError(file, 'name', `a scenario named "suite" would overwrite ${SUITE_FILE} in ${flag}; expected another name`);
  }
}

/** A run folder being written. */
export interface OutFolder {
  /** Where files are written before `commit` (pass it to jobs as their out folder). */
  readonly staging: string;
  /** The final folder. */
  readonly dir: string;
  /** Writes `rel` (a path inside the folder) with `text`, in staging. */
  write(rel: string, text: string): void;
  /** Copies the file `from` to `rel`, in staging. */
  copy(rel: string, from: string): void;
  /** Moves every staged file into place; returns their paths relative to `dir`, in commit order. */
  commit(): string[];
  /** Drops everything staged (harmless after commit or twice). */
  abort(): void;
}

/** Opens `dir` (created with its parents if missing) for a run; throws InputError naming `flag` if it cannot be. */
export function openOutFolder(dir: string, flag: string): OutFolder {
  if (dir === '') throw new InputError(undefined, flag, 'expected a folder name, got an empty string');
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(undefined, flag, `${JSON.stringify(dir)} exists and is not a folder; expected a folder to write the run into`);
  const created = !existsSync(dir);
  let staging: string;
  try {
    mkdirSync(dir, { recursive: true });
    staging = join(dir, `.locksim-staging-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(staging);
  } catch (error) {
    throw new InputError(undefined, flag, `cannot write to ${JSON.stringify(dir)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a writable folder`);
  }
  let open = true;
  const abort = (): void => {
    if (!open) return;
    open = false;
    rmSync(staging, { recursive: true, force: true });
    if (created) {
      try {
        rmdirSync(dir); // only if still empty
      } catch {
        // something else is in it now: leave it
      }
    }
  };
  return {
    staging,
    dir,
    write(rel, text) {
      const file = join(staging, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    },
    copy(rel, from) {
      const file = join(staging, rel);
      mkdirSync(dirname(file), { recursive: true });
      copyFileSync(from, file);
    },
    commit() {
      if (!open) throw new Error('out folder already committed or aborted');
      const files = stagedFiles(staging).sort(commitOrder);
      try {
        for (const rel of files) {
          const target = join(dir, rel);
          mkdirSync(dirname(target), { recursive: true });
          renameSync(join(staging, rel), target);
        }
      } catch (error) {
        abort();
        throw new InputError(undefined, flag, `cannot write into ${JSON.stringify(dir)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a writable folder`);
      }
      open = false;
      rmSync(staging, { recursive: true, force: true });
      return files;
    },
    abort,
  };
}

/** Every file under `root`, as `/`-separated relative paths. */
function stagedFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

/** Subfolders' files first, then top-level files, suite.json last; by name within each. */
function commitOrder(a: string, b: string): number {
  const rank = (rel: string): number => (rel === SUITE_FILE ? 2 : rel.includes('/') ? 0 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
