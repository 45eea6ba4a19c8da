// ESLint: typescript-eslint's recommended rules everywhere, plus the rule that
// keeps the simulated world deterministic: no ambient time, randomness, timers
// or crypto in sim/ and algorithms/ (the seed must decide everything). The CLI
// (sim/cli/) measures real time for `bench` and is exempt.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ambient = 'is ambient non-determinism: the seed must decide everything (use the node API or the simulator)';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'coverage/**'] },
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
  {
    files: ['sim/**/*.ts', 'algorithms/**/*.ts'],
    ignores: ['sim/cli/**'],
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
      'no-restricted-imports': [
        'error',
        {
          paths: ['crypto', 'node:crypto', 'timers', 'node:timers', 'timers/promises', 'node:timers/promises', 'perf_hooks', 'node:perf_hooks'].map(
            (name) => ({ name, message: `${name} ${ambient}` }),
          ),
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
