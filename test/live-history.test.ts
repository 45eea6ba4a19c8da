/**
 * How a live run's observations become the simulator's history
 * (sim/live/history.ts), on hand-made observations — no server needed.
 * The subtle part: the service's events are stamped when the harness
 * receives them, in another process than the clients, so an expiry can be
 * stamped after the next holder's acquire-ok. Taken as a point there, a
 * correct Redis would not linearize; taken as an interval from its grant
 * to its receipt it does. Grant times are the earlier of the receipt and
 * the client's acquire-ok.
 */
import { describe, expect, it } from 'vitest';
import { checkServiceHistory } from '../sim/checker/service-history.ts';
import { buildLiveHistory, type ClientLogEntry } from '../sim/live/history.ts';
import type { ServiceEvent } from '../sim/live/service.ts';

const log = (client: string, events: ClientLogEntry['event'][], life = 0): ClientLogEntry[] => events.map((event) => ({ client, life, event }));

/** c1 holds lease A (token 1), is paused past its TTL; s1 expires A; c2 gets lease B (token 2); c1 wakes and releases late. */
function pausedHolder(expiryReceiptUs: number) {
  const clientLog = [
    ...log('c1', [
      { kind: 'acquire-call', atUs: 0 },
      { kind: 'acquire-ok', atUs: 10, token: 1, lease: 'A', key: 'lock' },
    ]),
    ...log('c2', [
      { kind: 'acquire-call', atUs: 100 },
      { kind: 'acquire-ok', atUs: 1100, token: 2, lease: 'B', key: 'lock' },
      { kind: 'section-done', atUs: 1150 },
      { kind: 'release-call', atUs: 1150, why: 'released' },
      { kind: 'release-return', atUs: 1160, ok: true },
    ]),
    ...log('c1', [
      { kind: 'release-call', atUs: 1600, why: 'gave up: store rejected token 1' },
      { kind: 'release-return', atUs: 1610, ok: false },
    ]),
  ];
  const service: ServiceEvent[] = [
    { kind: 'granted', atUs: 12, server: 's1', client: 'c1', key: 'lock', lease: 'A', token: 1 },
    { kind: 'expired', atUs: expiryReceiptUs, server: 's1', key: 'lock', owner: 'c1', lease: 'A', token: 1 },
    { kind: 'granted', atUs: expiryReceiptUs + 15, server: 's1', client: 'c2', key: 'lock', lease: 'B', token: 2 },
    { kind: 'deleted', atUs: 1158, server: 's1', key: 'lock', owner: 'c2', lease: 'B', token: 2 },
  ];
  return buildLiveHistory({ clients: ['c1', 'c2'], clientLog, service, store: [], endUs: 2000, quorum: 1 });
}

describe('live history', () => {
  it('an expiry received after the next holder was granted still linearizes (an interval from grant to receipt)', () => {
    const history = pausedHolder(1105);
    const expire = history.serviceHistory.find((op) => op.f === 'expire')!;
    expect(expire.call).toBe(10); // from the grant (c1's acquire-ok came before the receipt at 12)
    expect(expire.return).toBe(1105);
    expect(checkServiceHistory('lease-lock', history.serviceHistory).ok).toBe(true);
    // The same expiry as a point at its receipt: c2 would have been granted while c1 held.
    const asPoint = history.serviceHistory.map((op) => (op === expire ? { ...op, call: op.return! } : op));
    expect(checkServiceHistory('lease-lock', asPoint).ok).toBe(false);
  });

  it('grant times are the earlier of receipt and acquire-ok, in the server\'s order', () => {
    const history = pausedHolder(1105);
    expect(history.recorder.grants.map((g) => [g.client, g.token, g.atUs])).toEqual([
      ['c1', 1, 10],
      ['c2', 2, 1100],
    ]);
    // c2's section counts as granted when the service granted it, for liveness.
    expect(history.recorder.completed.get('c2')).toEqual([{ grantedUs: 1100, completedUs: 1150 }]);
  });

  it('beliefs run from acquire-ok to the release call, so the paused holder overlaps the next one', () => {
    const { recorder } = pausedHolder(1105);
    expect(recorder.beliefs.map((b) => [b.client, b.startUs, b.endUs])).toEqual([
      ['c1', 10, 1600],
      ['c2', 1100, 1150],
    ]);
    expect(recorder.sections).toBe(1);
  });

  it('events of a crashed client stamped after its crash are dropped; a restart takes a fresh process', () => {
    const clientLog: ClientLogEntry[] = [
      ...log('c1', [
        { kind: 'acquire-call', atUs: 0 },
        { kind: 'acquire-ok', atUs: 5, token: 1, lease: 'A', key: 'lock' },
        { kind: 'crashed', atUs: 50 },
        { kind: 'release-call', atUs: 60, why: 'released' }, // raced the SIGKILL: not part of the history
      ]),
      ...log('c1', [{ kind: 'restarted', atUs: 500 }, { kind: 'acquire-call', atUs: 600 }], 1),
    ];
    const history = buildLiveHistory({ clients: ['c1'], clientLog, service: [], store: [], endUs: 1000, quorum: 1 });
    expect(history.recorder.beliefs.map((b) => [b.startUs, b.endUs, b.endReason])).toEqual([[5, 50, 'crashed']]);
    expect(history.recorder.serviceOps.map((r) => [r.op.f, r.op.process])).toEqual([
      ['acquire', 1],
      ['acquire', 2],
    ]);
    expect(history.downAtEnd.size).toBe(0);
  });
});
