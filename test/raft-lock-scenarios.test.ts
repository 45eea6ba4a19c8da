/**
 * The raft-lock scenario files under scenarios/ (loaded with the real
 * loader, run with the real runner): each file's `expect` block holds, and
 * the run shows the mechanism the file is about (FIFO grants, re-elections,
 * session expiry, fenced stale writes, renewals by a deposed leader under
 * each `reads` mode, a new leader's session extension at its first commit,
 * the client's lease from the reply's receipt, cancelling an abandoned
 * acquire without ending the session).
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

/** A trace line's true time (the line starts with seconds, 6 decimals), in µs. */
function lineUs(line: string): number {
  return Math.round(Number(line.trim().split(/\s+/)[0]) * 1e6);
}

function run(file: string, seed?: number): { result: DesignResult; emits: Seen[]; notes: string[]; lines: string[]; commits: Seen[] } {
  const emits: Seen[] = [];
  const commits: Seen[] = [];
  const notes: string[] = [];
  const lines: string[] = [];
  const scenario = loadScenarioFile(`scenarios/${file}`);
  const outcome = runScenario(scenario, {
    designs: ['raft-lock'],
    ...(seed === undefined ? {} : { seed }),
    onEmit: (atUs, node, { kind: event, ...detail }) => {
      (event === 'committed' ? commits : emits).push({ atUs, node, event, detail });
    },
    trace: (line) => {
      lines.push(line);
      if (line.includes(' # lock: ')) notes.push(line.slice(line.indexOf(' # lock: ') + 9));
    },
  });
  expect(outcome.results).toHaveLength(1);
  return { result: outcome.results[0], emits, notes, lines, commits };
}

function verdicts(result: DesignResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.checks).map(([name, check]) => [name, check?.ok]));
}

describe('raft-lock scenarios', () => {
  it('no-faults (raft-lock): safe on every check, tokens strictly increase, waiters are granted FIFO', () => {
    const { result, emits, notes } = run('no-faults.json');
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

  it('gc-pause (raft-lock): a paused holder outlives its session (two holders), but the fenced store rejects its stale write', () => {
    const { result, emits } = run('gc-pause.json');
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

  it('raft-etcd34-renew-drift: with no leadership check (etcd 3.4.0) the deposed leader renews until CheckQuorum fires on its slow clock: two holders', () => {
    const { result, emits, lines } = run('raft-etcd34-renew-drift.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, fencing: true, resource: true, linearizable: true });
    expect([...result.checks.mutualExclusion!.violations![0].nodes].sort()).toEqual(['c1', 'c2']);
    const [first, second] = emits.filter((e) => e.event === 'elected');
    expect(second.node).not.toBe(first.node);
    const partitionUs = result.faults.find((f) => f.kind === 'partition')!.firedAt!;
    // the old leader renews c1 after its successor was elected, until it steps down: CheckQuorum needs
    // electionTimeout.max (300ms) of its own clock, 3s of true time at 0.1x
    const stale = emits.filter((e) => e.event === 'renewed' && e.node === first.node && e.atUs > second.atUs && e.detail!.owner === 'c1');
    expect(stale.length).toBeGreaterThan(3);
    const steppedDown = emits.find((e) => e.event === 'stepped-down' && e.node === first.node)!;
    expect(steppedDown.atUs - partitionUs).toBeGreaterThan(2_500_000);
    expect(stale.every((e) => e.atUs < steppedDown.atUs)).toBe(true);
    // c2 was granted while c1 still believed (c1 stops only 10s after its last stale renewal)
    const c2Granted = emits.find((e) => e.event === 'granted' && e.detail!.client === 'c2')!;
    const c1Stops = lines.find((line) => line.includes(' c1 # stops holding'))!;
    expect(c2Granted.atUs).toBeGreaterThan(second.atUs);
    expect(lineUs(c1Stops)).toBeGreaterThan(c2Granted.atUs + 1_000_000);
  });

  it('the drift outcome does not hinge on one seed: lease and etcd-3.4 break, read-index holds', () => {
    for (const seed of [2, 3, 4]) {
      expect(run('raft-lease-read-drift.json', seed).result.checks.mutualExclusion!.ok).toBe(false);
      expect(run('raft-etcd34-renew-drift.json', seed).result.checks.mutualExclusion!.ok).toBe(false);
      expect(run('raft-read-index-drift.json', seed).result.checks.mutualExclusion!.ok).toBe(true);
    }
  });

  it('raft-new-leader-extends-sessions: the new leader gives sessions electionTimeout.min + TTL from its first commit (etcd Promote)', () => {
    const { result, emits, commits, notes } = run('raft-new-leader-extends-sessions.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(true);
    const crash = result.faults.find((f) => f.kind === 'crash' && f.targets[0] !== 'c1')!;
    const elected = emits.find((e) => e.event === 'elected' && e.atUs > crash.firedAt!)!;
    // its first commit: the first entry of its own term it applies
    const firstCommit = commits.find((c) => c.node === elected.node && c.atUs >= elected.atUs && c.detail!.term === elected.detail!.term)!;
    expect(firstCommit.atUs).toBeGreaterThan(elected.atUs);
    expect(notes.some((n) => n.startsWith('promoted at first commit'))).toBe(true);
    const expired = emits.find((e) => e.event === 'expired' && e.detail!.owner === 'c1')!;
    expect(expired.node).toBe(elected.node);
    const extendUs = 150_000 + 10_000_000; // electionTimeout.min + sessionTtl
    // not before the extension from the first commit ran out (the role change + TTL would be ~150ms earlier) …
    expect(expired.atUs).toBeGreaterThanOrEqual(firstCommit.atUs + extendUs);
    expect(expired.atUs).toBeGreaterThan(elected.atUs + extendUs);
    // … and at the next session sweep (every heartbeat) plus the expire entry's commit
    expect(expired.atUs).toBeLessThan(firstCommit.atUs + extendUs + 50_000 + 20_000);
    // c2 is granted by that same expire entry
    const c2 = emits.find((e) => e.event === 'granted' && e.detail!.client === 'c2')!;
    expect(c2.atUs).toBe(expired.atUs);
  });

  it("raft-keepalive-receipt: the client's lease runs sessionTtl from the reply's receipt, later than the leader's deadline", () => {
    const { result, emits, lines } = run('raft-keepalive-receipt.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, fencing: true, resource: true, linearizable: true });
    const lost = lines.find((line) => line.includes(' c1 # stops holding: lost: session lease ran out by own clock'))!;
    const lostUs = lineUs(lost);
    const aliveReplies = lines.filter((line) => / c1 <- s\d+ lock\.reply .*"alive"/.test(line) && lineUs(line) < lostUs);
    const receiptUs = lineUs(aliveReplies[aliveReplies.length - 1]);
    expect(lostUs - receiptUs).toBe(10_000_000);
    // the leader renewed when it answered, a slowed transit (≥ 100ms) before the receipt, and expired from there
    const renewal = emits.filter((e) => e.event === 'renewed' && e.detail!.owner === 'c1' && e.atUs < receiptUs).pop()!;
    expect(receiptUs - renewal.atUs).toBeGreaterThanOrEqual(100_000);
    const expired = emits.find((e) => e.event === 'expired' && e.detail!.owner === 'c1')!;
    expect(expired.atUs).toBeGreaterThanOrEqual(renewal.atUs + 10_000_000);
    const c2 = emits.find((e) => e.event === 'granted' && e.detail!.client === 'c2')!;
    expect(c2.atUs).toBeLessThan(lostUs); // the overlap the receipt-based lease allows
    const violation = result.checks.mutualExclusion!.violations![0];
    expect([...violation.nodes].sort()).toEqual(['c1', 'c2']);
  });

  it('raft-acquire-timeout-cancel: a timed-out acquire cancels its own request; every client keeps one session', () => {
    const { result, emits, lines } = run('raft-acquire-timeout-cancel.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(true);
    expect(result.metrics.failedAcquires).toBeGreaterThan(10);
    const sessions = new Map<string, Set<string>>();
    for (const line of lines) {
      const m = / <- (c\d+) lock\.request .*op=open session=(\S+)/.exec(line);
      if (m !== null) (sessions.get(m[1]) ?? sessions.set(m[1], new Set()).get(m[1])!).add(m[2]);
    }
    expect([...sessions.keys()].sort()).toEqual(['c1', 'c2', 'c3']);
    for (const ids of sessions.values()) expect(ids.size).toBe(1);
    expect(lines.some((line) => line.includes('op=close'))).toBe(false);
    expect(lines.filter((line) => / <- c\d+ lock\.request .*op=cancel/.test(line)).length).toBeGreaterThanOrEqual(result.metrics.failedAcquires);
    // some grants reached a client that had already given up: the cancel freed each for the next waiter at once
    const freed = emits.filter((e) => e.event === 'deleted' && e.detail!.why === 'cancelled');
    expect(freed.length).toBeGreaterThan(0);
    for (const d of freed) {
      const next = emits.find((e) => e.event === 'granted' && e.atUs === d.atUs && e.node === d.node);
      if (next !== undefined) expect(next.detail!.client).not.toBe(d.detail!.owner);
    }
    expect(emits.some((e) => e.event === 'expired')).toBe(false);
  });

  it('is deterministic: same scenario and seed, same trace hash', () => {
    const a = run('raft-leader-crash.json').result.traceHash;
    const b = run('raft-leader-crash.json').result.traceHash;
    expect(a).toBe(b);
  });
});
