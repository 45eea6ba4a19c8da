/**
 * The raft-lock state machine on its own: FIFO grants, tokens = the granting
 * entry's log index, wake-one on release and session end, idempotent
 * retries, cancelling an abandoned acquire, semaphores, and knob parsing.
 */
import { describe, expect, it } from 'vitest';
import { parseRaftLockKnobs } from '../algorithms/raft-lock/knobs.ts';
import { LockStateMachine, type Applied, type LockCommand } from '../algorithms/raft-lock/state-machine.ts';
import { KnobError } from '../algorithms/api/index.ts';

/** Applies commands at consecutive log indexes (starting at 1, as after a leader's no-op would be 2; any increasing index works). */
class Log {
  index = 0;
  constructor(readonly sm: LockStateMachine) {}
  apply(cmd: LockCommand): Applied {
    return this.sm.apply(++this.index, cmd);
  }
}

function open(log: Log, ...clients: string[]): void {
  for (const c of clients) expect(log.apply({ op: 'open', session: `S${c}`, client: c }).result).toEqual({ status: 'opened' });
}

describe('raft-lock state machine', () => {
  it('grants waiters in FIFO order, one at a time, with the granting entry index as token', () => {
    const log = new Log(new LockStateMachine(1));
    open(log, 'c1', 'c2', 'c3', 'c4'); // indexes 1..4
    const first = log.apply({ op: 'acquire', session: 'Sc1', req: 'a' }); // 5
    expect(first.result).toEqual({ status: 'held', token: 5 });
    expect(first.grants).toEqual([{ session: 'Sc1', client: 'c1', req: 'a', token: 5 }]);
    // c3, c2, c4 queue in that order
    expect(log.apply({ op: 'acquire', session: 'Sc3', req: 'b' }).result).toEqual({ status: 'queued', ahead: 0 });
    expect(log.apply({ op: 'acquire', session: 'Sc2', req: 'c' }).result).toEqual({ status: 'queued', ahead: 1 });
    expect(log.apply({ op: 'acquire', session: 'Sc4', req: 'd' }).result).toEqual({ status: 'queued', ahead: 2 });
    expect(log.sm.waiting()).toEqual(['Sc3', 'Sc2', 'Sc4']);

    const order: string[] = [];
    const tokens: number[] = [5];
    let holder = { session: 'Sc1', req: 'a' };
    const reqOf: Record<string, string> = { Sc3: 'b', Sc2: 'c', Sc4: 'd' };
    for (let i = 0; i < 3; i++) {
      const released = log.apply({ op: 'release', session: holder.session, req: holder.req });
      expect(released.result).toEqual({ status: 'released' });
      // wake-one: exactly one grant, to the head of the queue
      expect(released.grants).toHaveLength(1);
      const grant = released.grants[0];
      expect(grant.token).toBe(log.index);
      order.push(grant.client);
      tokens.push(grant.token);
      holder = { session: grant.session, req: reqOf[grant.session] };
    }
    expect(order).toEqual(['c3', 'c2', 'c4']);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);
    expect(log.apply({ op: 'release', session: 'Sc4', req: 'd' }).grants).toEqual([]);
    expect(log.sm.currentHolders()).toEqual([]);
  });

  it('makes retried and duplicated commands idempotent', () => {
    const log = new Log(new LockStateMachine(1));
    open(log, 'c1', 'c2');
    open(log, 'c1'); // re-open of a live session: still one session
    expect(log.apply({ op: 'acquire', session: 'Sc1', req: 'a' }).result).toEqual({ status: 'held', token: 4 });
    // the same acquire again (a retry): same answer, not a second grant
    const again = log.apply({ op: 'acquire', session: 'Sc1', req: 'a' });
    expect(again.result).toEqual({ status: 'held', token: 4 });
    expect(again.grants).toEqual([]);
    // a second live request in the same session is refused
    expect(log.apply({ op: 'acquire', session: 'Sc1', req: 'other' }).result).toEqual({ status: 'busy' });
    expect(log.apply({ op: 'acquire', session: 'Sc2', req: 'b' }).result).toEqual({ status: 'queued', ahead: 0 });
    expect(log.apply({ op: 'acquire', session: 'Sc2', req: 'b' }).result).toEqual({ status: 'queued', ahead: 0 });
    expect(log.sm.waiting()).toEqual(['Sc2']);
    const released = log.apply({ op: 'release', session: 'Sc1', req: 'a' });
    expect(released.grants.map((g) => g.client)).toEqual(['c2']);
    const releasedAgain = log.apply({ op: 'release', session: 'Sc1', req: 'a' });
    expect(releasedAgain.result).toEqual({ status: 'released' });
    expect(releasedAgain.grants).toEqual([]);
  });

  it('a session that ends frees its permit to the next waiter and drops its queued requests; it never comes back', () => {
    const log = new Log(new LockStateMachine(1));
    open(log, 'c1', 'c2', 'c3');
    log.apply({ op: 'acquire', session: 'Sc1', req: 'a' });
    log.apply({ op: 'acquire', session: 'Sc2', req: 'b' });
    log.apply({ op: 'acquire', session: 'Sc3', req: 'c' });
    // c2 (queued) closes: it leaves the queue, nothing is granted
    const closed = log.apply({ op: 'close', session: 'Sc2' });
    expect(closed.result).toEqual({ status: 'closed' });
    expect(closed.grants).toEqual([]);
    expect(closed.ended).toBeNull(); // held nothing
    // c1 (holder) expires: c3 is granted at the expire entry's index
    const expired = log.apply({ op: 'expire', session: 'Sc1' });
    expect(expired.ended).toEqual({ session: 'Sc1', client: 'c1', token: 4, why: 'expired' });
    expect(expired.grants).toEqual([{ session: 'Sc3', client: 'c3', req: 'c', token: log.index }]);
    // the ended session cannot be used or reopened
    expect(log.apply({ op: 'acquire', session: 'Sc1', req: 'z' }).result).toEqual({ status: 'session-ended' });
    expect(log.apply({ op: 'release', session: 'Sc1', req: 'a' }).result).toEqual({ status: 'session-ended' });
    expect(log.apply({ op: 'open', session: 'Sc1', client: 'c1' }).result).toEqual({ status: 'session-ended' });
    expect(log.sm.isLive('Sc1')).toBe(false);
    expect(log.sm.hasEnded('Sc1')).toBe(true);
  });

  it('release of a queued request cancels it', () => {
    const log = new Log(new LockStateMachine(1));
    open(log, 'c1', 'c2');
    log.apply({ op: 'acquire', session: 'Sc1', req: 'a' });
    log.apply({ op: 'acquire', session: 'Sc2', req: 'b' });
    expect(log.apply({ op: 'release', session: 'Sc2', req: 'b' }).result).toEqual({ status: 'cancelled' });
    expect(log.sm.waiting()).toEqual([]);
    expect(log.apply({ op: 'release', session: 'Sc1', req: 'a' }).grants).toEqual([]);
  });

  it('cancel (an abandoned acquire) deletes only that request: a waiter leaves the queue, the session stays open', () => {
    const log = new Log(new LockStateMachine(1));
    open(log, 'c1', 'c2', 'c3');
    log.apply({ op: 'acquire', session: 'Sc1', req: 'a' });
    log.apply({ op: 'acquire', session: 'Sc2', req: 'b' });
    log.apply({ op: 'acquire', session: 'Sc3', req: 'c' });
    const cancelled = log.apply({ op: 'cancel', session: 'Sc2', req: 'b' });
    expect(cancelled).toEqual({ result: { status: 'cancelled' }, grants: [], ended: null });
    expect(log.sm.waiting()).toEqual(['Sc3']);
    expect(log.sm.isLive('Sc2')).toBe(true);
    // the session takes a new request at once (its one live request is gone), at the back of the queue
    expect(log.apply({ op: 'acquire', session: 'Sc2', req: 'b2' }).result).toEqual({ status: 'queued', ahead: 1 });
    // a retried cancel answers the same, and the cancelled request never comes back
    expect(log.apply({ op: 'cancel', session: 'Sc2', req: 'b' }).result).toEqual({ status: 'cancelled' });
    expect(log.apply({ op: 'release', session: 'Sc1', req: 'a' }).grants.map((g) => g.client)).toEqual(['c3']);
  });

  it('cancel of a request the service granted meanwhile frees the permit for the next waiter', () => {
    const log = new Log(new LockStateMachine(1));
    open(log, 'c1', 'c2', 'c3');
    log.apply({ op: 'acquire', session: 'Sc1', req: 'a' });
    log.apply({ op: 'acquire', session: 'Sc2', req: 'b' });
    log.apply({ op: 'acquire', session: 'Sc3', req: 'c' });
    // c1 releases: c2 is granted, but c2 has already given up and its cancel is on the way
    const granted = log.apply({ op: 'release', session: 'Sc1', req: 'a' });
    expect(granted.grants.map((g) => [g.client, g.token])).toEqual([['c2', log.index]]);
    const token = log.index;
    const cancelled = log.apply({ op: 'cancel', session: 'Sc2', req: 'b' });
    expect(cancelled.result).toEqual({ status: 'cancelled' });
    expect(cancelled.ended).toEqual({ session: 'Sc2', client: 'c2', token, why: 'cancelled' });
    expect(cancelled.grants).toEqual([{ session: 'Sc3', client: 'c3', req: 'c', token: log.index }]);
    expect(log.sm.isLive('Sc2')).toBe(true);
    expect(log.sm.holds('Sc2')).toBe(false);
  });

  it('cancel of a request not seen yet makes sure a late acquire of it does nothing', () => {
    const log = new Log(new LockStateMachine(1));
    open(log, 'c1');
    expect(log.apply({ op: 'cancel', session: 'Sc1', req: 'a' }).result).toEqual({ status: 'cancelled' });
    const late = log.apply({ op: 'acquire', session: 'Sc1', req: 'a' });
    expect(late).toEqual({ result: { status: 'cancelled' }, grants: [], ended: null });
    expect(log.sm.currentHolders()).toEqual([]);
    expect(log.apply({ op: 'acquire', session: 'Sc1', req: 'b' }).result.status).toBe('held');
  });

  it('permits > 1 makes a semaphore: up to N holders, then FIFO', () => {
    const log = new Log(new LockStateMachine(2));
    open(log, 'c1', 'c2', 'c3', 'c4');
    expect(log.apply({ op: 'acquire', session: 'Sc1', req: 'a' }).result.status).toBe('held');
    expect(log.apply({ op: 'acquire', session: 'Sc2', req: 'b' }).result.status).toBe('held');
    expect(log.apply({ op: 'acquire', session: 'Sc3', req: 'c' }).result).toEqual({ status: 'queued', ahead: 0 });
    expect(log.apply({ op: 'acquire', session: 'Sc4', req: 'd' }).result).toEqual({ status: 'queued', ahead: 1 });
    expect(log.sm.currentHolders().map((h) => h.session)).toEqual(['Sc1', 'Sc2']);
    const r = log.apply({ op: 'release', session: 'Sc2', req: 'b' });
    expect(r.grants.map((g) => g.client)).toEqual(['c3']);
    expect(log.sm.currentHolders().map((h) => h.session)).toEqual(['Sc1', 'Sc3']);
  });

  it('refuses entries applied out of order', () => {
    const sm = new LockStateMachine(1);
    sm.apply(5, { op: 'open', session: 's', client: 'c1' });
    expect(() => sm.apply(5, { op: 'open', session: 't', client: 'c2' })).toThrow(/applied after/);
  });
});

describe('raft-lock knobs', () => {
  it('applies the SPEC defaults', () => {
    expect(parseRaftLockKnobs({}, 1)).toEqual({
      servers: 5,
      electionTimeoutUs: { minUs: 150_000, maxUs: 300_000 },
      heartbeatUs: 50_000,
      sessionTtlUs: 10_000_000,
      keepAliveUs: 3_000_000,
      reads: 'read-index',
      permits: 1,
    });
  });

  it('reads takes the three SPEC values', () => {
    for (const reads of ['read-index', 'lease', 'etcd-3.4'] as const) expect(parseRaftLockKnobs({ reads }, 1).reads).toBe(reads);
  });

  it('refuses unknown and inconsistent knobs with the knob named', () => {
    expect(() => parseRaftLockKnobs({ ttl: '10s' }, 1)).toThrow(KnobError);
    expect(() => parseRaftLockKnobs({ reads: 'stale' }, 1)).toThrow(/read-index.*lease.*etcd-3\.4/);
    expect(() => parseRaftLockKnobs({ keepAlive: '10s' }, 1)).toThrow(/below sessionTtl/);
    expect(() => parseRaftLockKnobs({ heartbeat: '200ms' }, 1)).toThrow(/below electionTimeout.min/);
    expect(() => parseRaftLockKnobs({ electionTimeout: { min: '300ms', max: '100ms' } }, 1)).toThrow(expect.objectContaining({ name: 'KnobError', path: ['electionTimeout'] }));
  });
});
