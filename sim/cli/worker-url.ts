/**
 * Where the suite's worker threads load their code from (sim/suite/pool.ts
 * takes it as a file URL whose module exports `runSuiteJob`).
 *
 * - Bundled (`npx locksim`, bin/locksim.js): the cached bundle itself. The
 *   bundle's entry (main.ts) re-exports `runSuiteJob`, and bin/locksim.js
 *   defines `__LOCKSIM_WORKER_MODULE__` as the bundle's own file URL when it
 *   builds it, so workers import the very file the CLI runs.
 * - From source (vitest, tsx, `LOCKSIM_NO_BUNDLE=1`): the identifier is not
 *   defined, and workers load worker.boot.mjs, which registers tsx in
 *   the thread and imports worker.ts.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../scenario/paths.ts';

/** Replaced by esbuild's `define` in the bundle (a string); undefined when running from source. */
declare const __LOCKSIM_WORKER_MODULE__: string | undefined;

/** The worker module's file URL. */
export function workerUrl(): string {
  if (typeof __LOCKSIM_WORKER_MODULE__ === 'string') return __LOCKSIM_WORKER_MODULE__;
  return pathToFileURL(join(REPO_ROOT, 'sim', 'cli', 'worker.boot.mjs')).href;
}
