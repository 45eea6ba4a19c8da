#!/usr/bin/env node
// The `locksim` command. It runs a bundle of the TypeScript sources made with
// esbuild (the engine tsx runs on): unlike tsx's on-the-fly transform it drops
// esbuild's `keepNames` wrappers and cross-module getters, which doubles
// simulation speed. Then it hands the arguments to sim/cli/main.ts and exits
// with its code (0 ok, 1 an expectation failed, 2 bad input, 3 internal error).
//
// Start-up: the bundle is cached in node_modules/.cache/locksim/ (inside the
// repository's node_modules, so its bare imports — chalk, yaml, … — resolve)
// as cli-<key>.mjs, where the key hashes the CONTENTS of every source file
// under sim/, algorithms/ and reports/ (and package.json, tsconfig.json, this
// file, and the repository's path, which the bundle embeds). Hashing ~150
// small files takes a few milliseconds; esbuild is loaded and run only when
// no bundle has that key, so a warm `check` of a small file costs node's start
// plus importing the bundle. A new bundle is written to a temporary file and
// renamed into place (atomic: concurrent invocations never see half a file,
// and the last rename wins with identical contents); old bundles beyond the
// newest few are pruned.
//
// The bundle is also the suite's worker module: main.ts re-exports the
// worker entry, and `__LOCKSIM_WORKER_MODULE__` is defined as the bundle's
// own file URL, so `suite`'s worker threads import the very file the CLI
// runs (sim/cli/worker-url.ts; from source they load
// sim/cli/worker.boot.mjs instead).
//
// If bundling fails for any reason it falls back to running the sources
// through tsx; LOCKSIM_NO_BUNDLE=1 always does. LOCKSIM_DEBUG_BUNDLE=1 says on
// stderr whether the cached bundle was used ("bundle cache hit") or built.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const debug = process.env.LOCKSIM_DEBUG_BUNDLE === '1';

/** Directories whose sources go into the bundle, and files that shape how it is built. */
const SOURCE_DIRS = ['sim', 'algorithms', 'reports'];
const BUILD_FILES = ['package.json', 'tsconfig.json', 'bin/locksim.js'];
/** Extensions esbuild may bundle from the source directories. */
const SOURCE_EXT = /\.(?:[cm]?ts|tsx|[cm]?js|json)$/;
/** Bundles kept in the cache (the current one and a few recent ones, e.g. for other checkouts). */
const KEEP_BUNDLES = 8;

/** Every bundled source file under `dir` (relative to root), in a fixed order. */
function sourcesUnder(dir, out) {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return; // a missing directory contributes nothing (and its absence is part of the key below)
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) sourcesUnder(rel, out);
    else if (SOURCE_EXT.test(entry.name)) out.push(rel);
  }
}

/** A hash of everything the bundle is made from. */
function sourceKey() {
  const files = [];
  for (const dir of SOURCE_DIRS) sourcesUnder(dir, files);
  files.push(...BUILD_FILES);
  const hash = createHash('sha256').update(`locksim-bundle-1\0${root}\0`);
  for (const rel of files) {
    let content;
    try {
      content = readFileSync(path.join(root, rel));
    } catch {
      content = Buffer.from('\0missing\0');
    }
    hash.update(`${rel}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex').slice(0, 20);
}

/** Bundles sim/cli/main.ts; `file` is where the bundle will live (the suite's workers load it from there). */
async function buildBundle(file) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(root, 'sim/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    keepNames: false,
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
    tsconfig: path.join(root, 'tsconfig.json'),
    // sim/scenario/paths.ts is the only module that reads its own location.
    define: {
      'import.meta.url': JSON.stringify(pathToFileURL(path.join(root, 'sim/scenario/paths.ts')).href),
      __LOCKSIM_WORKER_MODULE__: JSON.stringify(pathToFileURL(file).href),
    },
  });
  return result.outputFiles[0].contents;
}

/** Deletes all but the newest KEEP_BUNDLES bundles (never `keep`); best effort. */
function prune(dir, keep) {
  try {
    const bundles = readdirSync(dir)
      .filter((name) => /^cli-[0-9a-f]+\.mjs$/.test(name) && name !== keep)
      .map((name) => {
        try {
          return { name, mtime: statSync(path.join(dir, name)).mtimeMs };
        } catch {
          return { name, mtime: Infinity };
        }
      })
      .sort((a, b) => b.mtime - a.mtime);
    for (const { name } of bundles.slice(KEEP_BUNDLES - 1)) rmSync(path.join(dir, name), { force: true });
  } catch {
    // Pruning is housekeeping; a failure here must not stop the command.
  }
}

async function loadBundled() {
  const dir = path.join(root, 'node_modules', '.cache', 'locksim');
  const name = `cli-${sourceKey()}.mjs`;
  const file = path.join(dir, name);
  if (existsSync(file)) {
    if (debug) process.stderr.write(`locksim: bundle cache hit ${file}\n`);
  } else {
    const start = performance.now();
    const code = await buildBundle(file);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, code);
    try {
      renameSync(tmp, file); // atomic: concurrent invocations never see half a file
    } catch (error) {
      rmSync(tmp, { force: true });
      if (!existsSync(file)) throw error; // (where rename cannot replace, another invocation's identical bundle won)
    }
    prune(dir, name);
    if (debug) process.stderr.write(`locksim: bundle built ${file} (${Math.round(performance.now() - start)} ms)\n`);
  }
  return import(pathToFileURL(file).href);
}

async function loadFromSource() {
  const { register } = await import('tsx/esm/api');
  register();
  return import('../sim/cli/main.ts');
}

let mod;
try {
  mod = process.env.LOCKSIM_NO_BUNDLE === '1' ? await loadFromSource() : await loadBundled();
} catch (error) {
  if (debug) process.stderr.write(`locksim: bundle failed, running the sources through tsx: ${error instanceof Error ? error.message : String(error)}\n`);
  mod = await loadFromSource();
}
const code = await mod.main(process.argv.slice(2));
// Let stdout drain before exiting (large --json documents through a pipe).
process.stdout.write('', () => process.exit(code));
