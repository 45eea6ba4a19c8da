// ESLint: typescript-eslint's recommended rules everywhere, plus the two
// rules that keep the architecture honest (README "Architecture"):
//
// 1. Arrows run one way. Each folder may import only the folders listed for
//    it in ARROWS (relative imports are resolved against the importing
//    file, so `../../sim/core/x.ts` from algorithms/redis is caught at any
//    depth). Designs see only the designs' API; the checker imports nothing
//    outside itself; reports import types only; nothing below the CLI
//    imports the CLI, the design registry or the reports.
// 2. The seed decides everything: no ambient time, randomness, timers or
//    crypto in the deterministic folders. Only the folders that must touch
//    wall time or threads (the CLI, the benchmarks, the suite runner) are exempt.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ambient = 'is ambient non-determinism: the seed must decide everything (use the node API or the simulator)';

/** Folders whose code the seed must decide (the determinism ban applies). */
export const DETERMINISTIC = ['algorithms', 'sim/core', 'sim/faults', 'sim/harness', 'sim/checker', 'sim/scenario'];

const DESIGN_LIBS = ['algorithms/api', 'algorithms/raft', 'algorithms/shared'];

/**
 * Who may import whom, by folder (paths from the repository root; a file
 * path such as algorithms/index.ts names one file). `types` lists what a
 * folder may import with `import type` only. Every folder under sim/ and
 * algorithms/ must appear here (test/lint-arrows.test.ts checks it).
 */
export const ARROWS = {
  'algorithms/api': { allow: [] },
  'algorithms/raft': { allow: ['algorithms/api'] },
  'algorithms/shared': { allow: ['algorithms/api', 'algorithms/raft'] },
  'algorithms/redis': { allow: DESIGN_LIBS },
  'algorithms/redlock': { allow: DESIGN_LIBS },
  'algorithms/raft-lock': { allow: DESIGN_LIBS },
  'algorithms/zookeeper': { allow: DESIGN_LIBS },
  'algorithms/cas': { allow: DESIGN_LIBS },
  'sim/core': { allow: ['algorithms/api'] },
  'sim/faults': { allow: ['sim/core', 'algorithms/api'] },
  'sim/checker': { allow: [] },
  'sim/scenario': { allow: ['sim/faults', 'sim/core', 'sim/checker', 'algorithms/api'] },
  'sim/harness': { allow: ['sim/core', 'sim/faults', 'sim/checker', 'sim/scenario', 'algorithms/api'] },
  'sim/bench': { allow: ['sim/harness', 'sim/core', 'sim/checker', 'sim/scenario', 'sim/suite', 'sim/fuzz', 'algorithms/api'] },
  // The suite runner: threads and wall time (exempt from DETERMINISTIC, like the CLI and bench); the registry is passed in.
  'sim/suite': { allow: ['sim/harness', 'sim/core', 'sim/checker', 'sim/scenario', 'algorithms/api'] },
  // The parallel checker: worker threads and wall time around the checker (exempt from DETERMINISTIC).
  'sim/check-parallel': { allow: ['sim/checker'] },
  // The fuzzer: fast-check over scenarios, a tinypool of worker threads and wall time for --time and the benchmark (exempt from DETERMINISTIC); each run is a pure function of (seed, design, run index).
  'sim/fuzz': { allow: ['sim/harness', 'sim/core', 'sim/faults', 'sim/checker', 'sim/scenario', 'algorithms/api'] },
  // Live mode: real processes, sockets and wall time against real servers (exempt from DETERMINISTIC); the registry is passed in.
  'sim/live': { allow: ['sim/harness', 'sim/core', 'sim/faults', 'sim/checker', 'sim/scenario', 'algorithms/api'] },
  'sim/cli': { allow: ['sim', 'algorithms/index.ts', 'algorithms/api', 'reports'] },
  reports: { allow: [], types: ['sim/harness', 'sim/checker', 'sim/faults', 'sim/scenario', 'sim/suite', 'sim/live', 'algorithms/api'] },
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The `no-restricted-imports` patterns for files `depth` folders below
 * `folder`: a relative import that climbs out of `folder` is refused unless it
 * lands in one of `allowed` (repository paths). Package imports are untouched.
 */
function climbPatterns(folder, depth, allowed, message, allowTypeImports = false) {
  const parts = folder.split('/');
  const patterns = [];
  // Climbing `up` levels from a file `depth` folders below `folder` leaves `folder` when up > depth.
  for (let up = depth + 1; up <= depth + parts.length; up++) {
    const base = parts.slice(0, parts.length - (up - depth)).join('/');
    const prefix = base === '' ? '' : `${base}/`;
    // An allowed folder that holds `base` allows everything this climb can reach.
    if (allowed.some((a) => base === a || base.startsWith(`${a}/`))) continue;
    // What may follow the climb: allowed paths under `base`, relative to it.
    const rests = allowed.filter((a) => base === '' || a.startsWith(prefix)).map((a) => a.slice(prefix.length));
    const ok = rests.map((r) => (r.endsWith('.ts') ? `${escape(r)}$` : `${escape(r)}/`));
    // `\.\./` in the lookahead: a longer climb is the next pattern's business.
    const lookahead = `(?!${['\\.\\./', ...ok].join('|')})`;
    patterns.push({ regex: `^(\\.\\./){${up}}${lookahead}`, message, ...(allowTypeImports ? { allowTypeImports: true } : {}) });
  }
  // Climbing above the repository root.
  patterns.push({ regex: `^(\\.\\./){${depth + parts.length + 1},}`, message });
  return patterns;
}

/** One config block per depth below `folder`, confining its imports per ARROWS. */
function arrowConfigs(folder, { allow, types = [] }) {
  const message = `${folder} may import only ${[folder, ...allow].join(', ')}${types.length === 0 ? '' : ` (and types from ${types.join(', ')})`} (README: Architecture)`;
  const self = [folder, ...allow];
  return [0, 1, 2, 3].map((depth) => ({
    files: [`${folder}/${'*/'.repeat(depth)}*.ts`],
    rules: {
      // Values and types alike: only from inside, the allowed folders and `types`.
      'no-restricted-imports': ['error', { patterns: climbPatterns(folder, depth, [...self, ...types], message) }],
      // Values only from inside and the allowed folders (typescript-eslint's rule lets `import type` through).
      ...(types.length === 0
        ? {}
        : { '@typescript-eslint/no-restricted-imports': ['error', { patterns: climbPatterns(folder, depth, self, `${message}: use \`import type\``, true) }] }),
    },
  }));
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'coverage/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...Object.entries(ARROWS).flatMap(([folder, arrows]) => arrowConfigs(folder, arrows)),
  {
    // The registry may import every design, and nothing outside algorithms/.
    files: ['algorithms/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: climbPatterns('algorithms', 0, ['algorithms'], 'algorithms/index.ts may import only algorithms/') }],
    },
  },
  {
    files: DETERMINISTIC.map((folder) => `${folder}/**/*.ts`),
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: `Math.random ${ambient}` },
        { object: 'Date', property: 'now', message: `Date.now ${ambient}` },
        { object: 'performance', property: 'now', message: `performance.now ${ambient}` },
        { object: 'crypto', message: `crypto ${ambient}` },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'performance', 'crypto', 'Date'].map(
          (name) => ({ name, message: `${name} ${ambient}` }),
        ),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[source.value=/^(node:)?(crypto|timers|timers\\u002Fpromises|perf_hooks|worker_threads)$/]", message: `this module ${ambient}` },
        { selector: "ImportExpression", message: `dynamic import() hides an arrow from the lint; import statically (README: Architecture)` },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
