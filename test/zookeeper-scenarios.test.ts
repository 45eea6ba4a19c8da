/**
 * The zookeeper scenario files under scenarios/ (loaded with the real
 * loader, run with the real runner): each file's `expect` block holds, and
 * the run shows the mechanism the file is about — no herd, the session
 * expiring by the leader's clock, the cut holder working on until it
 * hears (or stopping on SUSPENDED), Curator's LOST during a partition, a
 * cut follower keeping its clients for tickTime × syncLimit, loss costing
 * retransmissions rather than sessions, sequence-number fencing, the
 * semaphore admitting two at once.
 */
import { describe, expect, it } from 'vitest';
import type { NodeEventKind } from '../algorithms/api/index.ts';
import type { DesignResult } from '../sim/harness/result.ts';
import { runScenario } from './support/designs.ts';
import { runDesignWith } from '../sim/harness/run-design.ts';
import { loadScenarioFile } from './support/designs.ts';
import { zookeeper } from '../algorithms/zookeeper/index.ts';
import { sequenceOf } from '../algorithms/zookeeper/paths.ts';

const S = 1_000_000;

interface Seen {
  readonly atUs: number;
  readonly node: string;
  readonly event: NodeEventKind;
  readonly detail: Readonly<Record<string, unknown>>;
}

interface Note {
  readonly atUs: number;
  readonly node: string;
  readonly text: string;
}

function run(file: string): { result: DesignResult; emits: Seen[]; notes: Note[] } {
  const emits: Seen[] = [];
  const notes: Note[] = [];
  const outcome = runScenario(loadScenarioFile(`scenarios/${file}`), {
    designs: ['zookeeper'],
    onEmit: (atUs, node, { kind: event, ...detail }) => {
      if (event !== 'committed' && event !== 'metric') emits.push({ atUs, node, event, detail: detail ?? {} });
    },
    trace: (line) => {
      const m = /^\s*([\d.]+) (\S+) # (zk.*)$/.exec(line);
      if (m !== null) notes.push({ atUs: Math.round(Number(m[1]) * S), node: m[2], text: m[3] });
    },
  });
  expect(outcome.results).toHaveLength(1);
  return { result: outcome.results[0], emits, notes };
}

function verdicts(result: DesignResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.checks).map(([name, check]) => [name, check?.ok]));
}

function firstNote(notes: readonly Note[], node: string, pattern: RegExp, afterUs = 0): Note {
  const note = notes.find((n) => n.node === node && n.atUs >= afterUs && pattern.test(n.text));
  if (note === undefined) throw new Error(`no note of ${node} matching ${pattern} after ${afterUs}µs`);
  return note;
}

describe('zookeeper scenarios', () => {
  it('no-faults (zookeeper): safe on every check, tokens strictly increase, each release wakes one waiter (no herd)', () => {
    const { result, emits } = run('no-faults.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: true, fencing: true, resource: true, linearizable: true });
    expect(result.safe).toBe(true);
    expect(result.metrics.sections).toBe(30);
    expect(result.metrics.failedAcquires).toBe(0);

    const grants = emits.filter((e) => e.event === 'granted');
    expect(grants).toHaveLength(30);
    for (const g of grants) expect(g.detail.token).toBe(sequenceOf(String(g.detail.path))); // the token is the lock node's sequence number
    for (let i = 1; i < grants.length; i++) expect(grants[i].detail.token as number).toBeGreaterThan(grants[i - 1].detail.token as number);
    expect(emits.filter((e) => e.event === 'expired')).toEqual([]);

    // 30 releases; every waiter watches only its predecessor, so each release wakes at most one client.
    const notifications = result.metrics.watchNotifications!;
    const releases = result.metrics.sections;
    expect(notifications).toBeLessThanOrEqual(releases);
    expect(notifications).toBeGreaterThan(releases / 2); // waiters really were woken by watches (3 clients contend)
    // A herd recipe (every waiter watching /lock's children) would have woken every waiter on every change.
    expect(result.metrics.watchNotificationsIfHerd!).toBeGreaterThanOrEqual(2 * notifications);
  });

  it('holder-cut (zookeeper): the cut holder works on until it hears; its session expires and c2 holds too', () => {
    const { result, emits, notes } = run('holder-cut.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, resource: false, linearizable: true });
    const overlap = result.checks.mutualExclusion!.violations![0];
    expect(overlap.nodes).toEqual(['c1', 'c2']);
    expect(overlap.detail).toMatch(/c1 held .*released/); // c1 ended its section normally: nothing told it

    const cutAtUs = result.faults[0].firedAt!;
    expect(result.faults[0].targets).toEqual(['c1', 's1', 's2', 's3', 's4', 's5']);
    // The leader expired c1's session: the full timeout after it last heard of c1, rounded up to a tick (2s), plus a follower's report delay.
    const expired = emits.find((e) => e.event === 'expired')!;
    expect(expired.detail).toMatchObject({ owner: 'c1', token: 0, why: 'expired' });
    expect(expired.atUs - cutAtUs).toBeGreaterThan(10 * S - (10 * S) / 3);
    expect(expired.atUs - cutAtUs).toBeLessThan(13 * S + 100_000);
    const c2Grant = emits.find((e) => e.event === 'granted' && e.detail.client === 'c2')!;
    expect(c2Grant.atUs).toBe(expired.atUs); // the same closeSession entry freed the lock for c2
    // c1 went Disconnected within 2/3 of the timeout, before the expiry, yet kept its lock (onSuspended "continue")…
    const disconnected = firstNote(notes, 'c1', /disconnected/, cutAtUs);
    expect(disconnected.atUs - cutAtUs).toBeLessThanOrEqual((2 * 10 * S) / 3 + 10_000);
    expect(disconnected.atUs).toBeLessThan(expired.atUs);
    // …and learned its session was gone during the cut, after its write: Curator's LOST, the session timeout after SUSPENDED.
    const lost = firstNote(notes, 'c1', /elapsed while SUSPENDED: Curator injects the expiration \(LOST\)/, cutAtUs);
    expect(lost.atUs - disconnected.atUs).toBe(10 * S);
    expect(lost.atUs).toBeLessThan(cutAtUs + 29 * S);
    expect(notes.some((n) => n.node === 'c1' && /told by/.test(n.text))).toBe(false);
    expect(result.metrics.sessionExpiries).toBe(1);
    expect(result.metrics.curatorLost).toBe(1);
  });

  it('zookeeper-holder-cut-lost: Curator reports LOST the session timeout after SUSPENDED, during the cut, and the holder never writes', () => {
    const { result, emits, notes } = run('zookeeper-holder-cut-lost.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, resource: true, fencing: true, linearizable: true });
    const cutAtUs = result.faults[0].firedAt!;
    const healUs = cutAtUs + 29 * S;
    const suspended = firstNote(notes, 'c1', /disconnected from .*read timeout/, cutAtUs);
    const lost = firstNote(notes, 'c1', /Curator injects the expiration \(LOST\)/, cutAtUs);
    expect(lost.atUs - suspended.atUs).toBe(10 * S); // the negotiated timeout, on c1's clock (no drift here)
    expect(lost.atUs).toBeLessThan(healUs - 10 * S); // well inside the partition, not at the reconnect
    expect(result.metrics.curatorLost).toBe(1);
    expect(result.metrics.clientSelfExpiries ?? 0).toBe(0);
    // The leader expired the session first; c2 held from then; c1's belief ended with LOST, before its 20 s hold was over.
    const expired = emits.find((e) => e.event === 'expired' && e.detail.owner === 'c1')!;
    expect(expired.atUs).toBeLessThan(lost.atUs);
    const overlap = result.checks.mutualExclusion!.violations![0];
    expect(overlap.nodes).toEqual(['c1', 'c2']);
    expect(overlap.detail).toMatch(/c1 held .*lost: session timeout \(10s\) elapsed while SUSPENDED/);
    expect(result.metrics.sections).toBe(3); // of c1's and c2's four holds, c1's first ended in LOST without a write
  });

  it('zookeeper-follower-cut-stop: the follower keeps its cut-off client Connected for tickTime × syncLimit, past the session, so "stop" comes too late', () => {
    const { result, emits, notes } = run('zookeeper-follower-cut-stop.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, resource: false, fencing: true, linearizable: true });
    const cut = result.faults[0];
    const cutAtUs = cut.firedAt!;
    expect(cut.sides).toEqual([['c1', 's4'], ['s1', 's2', 's3', 's5', 'c2']]);
    expect(notes.find((n) => n.node === 'c1' && /session opened/.test(n.text))!.text).toMatch(/via s4/); // c1's server is the cut follower
    expect(emits.filter((e) => e.event === 'elected').map((e) => e.node)).toEqual(['s5']); // s4 never led, and the majority kept its leader
    // The leader expired c1's session the timeout after the cut (rounded up to a tick); c2 got the lock at once.
    const expired = emits.find((e) => e.event === 'expired' && e.detail.owner === 'c1')!;
    expect(expired.detail).toMatchObject({ why: 'expired' });
    expect(expired.atUs - cutAtUs).toBeGreaterThan(4 * S);
    expect(expired.atUs - cutAtUs).toBeLessThanOrEqual(8 * S + 100_000);
    const c2Grant = emits.find((e) => e.event === 'granted' && e.detail.client === 'c2')!;
    expect(c2Grant.atUs).toBe(expired.atUs);
    // s4 gave its leader up tickTime × syncLimit after it last heard it, and only then dropped c1: until then c1 was Connected.
    const gaveUp = firstNote(notes, 's4', /nothing from leader s5 for tickTime × syncLimit \(10s\)/, cutAtUs);
    expect(gaveUp.atUs - cutAtUs).toBeGreaterThan(10 * S - 100_000);
    expect(gaveUp.atUs - cutAtUs).toBeLessThanOrEqual(10 * S);
    const disconnected = firstNote(notes, 'c1', /disconnected from s4: server s4 closed the connection/, cutAtUs);
    expect(disconnected.atUs - gaveUp.atUs).toBeLessThan(10_000);
    expect(notes.filter((n) => n.node === 'c1' && /disconnected/.test(n.text) && n.atUs < gaveUp.atUs)).toEqual([]);
    expect(result.metrics.leaderTimeouts).toBe(1);
    // c1 wrote at the end of its hold while still Connected, after c2 read: the lost update.
    const overlap = result.checks.mutualExclusion!.violations![0];
    expect(overlap.nodes).toEqual(['c1', 'c2']);
    expect(overlap.detail).toMatch(/c1 held .*released/); // nothing told c1 before its write
    const lostUpdate = result.checks.resource!.violations![0];
    expect(lostUpdate.nodes).toEqual(['c2', 'c1']);
    expect(lostUpdate.at).toBeGreaterThan(disconnected.atUs);
    expect(notes.some((n) => n.node === 'c1' && /SUSPENDED while holding/.test(n.text))).toBe(false); // "stop" never had a holder to stop
  });

  it('message-loss (zookeeper): 20 % loss costs retransmissions, not connections or sessions', () => {
    const { result, emits } = run('message-loss.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(result.safe).toBe(true);
    expect(result.metrics.messagesDroppedByLoss).toBeGreaterThan(1000);
    expect(result.metrics.tcpRetransmits).toBeGreaterThan(100);
    expect(result.metrics.disconnects ?? 0).toBe(0);
    expect(result.metrics.sessionExpiries ?? 0).toBe(0);
    expect(result.metrics.curatorLost ?? 0).toBe(0);
    expect(result.metrics.elections).toBe(0);
    expect(emits.filter((e) => e.event === 'expired')).toEqual([]); // no holder lost its lock node
    expect(result.metrics.sections).toBeGreaterThan(10);
  });

  it('zookeeper-holder-cut-stop: with onSuspended "stop" the holder gives up on Disconnected, before the ensemble expires it', () => {
    const { result, emits, notes } = run('zookeeper-holder-cut-stop.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: true, resource: true, fencing: true, linearizable: true });
    const cutAtUs = result.faults[0].firedAt!;
    const gaveUp = firstNote(notes, 'c1', /SUSPENDED while holding: giving the lock up/, cutAtUs);
    const expired = emits.find((e) => e.event === 'expired' && e.detail.owner === 'c1')!;
    expect(gaveUp.atUs - cutAtUs).toBeLessThanOrEqual((2 * 10 * S) / 3 + 10_000);
    expect(gaveUp.atUs).toBeLessThan(expired.atUs - 2 * S); // with margin to spare
    const c2Grant = emits.find((e) => e.event === 'granted' && e.detail.client === 'c2')!;
    expect(c2Grant.atUs).toBeGreaterThan(gaveUp.atUs);
  });

  it('zookeeper-holder-cut-fenced-rw: the new holder read registers its token, so the old holder late write is rejected', () => {
    const { result } = run('zookeeper-holder-cut-fenced-rw.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, resource: true, fencing: true });
    expect(result.metrics.staleTokensRejected).toBe(1);
  });

  it('zookeeper-holder-cut-fenced-w: fencing writes only, the late write lands between the new holder read and write', () => {
    const { result } = run('zookeeper-holder-cut-fenced-w.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, resource: false, fencing: true });
    expect(result.metrics.staleTokensRejected).toBe(0);
    const lost = result.checks.resource!.violations![0];
    expect(lost.nodes).toEqual(['c2', 'c1']);
    expect(lost.detail).toMatch(/c2 wrote 1 based on a read of 0.*overwriting 1 from c1's write/);
  });

  it('gc-pause (zookeeper): the paused holder session expires, c2 takes the lock, the late write is fenced off', () => {
    const { result, emits } = run('gc-pause.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: false, fencing: true, resource: true, linearizable: true });
    expect(result.metrics.staleTokensRejected).toBe(1);
    const pause = result.faults[0];
    expect(pause.kind).toBe('pause');
    const pauseEndUs = pause.firedAt! + 15 * S;
    const expired = emits.find((e) => e.event === 'expired')!;
    expect(expired.detail).toMatchObject({ owner: 'c1', why: 'expired' });
    expect(expired.atUs).toBeGreaterThan(pause.firedAt!);
    expect(expired.atUs).toBeLessThan(pauseEndUs);
    const c2Grant = emits.find((e) => e.event === 'granted' && e.detail.client === 'c2')!;
    expect(c2Grant.atUs).toBeLessThan(pauseEndUs);
    expect(c2Grant.detail.token as number).toBeGreaterThan(0);
  });

  it('zookeeper-semaphore: never more than 2 holders, and two really hold at once', () => {
    const { result, emits } = run('zookeeper-semaphore.json');
    expect(result.expect).toEqual({ met: true, mismatches: [] });
    expect(verdicts(result)).toMatchObject({ mutualExclusion: true, linearizable: true });
    expect(result.metrics.sections).toBe(32);
    const tokens = emits.filter((e) => e.event === 'granted').map((e) => e.detail.token as number);
    expect(tokens).toHaveLength(32);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);

    // The same run judged against ONE permit: the design still runs with 2 permits (its knobs say so),
    // but the mutual-exclusion check now counts every overlap of two holders.
    const scenario = loadScenarioFile('scenarios/zookeeper-semaphore.json');
    const asMutex = { ...scenario, workload: { ...scenario.workload, permits: 1 } };
    const twoPermits = { ...zookeeper, parseKnobs: (raw: Readonly<Record<string, unknown>>) => zookeeper.parseKnobs(raw, 2) };
    const judged = runDesignWith(asMutex, twoPermits, scenario.seed);
    expect(judged.traceHash).toBe(result.traceHash); // the very same run
    expect(judged.checks.mutualExclusion!.ok).toBe(false);
    const overlaps = judged.checks.mutualExclusion!.violations!;
    expect(overlaps.length).toBeGreaterThan(5);
    for (const v of overlaps) expect(v.detail).toMatch(/2 holders > 1 permit/); // never 3
  });
});
