/**
 * The `cas` design through its scenario files: contention with retries, a
 * client paused between its read and its write, and an acknowledged write
 * lost by an asynchronous failover that synchronous (Raft) replication
 * survives.
 */
import { describe, expect, it } from 'vitest';
import type { NodeEventKind } from '../algorithms/api/index.ts';
import type { DesignResult } from '../sim/harness/result.ts';
import { type RunOptions } from '../sim/harness/runner.ts';
import { runScenario } from './support/designs.ts';
import { loadScenarioFile } from './support/designs.ts';

const S = 1_000_000;
const MS = 1_000;

interface Emit {
  readonly atUs: number;
  readonly node: string;
  readonly event: NodeEventKind;
  readonly detail: Readonly<Record<string, unknown>> | undefined;
}

function run(file: string, options: RunOptions = {}): { result: DesignResult; emits: Emit[] } {
  const emits: Emit[] = [];
  const scenario = loadScenarioFile(`scenarios/${file}`);
  const result = runScenario(scenario, { ...options, onEmit: (atUs, node, { kind: event, ...detail }) => void emits.push({ atUs, node, event, detail }) }).results;
  expect(result).toHaveLength(1);
  expect(result[0].design).toBe('cas');
  return { result: result[0], emits };
}

const metric = (e: Emit, name: string): boolean => e.event === 'metric' && e.detail?.name === name;

describe('cas-contention.json', () => {
  const { result } = run('cas-contention.json');

  it('meets its expectations: safe, no mutual exclusion to judge', () => {
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.checks.mutualExclusion?.ok).toBeNull();
    expect(result.checks.resource?.ok).toBe(true);
    expect(result.checks.linearizable?.ok).toBe(true);
    expect(result.safe).toBe(true);
  });

  it('refuses conditional writes under contention, and the retries complete every section', () => {
    expect(result.metrics.casRefused).toBeGreaterThanOrEqual(10);
    expect(result.metrics.casRetried).toBe(result.metrics.casRefused);
    expect(result.metrics.sections).toBe(50); // 5 clients × 10 sections, all written
    expect(result.checks.resource?.writes).toBe(50);
    expect(result.metrics.failedAcquires).toBe(0);
  });

  it('is deterministic', () => {
    expect(run('cas-contention.json').result.traceHash).toBe(result.traceHash);
  });
});

describe('cas-pause-between.json', () => {
  const { result, emits } = run('cas-pause-between.json');
  const pause = result.faults[0];

  it('paused c1 for 3s after its read', () => {
    expect(pause).toMatchObject({ kind: 'pause', targets: ['c1'] });
    expect(pause.firedAt).not.toBeNull();
    expect(pause.effect.pausedMs).toBe(3000);
  });

  it("refuses c1's write on resume, and c1 re-reads and succeeds", () => {
    const resumeUs = pause.firedAt! + 3 * S;
    // Others wrote while c1 was paused, so the version c1 read is stale.
    const grantsDuringPause = emits.filter((e) => e.event === 'granted' && e.atUs > pause.firedAt! && e.atUs < resumeUs);
    expect(grantsDuringPause.length).toBeGreaterThan(0);
    expect(grantsDuringPause.every((e) => e.detail?.client !== 'c1')).toBe(true);
    const refused = emits.find((e) => e.node === 'c1' && metric(e, 'casRefused') && e.atUs >= resumeUs);
    expect(refused).toBeDefined();
    expect(refused!.atUs).toBeLessThan(resumeUs + 50 * MS);
    expect(emits.some((e) => e.node === 'c1' && metric(e, 'casRetried') && e.atUs === refused!.atUs)).toBe(true);
    const nextGrant = emits.find((e) => e.event === 'granted' && e.detail?.client === 'c1' && e.atUs > refused!.atUs);
    expect(nextGrant).toBeDefined();
    expect(nextGrant!.atUs).toBeLessThan(refused!.atUs + 100 * MS);
  });

  it('stays safe', () => {
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(true);
    expect(result.metrics.sections).toBe(30);
  });
});

describe('cas-async-failover.json and cas-sync-failover.json', () => {
  const asyncRun = run('cas-async-failover.json');
  const syncRun = run('cas-sync-failover.json');

  it('are twins: the same workload and the same crash', () => {
    const a = loadScenarioFile('scenarios/cas-async-failover.json');
    const b = loadScenarioFile('scenarios/cas-sync-failover.json');
    expect(b.workload).toEqual(a.workload);
    expect(b.faults).toEqual(a.faults);
    expect(b.network).toEqual(a.network);
    expect(a.config.cas).toMatchObject({ replication: 'async' });
    expect(b.config.cas).toMatchObject({ replication: 'sync' });
  });

  it('async: the primary crashes the instant it acknowledged a write, and a replica is promoted after failoverAfter', () => {
    const { result, emits } = asyncRun;
    const crash = result.faults[0];
    expect(crash).toMatchObject({ kind: 'crash', targets: ['s1'] });
    const lastGrantByS1 = emits.filter((e) => e.event === 'granted' && e.node === 's1').pop()!;
    expect(lastGrantByS1.atUs).toBe(crash.firedAt);
    const elected = emits.find((e) => e.event === 'elected');
    expect(elected?.node).toBe('s2');
    expect(elected!.atUs - crash.firedAt!).toBeGreaterThanOrEqual(5 * S);
    // The promoted replica hands out the version s1 acknowledged again.
    expect(emits.some((e) => e.event === 'granted' && e.node === 's2' && e.detail?.token === lastGrantByS1.detail?.token)).toBe(true);
  });

  it('async: the acknowledged write is lost, and resource, linearizable and fencing all show it', () => {
    const { result } = asyncRun;
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(false);
    expect(result.checks.resource?.ok).toBe(false);
    expect(result.checks.resource?.violations?.[0].detail).toMatch(/again after .*: that acknowledged update was lost/);
    expect(result.checks.linearizable?.ok).toBe(false);
    expect(result.checks.fencing?.ok).toBe(false);
    expect(result.checks.mutualExclusion?.ok).toBeNull();
  });

  it('sync: the same crash hits the Raft leader, a new one is elected, and every check holds', () => {
    const { result, emits } = syncRun;
    const crash = result.faults[0];
    expect(crash.kind).toBe('crash');
    expect(crash.targets).toHaveLength(1);
    const leader = crash.targets[0];
    expect(emits.filter((e) => e.event === 'granted' && e.node === leader).pop()!.atUs).toBe(crash.firedAt);
    expect(emits.some((e) => e.event === 'elected' && e.node !== leader && e.atUs > crash.firedAt!)).toBe(true);
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(true);
    expect(result.metrics.sections).toBe(10);
  });
});
