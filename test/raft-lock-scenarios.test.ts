/**
 * The raft-lock scenario files under scenarios/ (loaded with the real
 * loader, run with the real runner): each file's `expect` block holds, and
 * the run shows the mechanism the file is about (FIFO grants, re-elections,
 * session expiry, fenced stale writes, renewals by a deposed leader).
 */
import { describe, expect, it } from 'vitest';
import type { NodeEventKind } from '../algorithms/api/index.ts';
import type { DesignResult } from '../sim/harness/result.ts';
import { runScenario } from './support/designs.ts';
import { loadScenarioFile } from './support/designs.ts';

interface Seen {
  readonly atUs: number;
  readonly node: string;
  readonly event: NodeEventKind;
  readonly detail: Readonly<Record<string, unknown>> | undefined;
}

function run(file: string, seed?: number): { result: DesignResult; emits: Seen[]; notes: string[] } {
  const emits: Seen[] = [];
  const notes: string[] = [];
  const scenario = loadScenarioFile(`scenarios/${file}`);
  const outcome = runScenario(scenario, {
    designs: ['raft-lock'],
    ...(seed === undefined ? {} : { seed }),
    onEmit: (atUs, node, { kind: event, ...detail }) => {
      if (event !== 'committed') emits.push({ atUs, node, event, detail });
    },
    trace: (line) => {
      if (line.includes(' # lock: ')) notes.push(line.slice(line.indexOf(' # lock: ') + 9));
    },
  });
  expect(outcome.results).toHaveLength(1);
  return { result: outcome.results[0], emits, notes };
}

function verdicts(result: DesignResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.checks).map(([name, check]) => [name, check?.ok]));
}

describe('raft-lock scenarios', () => {
  it('raft-no-faults: safe on every check, tokens strictly increase, waiters are granted FIFO', () => {
    const { result, emits, notes } = run('raft-no-faults.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: true, fencing: true, resource: true, linearizable: true });
    expect(result.safe).toBe(true);
    expect(result.metrics.sections).toBe(30);
    expect(result.metrics.failedAcquires).toBe(0);

    const tokens = emits.filter((e) => e.event === 'granted').map((e) => e.detail!.token as number);
    expect(tokens).toHaveLength(30);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);

    // Replay the leader's queue notes: every grant to a waiter goes to the head of the queue.
    const queue: string[] = [];
    let waitersGranted = 0;
    for (const note of notes) {
      const [kind, client, , session] = note.split(' ');
      if (kind === 'queued') queue.push(session);
      else if (kind === 'granted' && queue.includes(session)) {
        expect({ granted: client, head: queue[0] === session }).toEqual({ granted: client, head: true });
        queue.shift();
        waitersGranted++;
      }
    }
    expect(waitersGranted).toBeGreaterThan(15); // the clients really contended
  });

  it('raft-leader-crash: two leader crashes under load; new leaders are elected and every check holds', () => {
    const { result, emits } = run('raft-leader-crash.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(true);
    const crashes = result.faults.filter((f) => f.kind === 'crash');
    expect(crashes).toHaveLength(2);
    const elected = emits.filter((e) => e.event === 'elected');
    for (const crash of crashes) {
      // the crashed node was the leader when the fault fired, and someone else was elected after
      const before = elected.filter((e) => e.atUs <= crash.firedAt!).pop();
      expect(crash.targets).toEqual([before!.node]);
      expect(elected.some((e) => e.atUs > crash.firedAt! && e.node !== crash.targets[0])).toBe(true);
    }
    expect(result.metrics.sections).toBe(45);
  });

  it('raft-leader-isolated: the isolated leader steps down, the cut-off holder loses its lease before anyone else is granted', () => {
    const { result, emits } = run('raft-leader-isolated.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(true);
    const partitions = result.faults.filter((f) => f.kind === 'partition');
    expect(partitions.map((p) => p.firedAt !== null && (p.effect.messagesDropped ?? 0) > 0)).toEqual([true, true]);
    // both isolated leaders stepped down (CheckQuorum) while cut off
    const stepped = emits.filter((e) => e.event === 'stepped-down');
    expect(stepped.length).toBeGreaterThanOrEqual(2);
    // in the long partition the new leader expired c1's session (c1 held, unreachable)
    const expiredC1 = emits.filter((e) => e.event === 'expired' && e.detail!.owner === 'c1' && e.detail!.why === 'expired');
    expect(expiredC1.length).toBeGreaterThanOrEqual(1);
    expect(result.metrics.leaseExpiries).toBeGreaterThanOrEqual(1);
  });

  it('raft-gc-pause: a paused holder outlives its session (two holders), but the fenced store rejects its stale write', () => {
    const { result, emits } = run('raft-gc-pause.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, fencing: true, resource: true, linearizable: true });
    const violation = result.checks.mutualExclusion!.violations![0];
    expect([...violation.nodes].sort()).toEqual(['c1', 'c2']);
    expect(result.metrics.staleTokensRejected).toBeGreaterThanOrEqual(1);
    expect(emits.some((e) => e.event === 'expired' && e.detail!.owner === 'c1')).toBe(true);
  });

  it('raft-lease-read-drift: a deposed leader with a slow clock keeps renewing from its lease: two holders', () => {
    const { result, emits } = run('raft-lease-read-drift.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.checks.mutualExclusion!.ok).toBe(false);
    // the mechanism: renewals of c1 by the old leader after a new leader was elected
    const [first, second] = emits.filter((e) => e.event === 'elected');
    expect(second).toBeDefined();
    const staleRenewals = emits.filter((e) => e.event === 'renewed' && e.node === first.node && e.atUs > second.atUs && e.detail!.owner === 'c1');
    expect(staleRenewals.length).toBeGreaterThan(0);
  });

  it('raft-read-index-drift: the same faults with ReadIndex renewals stay safe', () => {
    const { result, emits } = run('raft-read-index-drift.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(true);
    const [first, second] = emits.filter((e) => e.event === 'elected');
    expect(emits.filter((e) => e.event === 'renewed' && e.node === first.node && e.atUs > second.atUs)).toEqual([]);
    // c2 was still granted after c1's session expired: the run did reach the dangerous moment
    expect(emits.some((e) => e.event === 'granted' && e.detail!.client === 'c2' && e.atUs > second.atUs)).toBe(true);
  });

  it('the drift outcome does not hinge on one seed', () => {
    for (const seed of [2, 3, 4]) {
      expect(run('raft-lease-read-drift.json', seed).result.checks.mutualExclusion!.ok).toBe(false);
      expect(run('raft-read-index-drift.json', seed).result.checks.mutualExclusion!.ok).toBe(true);
    }
  });

  it('is deterministic: same scenario and seed, same trace hash', () => {
    const a = run('raft-leader-crash.json').result.traceHash;
    const b = run('raft-leader-crash.json').result.traceHash;
    expect(a).toBe(b);
  });
});
