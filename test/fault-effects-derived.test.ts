/**
 * The fault effects derived after the run (sim/harness/fault-effects.ts) and
 * the crash's acknowledged-write count (sim/faults/crash.ts): each fires in a
 * scenario built to hit it and stays 0 in a near twin that misses it. The
 * golden hashes (test/golden-hashes.test.ts) pin that none of this changes
 * a run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FaultReport } from '../sim/harness/result.ts';
import { loadScenarioFile, parseScenario, runScenario } from './support/designs.ts';

const file = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.json`, import.meta.url));

function faultsOf(name: string, edit: (raw: Record<string, unknown>) => void = () => {}): readonly FaultReport[] {
  const raw = JSON.parse(readFileSync(file(name), 'utf8')) as Record<string, unknown>;
  edit(raw);
  return runScenario(parseScenario(raw, name)).results[0].faults;
}

describe('derived fault effects', () => {
  it('pause: the holder paused past its lease counts leaseExpiredWhilePaused; a short pause does not', () => {
    const [long] = faultsOf('redis-release-del');
    expect(long.effect.leaseExpiredWhilePaused).toBe(1);
    const [short] = faultsOf('redis-release-del', (raw) => {
      (raw.faults as Array<Record<string, unknown>>)[0].duration = '2s';
    });
    expect(short.effect.pausedMs).toBe(2000);
    expect(short.effect.leaseExpiredWhilePaused).toBe(0);
  });

  it('clock-jump: a wall-clock expiry jumped past the TTL counts heldLockExpiredByJump; a monotonic expiry does not', () => {
    const wall = faultsOf('redlock-clock-jump')[1];
    expect(wall.kind).toBe('clock-jump');
    expect(wall.effect.heldLockExpiredByJump).toBe(1);
    const monotonic = faultsOf('redlock-clock-jump-monotonic')[1];
    expect(monotonic.effect.wallJumpedMs).toBe(20_000);
    expect(monotonic.effect.heldLockExpiredByJump).toBe(0);
    const backward = faultsOf('redlock-clock-jump', (raw) => {
      (raw.faults as Array<Record<string, unknown>>)[1].by = '-20s';
    })[1];
    expect(backward.effect.heldLockExpiredByJump).toBe(0);
  });

  it('crash: ackedWritesLost counts only lost writes made before an acknowledged outcome', () => {
    const none = runScenario(loadScenarioFile(file('servers-crash-durable-none')), { designs: ['raft-lock'] }).results[0].faults[0];
    expect(none.effect.ackedWritesLost).toBeGreaterThan(0);
    expect(none.effect.ackedWritesLost).toBeLessThan(none.effect.writesLost);
    // A leader crash that loses one write nobody was told of yet: lost, not acknowledged.
    const leader = runScenario(loadScenarioFile(file('raft-leader-crash'))).results[0].faults[0];
    expect(leader.effect.writesLost).toBe(1);
    expect(leader.effect.ackedWritesLost).toBe(0);
    const all = runScenario(loadScenarioFile(file('servers-crash-durable-all'))).results.map((r) => r.faults[0].effect);
    for (const effect of all) expect(effect.ackedWritesLost ?? 0).toBe(0);
  });
});
