/**
 * SPEC §3 "Start": the workload and every `at` time start once the service
 * is ready (a leader elected and an entry committed), as Jepsen sets up the
 * cluster before the clients; `coldStart: true` starts everything at true
 * time 0. Designs that serve from boot (redis, redlock, cas without sync
 * replication) are ready at once, so the choice does not change them.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, runScenario } from './support/designs.ts';

function run(design: string, coldStart: boolean, extra: Record<string, unknown> = {}) {
  const scenario = parseScenario(
    {
      name: 'start',
      seed: 3,
      coldStart,
      duration: '10s',
      designs: [design],
      workload: { clients: 3, sections: 5, hold: '200ms', think: '100ms' },
      faults: [{ at: '2s', kind: 'pause', target: 'c1', duration: '100ms' }],
      ...extra,
    },
    'start',
  );
  const beliefs: number[] = [];
  const result = runScenario(scenario, {
    trace: (line) => {
      if (/ c\d # holds the lock/.test(line)) beliefs.push(Math.round(parseFloat(line) * 1e6));
    },
  }).results[0];
  return { result, firstHoldUs: Math.min(...beliefs) };
}

describe('warm start', () => {
  it.each([['raft-lock'], ['zookeeper']])('%s: clients, `at` faults and the run length count from the moment the service is ready', (design) => {
    const { result, firstHoldUs } = run(design, false);
    const readyUs = result.metrics.readyMs! * 1000;
    expect(readyUs).toBeGreaterThan(100_000); // the bootstrap election takes a few hundred ms
    expect(firstHoldUs).toBeGreaterThan(readyUs);
    expect(result.faults[0].firedAt).toBe(Math.round(readyUs) + 2_000_000);
    expect(result.simulatedUs).toBe(Math.round(readyUs) + 10_000_000);
    expect(result.metrics.elections).toBe(0); // the bootstrap election is not the thing under test
    expect(result.metrics.leaderlessMs).toBe(0);
  });

  it.each([['raft-lock'], ['zookeeper']])('%s with coldStart: everything from true time 0, bootstrap included', (design) => {
    const { result } = run(design, true);
    expect(result.metrics.readyMs).toBe(0);
    expect(result.faults[0].firedAt).toBe(2_000_000);
    expect(result.simulatedUs).toBe(10_000_000);
    expect(result.metrics.elections).toBeGreaterThanOrEqual(1);
    expect(result.metrics.leaderlessMs).toBeGreaterThan(0);
  });

  it('cas with sync replication waits for its Raft leader; without it, it serves at once', () => {
    expect(run('cas', false, { config: { cas: { servers: 3, replication: 'sync' } } }).result.metrics.readyMs).toBeGreaterThan(0);
    expect(run('cas', false).result.metrics.readyMs).toBe(0);
  });

  it.each([['redis'], ['redlock']])('%s serves from boot: warm and cold start are the same run', (design) => {
    const warm = run(design, false).result;
    const cold = run(design, true).result;
    expect(warm.metrics.readyMs).toBe(0);
    expect(warm.traceHash).toBe(cold.traceHash);
    expect(warm.faults[0].firedAt).toBe(2_000_000);
  });
});

describe('the raft-warm-start / raft-cold-start twins', () => {
  it('warm: ready after the bootstrap, the crash 5 s later, one election (the re-election); cold: the bootstrap shows', async () => {
    const { loadScenarioFile } = await import('./support/designs.ts');
    const warm = runScenario(loadScenarioFile('raft-warm-start')).results[0];
    const cold = runScenario(loadScenarioFile('raft-cold-start')).results[0];
    const readyUs = Math.round(warm.metrics.readyMs! * 1000);
    expect(readyUs).toBeGreaterThan(0);
    expect(warm.faults[0].firedAt).toBe(readyUs + 5_000_000);
    expect(warm.metrics.elections).toBe(1);
    expect(cold.metrics.readyMs).toBe(0);
    expect(cold.faults[0].firedAt).toBe(5_000_000);
    expect(cold.metrics.elections).toBe(2);
    expect(cold.metrics.acquireP99Ms!).toBeGreaterThan(warm.metrics.acquireP50Ms!);
    for (const r of [warm, cold]) expect(r.safe).toBe(true);
  });
});
