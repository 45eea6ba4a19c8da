import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toyRun } from './support/print-hash.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('the seed is the replay', () => {
  it('same scenario and seed give the same traceHash twice in one process', () => {
    const a = toyRun(42);
    const b = toyRun(42);
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.events).toBe(b.events);
    expect(a).toEqual(b);
  });

  it('and in another process', () => {
    const here = toyRun(42);
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/print-hash.ts'), '42'], { cwd: root, encoding: 'utf8' });
    expect(out.trim()).toBe(`${here.traceHash} ${here.events}`);
  });

  it('different seeds give different traces', () => {
    const hashes = new Set([1, 2, 3, 4, 5].map((seed) => toyRun(seed).traceHash));
    expect(hashes.size).toBe(5);
  });
});

describe('real designs', () => {
  it('a built-in scenario gives the same traceHash per design in this process and through the CLI in another', async () => {
    const { loadScenarioFile, runScenario } = await import('./support/designs.ts');
    for (const name of ['redlock-clock-jump', 'raft-leader-crash']) {
      const here = runScenario(loadScenarioFile(name));
      const again = runScenario(loadScenarioFile(name));
      expect(again.results.map((r) => r.traceHash)).toEqual(here.results.map((r) => r.traceHash));
      const out = execFileSync(process.execPath, [path.join(root, 'bin/locksim.js'), 'run', name, '--json'], { cwd: root, encoding: 'utf8' });
      const there = JSON.parse(out) as { results: Array<{ design: string; traceHash: string; events: number }> };
      expect(there.results.map((r) => [r.design, r.traceHash, r.events])).toEqual(here.results.map((r) => [r.design, r.traceHash, r.events]));
      const other = runScenario(loadScenarioFile(name), { seed: 99 });
      expect(other.results[0].traceHash).not.toBe(here.results[0].traceHash);
    }
  });
});

describe('memory', () => {
  it('the event queue stays flat over a 10-minute simulated Redlock run', async () => {
    const { parseScenario, runScenario } = await import('./support/designs.ts');
    const run = (duration: string) =>
      runScenario(
        parseScenario(
          { name: 'long', duration, designs: ['redlock'], workload: { clients: 3, sections: 1_000_000, hold: '100ms', think: '50ms' } },
          'memory',
        ),
      ).results[0];
    const short = run('60s');
    const long = run('10m');
    expect(long.events).toBeGreaterThan(8 * short.events);
    expect(long.metrics.queuePeak).toBeLessThanOrEqual(short.metrics.queuePeak! * 1.5);
  });
});
