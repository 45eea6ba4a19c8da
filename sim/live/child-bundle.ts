/**
 * How a client process is started: from one JavaScript file that esbuild
 * bundles from client-child.ts once per harness process (packages left as
 * imports, resolved from the repository's node_modules), so a client is
 * ready in about 0.2 s instead of the ~0.6 s tsx needs to load the
 * TypeScript sources — which matters twice: every run starts its clients,
 * and a client crash-restart should take `restartAfter`, not that plus a
 * compile. The bundle goes to `node_modules/.cache/locksim/` (beside the
 * CLI's bundle; not a temporary folder, so nothing is left in /tmp) under a
 * name that hashes its contents. If bundling fails, clients run the
 * sources under tsx (`--import tsx`), slower but the same code;
 * `LOCKSIM_NO_BUNDLE=1` forces that.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../scenario/paths.ts';

/** What `fork` needs to start a client. */
export interface ChildEntry {
  readonly module: string;
  readonly execArgv: readonly string[];
  /** How it was made, for messages. */
  readonly how: 'bundle' | 'tsx';
}

/** The TypeScript entry (run under tsx when not bundled). */
export const CHILD_SOURCE = join(REPO_ROOT, 'sim', 'live', 'client-child.ts');

let memo: Promise<ChildEntry> | undefined;

async function bundle(): Promise<ChildEntry> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [CHILD_SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
    absWorkingDir: REPO_ROOT,
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
  });
  const contents = result.outputFiles[0].contents;
  const key = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'locksim');
  const file = join(dir, `live-client-${key}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, contents);
    renameSync(partial, file);
    prune(dir, file);
  }
  return { module: file, execArgv: [], how: 'bundle' };
}

/** Client bundles kept besides the current one (other checkouts, older sources). */
const KEEP = 4;

/** Deletes all but the newest few client bundles (never `current`); best effort. */
function prune(dir: string, current: string): void {
  try {
    const old = readdirSync(dir)
      .filter((name) => /^live-client-[0-9a-f]+\.mjs$/.test(name) && join(dir, name) !== current)
      .map((name) => ({ file: join(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const { file } of old.slice(KEEP)) rmSync(file, { force: true });
  } catch {
    // another process may be pruning too
  }
}

const TSX: ChildEntry = { module: CHILD_SOURCE, execArgv: ['--import', 'tsx'], how: 'tsx' };

/** The client entry for this process (bundled once, then reused). */
export function childEntry(): Promise<ChildEntry> {
  if (process.env.LOCKSIM_NO_BUNDLE === '1') return Promise.resolve(TSX);
  memo ??= bundle().catch(() => TSX);
  return memo;
}
