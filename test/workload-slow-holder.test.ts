/**
 * A holder does not stop working because its lease ran out (issue 9 item
 * 2): the Redis and Redlock clients only know a validity, nothing preempts
 * the work, and only `checkBeforeWrite` consults the clock, just before the
 * write. A 12 s hold on a 10 s TTL breaks mutual exclusion for both; a store
 * that fences reads and writes keeps Redis's resource; Redlock, with no
 * tokens, loses an update unless the client checks before writing. Other
 * designs keep the loss signals their libraries really give.
 */
import { describe, expect, it } from 'vitest';
import { runTraced as run, traceSeconds } from './support/designs.ts';

const S = 1_000_000;

const atS = traceSeconds;

/** The trace notes where `client` stopped holding. */
const stops = (trace: readonly string[], client: string): string[] => trace.filter((l) => l.includes(`${client} # stops holding`));

describe('redis-slow-holder: 12 s of work on a 10 s TTL, fenced reads and writes', () => {
  const { result, trace } = run('scenarios/redis-slow-holder.json');

  it('meets its expectations: two holders, the store stays safe', () => {
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.checks.mutualExclusion?.ok).toBe(false);
    expect(result.checks.resource?.ok).toBe(true);
    expect(result.checks.fencing?.ok).toBe(true);
    expect(result.checks.linearizable?.ok).toBe(true);
  });

  it('c1 works its full 12 s and writes; the store, not a timer, tells it the lock was gone', () => {
    const first = stops(trace, 'c1')[0];
    expect(atS(first)).toBeGreaterThan(12);
    expect(first).toMatch(/gave up: store rejected token 1/);
    expect(trace.some((l) => /# stops holding: lost/.test(l))).toBe(false);
    expect(result.metrics.staleTokensRejected).toBeGreaterThan(0);
    const overlap = result.checks.mutualExclusion?.violations?.[0];
    expect(overlap?.at).toBeGreaterThan(10 * S);
    expect(overlap?.at).toBeLessThan(12 * S);
  });
});

describe('redlock-slow-holder: the same on Redlock, no tokens, no fencing', () => {
  const { result, trace } = run('scenarios/redlock-slow-holder.json');

  it('meets its expectations: two holders and a lost update', () => {
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.checks.mutualExclusion?.ok).toBe(false);
    expect(result.checks.resource?.ok).toBe(false);
    expect(result.checks.linearizable?.ok).toBe(true);
  });

  it('c1 writes after its validity ran out, and c2’s write (based on the value it read before) overwrites it', () => {
    const lostUpdate = result.checks.resource?.violations?.[0];
    expect(lostUpdate?.nodes).toEqual(['c2', 'c1']);
    expect(stops(trace, 'c1')[0]).toMatch(/stops holding: released/);
    expect(atS(stops(trace, 'c1')[0])).toBeGreaterThan(12);
  });
});

describe('redlock-slow-holder-check-before-write: the one place the client consults its clock', () => {
  const { result, trace } = run('scenarios/redlock-slow-holder-check-before-write.json');

  it('meets its expectations: still two holders, but no lost update', () => {
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.checks.mutualExclusion?.ok).toBe(false);
    expect(result.checks.resource?.ok).toBe(true);
  });

  it('each holder gives its section up just before writing, after the full hold', () => {
    const first = stops(trace, 'c1')[0];
    expect(first).toMatch(/checkBeforeWrite: lock no longer valid by own clock/);
    expect(atS(first)).toBeGreaterThan(12);
    expect(result.metrics.sections).toBe(0);
  });
});

describe('other designs keep their libraries’ real loss signals', () => {
  it('zookeeper with onSuspended "stop": the cut holder gives the lock up when Disconnected (Curator SUSPENDED)', () => {
    const { result, trace } = run('scenarios/zookeeper-holder-cut-stop.json');
    expect(result.expect.met).toBe(true);
    expect(trace.some((l) => /# stops holding: lost: suspended/.test(l))).toBe(true);
  });
});
