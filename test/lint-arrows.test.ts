/**
 * The lint draws the architecture: each folder may import only what
 * eslint.config.js's ARROWS allow, and the deterministic folders may not
 * touch ambient time, randomness or timers. These tests lint small snippets
 * as if they lived in a folder and assert the rule fires (or stays quiet),
 * so a rule that silently stopped matching fails here.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/** What eslint.config.js exports besides the config (it is plain JS, so typed here). */
const { ARROWS, DETERMINISTIC } = (await import(new URL('../eslint.config.js', import.meta.url).href)) as {
  ARROWS: Record<string, { allow: string[]; types?: string[] }>;
  DETERMINISTIC: string[];
};

const root = fileURLToPath(new URL('..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The rule ids that fire on `code` placed at `file` (a repository path). */
async function rulesFired(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

/** Either arrow rule: `no-restricted-imports` (values and types) or typescript-eslint's (values only). */
const ARROW_RULES = ['no-restricted-imports', '@typescript-eslint/no-restricted-imports'];
const arrowFired = (fired: string[]): boolean => fired.some((rule) => ARROW_RULES.includes(rule));

describe('arrows run one way', () => {
  it.each([
    ['a design importing the simulator', 'algorithms/redis/bad.ts', "import { Simulation } from '../../sim/core/engine.ts';\nexport { Simulation };"],
    ['a design importing another design', 'algorithms/redlock/bad.ts', "import { redis } from '../redis/index.ts';\nexport { redis };"],
    ['a design importing the registry', 'algorithms/cas/bad.ts', "import { DESIGNS } from '../index.ts';\nexport { DESIGNS };"],
    ['the shared Redis model importing a design', 'algorithms/shared/redis/bad.ts', "import { redis } from '../../redis/index.ts';\nexport { redis };"],
    ['the designs\' API importing anything else', 'algorithms/api/bad.ts', "import type { Raft } from '../raft/core.ts';\nexport type { Raft };"],
    ['the checker importing the harness', 'sim/checker/bad.ts', "import { Recorder } from '../harness/recorder.ts';\nexport { Recorder };"],
    ['the checker importing the scenario folder, from deep inside', 'sim/checker/linearizability/models/bad.ts', "import { InputError } from '../../../scenario/errors.ts';\nexport { InputError };"],
    ['the core importing the harness', 'sim/core/bad.ts', "import { Recorder } from '../harness/recorder.ts';\nexport { Recorder };"],
    ['the harness importing the CLI', 'sim/harness/bad.ts', "import { main } from '../cli/main.ts';\nexport { main };"],
    ['the harness importing the design registry', 'sim/harness/bad.ts', "import { DESIGNS } from '../../algorithms/index.ts';\nexport { DESIGNS };"],
    ['the scenario loader importing the design registry', 'sim/scenario/bad.ts', "import { DESIGNS } from '../../algorithms/index.ts';\nexport { DESIGNS };"],
    ['reports importing a value from the harness', 'reports/bad.ts', "import { runScenario } from '../sim/harness/runner.ts';\nexport { runScenario };"],
    ['reports importing the CLI', 'reports/bad.ts', "import type { CliIo } from '../sim/cli/io.ts';\nexport type { CliIo };"],
  ])('refuses %s', async (_what, file, code) => {
    expect(arrowFired(await rulesFired(file, code))).toBe(true);
  });

  it.each([
    ['a design importing the API, Raft and the shared Redis model', 'algorithms/redlock/ok.ts', "import type { NodeApi } from '../api/index.ts';\nimport type { RaftNode } from '../raft/core.ts';\nimport { createRedisServer } from '../shared/redis/server.ts';\nexport type { NodeApi, RaftNode };\nexport { createRedisServer };"],
    ['the checker importing itself', 'sim/checker/linearizability/ok.ts', "import { HistoryError } from '../errors.ts';\nexport { HistoryError };"],
    ['the harness importing core, checker and the API', 'sim/harness/ok.ts', "import { Simulation } from '../core/engine.ts';\nimport { checkFencing } from '../checker/fencing.ts';\nimport type { Design } from '../../algorithms/api/index.ts';\nexport type { Design };\nexport { Simulation, checkFencing };"],
    ['reports importing result types', 'reports/ok.ts', "import type { RunResult } from '../sim/harness/result.ts';\nexport type { RunResult };"],
    ['the CLI importing the registry and reports', 'sim/cli/ok.ts', "import { DESIGNS } from '../../algorithms/index.ts';\nimport { renderRun } from '../../reports/render-run.ts';\nexport { DESIGNS, renderRun };"],
  ])('allows %s', async (_what, file, code) => {
    expect(arrowFired(await rulesFired(file, code))).toBe(false);
  });

  it('every folder under sim/ and algorithms/ has its arrows declared', () => {
    const folders = ['sim', 'algorithms'].flatMap((top) =>
      readdirSync(path.join(root, top))
        .filter((entry) => statSync(path.join(root, top, entry)).isDirectory())
        .map((entry) => `${top}/${entry}`),
    );
    expect(folders.filter((folder) => !(folder in ARROWS))).toEqual([]);
  });
});

describe('the seed decides everything', () => {
  it.each(DETERMINISTIC.map((folder) => [folder]))('%s may not read ambient time or randomness', async (folder) => {
    const fired = await rulesFired(`${folder}/bad.ts`, 'export const t = Date.now() + Math.random();\nexport const id = setTimeout(() => {}, 1);');
    expect(fired.filter((r) => r === 'no-restricted-properties').length).toBe(2);
    expect(fired).toContain('no-restricted-globals');
  });

  it('nor import node:crypto or timers', async () => {
    expect(await rulesFired('sim/harness/bad.ts', "import { randomBytes } from 'node:crypto';\nexport { randomBytes };")).toContain('no-restricted-syntax');
  });

  it('the CLI and the benchmarks may measure wall time', async () => {
    for (const folder of ['sim/cli', 'sim/bench']) {
      const fired = await rulesFired(`${folder}/ok.ts`, 'export const t = performance.now() + Date.now();');
      expect(fired).not.toContain('no-restricted-properties');
      expect(fired).not.toContain('no-restricted-globals');
    }
  });
});
