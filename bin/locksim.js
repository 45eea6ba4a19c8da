#!/usr/bin/env node
// The `locksim` command. It bundles the TypeScript sources with esbuild (the
// engine tsx runs on) into node_modules/.cache/locksim/, keyed by content, and
// runs that: unlike tsx's on-the-fly transform it drops esbuild's `keepNames`
// wrappers and cross-module getters, which doubles simulation speed. If
// bundling fails for any reason it falls back to running the sources through
// tsx. Then it hands the arguments to sim/cli/main.ts and exits with its code
// (0 ok, 1 an expectation failed, 2 bad input, 3 internal error).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

async function loadBundled() {
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
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(path.join(root, 'sim/scenario/paths.ts')).href) },
  });
  const code = result.outputFiles[0].contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  // Inside the repository's node_modules, so bare imports (chalk, yaml, …) resolve from the bundle.
  const dir = path.join(root, 'node_modules', '.cache', 'locksim');
  const file = path.join(dir, `cli-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file); // atomic: concurrent invocations never see half a file
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
} catch {
  mod = await loadFromSource();
}
const code = await mod.main(process.argv.slice(2));
// Let stdout drain before exiting (large --json documents through a pipe).
process.stdout.write('', () => process.exit(code));
