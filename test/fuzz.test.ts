/**
 * The fuzzer as a library (sim/fuzz): every drawn run is a valid SPEC §3
 * scenario, runs are pure functions of (seed, design, index), Redlock's
 * mutualExclusion breaks within 2,000 runs and shrinks to at most 2 faults,
 * the Raft lock with the store fencing reads and writes never loses an
 * update in 2,000 runs, a finding's scenario reproduces its violation with
 * the same traceHash, and the replay token round-trips.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, decodeToken, drawScenario, fuzzRun, localExecutor, runFuzz, shrinkRun, type FuzzConfig } from '../sim/fuzz/index.ts';
import { InputError } from '../sim/scenario/errors.ts';
import { DESIGNS, parseScenario, runDesign } from './support/designs.ts';

const config = (over: Partial<FuzzConfig> = {}): FuzzConfig => ({ ...DEFAULT_CONFIG, seed: 1, ...over });

describe('arbitraries', () => {
  it('every drawn run of every design is a valid scenario, with faults of every kind', () => {
    const kinds = new Set<string>();
    for (const design of DESIGNS.names) {
      for (let i = 0; i < 60; i++) {
        const raw = drawScenario(DESIGNS, config({ seed: 11 }), design, i);
        const scenario = parseScenario(raw, `draw-${design}-${i}`);
        expect(scenario.designs).toEqual([design]);
        expect(scenario.faults.length).toBeLessThanOrEqual(DEFAULT_CONFIG.maxFaults);
        for (const f of scenario.faults) kinds.add(f.kind);
      }
    }
    expect([...kinds].sort()).toEqual(['clock-drift', 'clock-jump', 'crash', 'heal', 'network', 'partition', 'pause']);
  });

  it('a run is a pure function of (seed, design, index)', () => {
    expect(drawScenario(DESIGNS, config({ seed: 5 }), 'redis', 17)).toEqual(drawScenario(DESIGNS, config({ seed: 5 }), 'redis', 17));
    expect(drawScenario(DESIGNS, config({ seed: 5 }), 'redis', 17)).not.toEqual(drawScenario(DESIGNS, config({ seed: 6 }), 'redis', 17));
    const a = fuzzRun(DESIGNS, config(), 'redlock', 3);
    const b = fuzzRun(DESIGNS, config(), 'redlock', 3);
    expect(a).toEqual(b);
  });
});

describe('Redlock mutualExclusion', () => {
  it('breaks within 2,000 runs and shrinks to at most 2 faults; the shrunk scenario reproduces it with the same traceHash', () => {
    const cfg = config({ seed: 1, property: 'mutualExclusion' });
    let index = 0;
    while (fuzzRun(DESIGNS, cfg, 'redlock', index).failed === null) {
      index++;
      expect(index).toBeLessThan(2000);
    }
    const finding = shrinkRun(DESIGNS, cfg, 'redlock', index);
    expect(finding).toMatchObject({ design: 'redlock', property: 'mutualExclusion', run: index });
    expect((finding.scenario.faults as unknown[]).length).toBeLessThanOrEqual(2);
    expect(finding.shrinks).toBeGreaterThan(0);
    // The printed scenario is a §3 scenario `run` reproduces: same verdict, same traceHash.
    const scenario = parseScenario(JSON.parse(JSON.stringify(finding.scenario)), 'finding.json');
    const result = runDesign(scenario, 'redlock', scenario.seed);
    expect(result.checks.mutualExclusion?.ok).toBe(false);
    expect(result.traceHash).toBe(finding.traceHash);
    // The token holds the scenario, the property and the hash.
    expect(decodeToken(finding.replay)).toEqual({ property: 'mutualExclusion', traceHash: finding.traceHash, scenario: finding.scenario });
  });
});

describe('raft-lock resource with the store fencing reads and writes', () => {
  it('finds no violation in 2,000 runs (30 simulated seconds each, as `fuzz` runs them)', async () => {
    const exec = localExecutor(DESIGNS);
    const report = await runFuzz(
      { designs: ['raft-lock'], config: config({ seed: 2, property: 'resource' }), runs: 2000, shrinkPerDesign: 3, batchSize: 50, inFlight: 1 },
      exec.execute,
    );
    expect(report.runs).toBe(2000);
    expect(report.findings).toEqual([]);
    expect(report.designs['raft-lock']).toEqual({ runs: 2000, failedRuns: 0, findings: 0 });
    // The search reached the interesting places.
    expect(report.coverage.pausesOutlivedLease).toBeGreaterThan(50);
    expect(report.coverage.partitionsSplitQuorum).toBeGreaterThan(50);
    expect(report.coverage.crashesLostAckedWrite).toBeGreaterThan(10);
    expect(report.coverage.staleTokensRejected.runs).toBeGreaterThan(0);
  }, 180_000);
});

describe('replay tokens', () => {
  it('refuse what is not a token with an InputError', () => {
    for (const bad of ['ls1.', 'ls1.!!!', 'ls1.bm90IGpzb24', `ls1.${Buffer.from('{"p":1}').toString('base64url')}`]) {
      expect(() => decodeToken(bad)).toThrow(InputError);
    }
  });
});
