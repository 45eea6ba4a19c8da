/**
 * Expiry attribution in the service history (issue 9 item 12): each expiry
 * the service reports names its grant (identity, grant time, token), and is
 * pinned on the acquire that returned that grant — or, when no acquire
 * returned it (the client was paused inside the call and retried, or had
 * given the call up), on an acquire of its own, called when the service
 * granted and never returned. Shown on hand-built histories (the three
 * shapes that were misattributed, a real double grant still caught), on
 * generated histories of a correct service (fast-check), on the built-in
 * scenarios that reproduce the pause inside an acquire, and on ZooKeeper
 * under message loss over several seeds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SERVICE_PROCESS, type Operation } from '../sim/checker/linearizability/index.ts';
import { checkServiceHistory } from '../sim/checker/service-history.ts';
import { LeaseTracker } from '../sim/harness/lease-tracker.ts';
import type { RecordedOp } from '../sim/harness/recorder.ts';
import { serviceOperations } from '../sim/harness/service-history.ts';
import { loadScenarioFile, parseScenario, runDesign, runScenario } from './support/designs.ts';

const S = 1_000_000;

/** A client's operations as the workload records them: process numbers move on after an operation of unknown outcome. */
class History {
  readonly ops: RecordedOp[] = [];
  private readonly process = new Map<string, number>();
  private next: number;

  constructor(private readonly clients: readonly string[]) {
    clients.forEach((c, i) => this.process.set(c, i + 1));
    this.next = clients.length + 1;
  }

  processOf = (client: string): number => this.process.get(client)!;

  acquire(client: string, call: number, ret: number | null, output: unknown = true): void {
    this.ops.push({ client, op: { process: this.processOf(client), call, return: ret, f: 'acquire', input: null, output: ret === null ? null : output } });
    if (ret === null) this.process.set(client, this.next++);
  }

  release(client: string, call: number, ret: number, output: boolean): void {
    this.ops.push({ client, op: { process: this.processOf(client), call, return: ret, f: 'release', input: null, output } });
  }

  check(tracker: LeaseTracker): ReturnType<typeof checkServiceHistory> {
    return checkServiceHistory('lease-lock', serviceOperations(this.ops, tracker.expiries, this.processOf));
  }
}

/** The history with each expiry pinned on `process` instead (what the old attribution did). */
function pinned(history: History, expiries: ReadonlyArray<{ atUs: number; process: number }>): ReturnType<typeof checkServiceHistory> {
  const ops: Operation[] = history.ops.map((r) => ({ ...r.op }));
  for (const e of expiries) ops.push({ process: SERVICE_PROCESS, call: e.atUs, return: e.atUs, f: 'expire', input: { owner: e.process }, output: null });
  return checkServiceHistory('lease-lock', ops);
}

describe('the lease tracker names each grant', () => {
  it('a lease id granted, expired and granted again is two grants; the first learns when the next came', () => {
    const tracker = new LeaseTracker(1);
    tracker.granted('s1', 'c1', 'v', 1, 10);
    tracker.expired('s1', 'c1', 'v', undefined, 100);
    tracker.granted('s1', 'c1', 'v', 2, 200);
    tracker.expired('s1', 'c1', 'v', undefined, 300);
    expect(tracker.expiries).toEqual([
      { atUs: 100, owner: 'c1', grantedAtUs: 10, grant: 'v#1', token: 1, nextGrantUs: 200 },
      { atUs: 300, owner: 'c1', grantedAtUs: 200, grant: 'v#2', token: 2 },
    ]);
  });

  it('with a quorum of 3 of 5, the lease is one grant from the third report and expires once, below the quorum', () => {
    const tracker = new LeaseTracker(3);
    for (const [i, s] of ['s1', 's2', 's3', 's4', 's5'].entries()) tracker.granted(s, 'c1', 'v', undefined, 10 + i);
    for (const [i, s] of ['s1', 's2', 's3', 's4', 's5'].entries()) tracker.expired(s, 'c1', 'v', undefined, 100 + i);
    expect(tracker.expiries).toEqual([{ atUs: 102, owner: 'c1', grantedAtUs: 12, grant: 'v#1' }]);
  });

  it('with a quorum of 1 the servers are one replicated service: a promoted replica expiring the old primary’s grant ends it', () => {
    const tracker = new LeaseTracker(1);
    tracker.granted('s1', 'c1', 'v', 1, 10);
    tracker.expired('s2', 'c1', 'v', undefined, 100);
    tracker.expired('s1', 'c1', 'v', undefined, 120); // the old primary, before it learns it was deposed: the same end
    expect(tracker.expiries).toEqual([{ atUs: 100, owner: 'c1', grantedAtUs: 10, grant: 'v#1', token: 1 }]);
  });

  it('without lease ids, a grant is its owner and token, reported once however many leaders report it', () => {
    const tracker = new LeaseTracker(1);
    tracker.granted('s1', 'c2', undefined, 7, 50);
    tracker.granted('s2', 'c2', undefined, 7, 60);
    tracker.expired('s1', 'c2', undefined, 7, 90);
    tracker.expired('s2', 'c2', undefined, 7, 95);
    tracker.expired('s1', 'c3', undefined, 8, 99); // a grant never reported: no grant time, no identity
    expect(tracker.expiries).toEqual([
      { atUs: 90, owner: 'c2', token: 7, grantedAtUs: 50, grant: 'c2 7' },
      { atUs: 95, owner: 'c2', token: 7, grantedAtUs: 50, grant: 'c2 7' },
      { atUs: 99, owner: 'c3', token: 8 },
    ]);
  });
});

describe('expiries are attributed by grant', () => {
  it('one acquire call over two grants (Redis, tokens): the first grant expired while the client was paused inside the call', () => {
    const h = new History(['c1', 'c2']);
    const tracker = new LeaseTracker(1);
    h.acquire('c1', 0, 12 * S + 10, { token: 3 }); // paused 12 s right after the server granted token 1; the retry got token 3
    tracker.granted('s1', 'c1', 'v1', 1, 1_000);
    tracker.expired('s1', 'c1', 'v1', undefined, 10 * S + 1_000);
    h.acquire('c2', 100, 10 * S + 5_000, { token: 2 }); // c2 gets the lock once c1's first grant expired
    tracker.granted('s1', 'c2', 'v2', 2, 10 * S + 3_000);
    h.release('c2', 11 * S, 11 * S + 10, true);
    tracker.deleted('s1', 'v2');
    tracker.granted('s1', 'c1', 'v1', 3, 12 * S); // the retry, same value
    h.release('c1', 13 * S, 13 * S + 10, true);
    tracker.deleted('s1', 'v1');
    expect(h.check(tracker).ok).toBe(true);
    // Pinned on the call (which returned token 3), the expiry ends the wrong grant.
    expect(pinned(h, [{ atUs: 10 * S + 1_000, process: 1 }]).ok).toBe(false);
  });

  it('the same without tokens (Redlock): the call returned its last grant, so the expired one was the earlier', () => {
    const h = new History(['c1']);
    const tracker = new LeaseTracker(3);
    const servers = ['s1', 's2', 's3', 's4', 's5'];
    h.acquire('c1', 0, 12 * S + 10);
    for (const s of servers) tracker.granted(s, 'c1', 'v1', undefined, 1_000);
    for (const s of servers) tracker.expired(s, 'c1', 'v1', undefined, 10 * S + 1_000);
    for (const s of servers) tracker.granted(s, 'c1', 'v1', undefined, 12 * S); // the retry, same value
    h.release('c1', 13 * S, 13 * S + 10, true);
    for (const s of servers) tracker.deleted(s, 'v1');
    expect(tracker.expiries).toHaveLength(1);
    expect(tracker.expiries[0].nextGrantUs).toBe(12 * S);
    expect(h.check(tracker).ok).toBe(true);
    expect(pinned(h, [{ atUs: 10 * S + 1_000, process: 1 }]).ok).toBe(false);
  });

  it("an abandoned acquire's lock node became head during the client's next acquire, then was deleted (ZooKeeper)", () => {
    const h = new History(['c1', 'c2']);
    const tracker = new LeaseTracker(1);
    h.acquire('c1', 0, 50, { token: 1 });
    tracker.granted('s1', 'c1', undefined, 1, 40);
    h.acquire('c2', 100, null); // node 3 created, then given up (acquireTimeout): outcome unknown, c2 moves to process 3
    h.acquire('c2', 3_400, 8_000, { token: 5 }); // node 5
    h.release('c1', 5_900, 5_950, true);
    tracker.granted('s1', 'c2', undefined, 3, 6_000); // the abandoned node 3 is head now
    tracker.expired('s1', 'c2', undefined, 3, 7_000); // its cleanup delete lands: the service ends that grant
    tracker.granted('s1', 'c2', undefined, 5, 7_000);
    h.release('c2', 9_000, 9_100, true);
    expect(h.check(tracker).ok).toBe(true);
    // Pinned on the acquire in progress when node 3 became head (process 3, which returned token 5): not linearizable.
    expect(pinned(h, [{ atUs: 7_000, process: 3 }]).ok).toBe(false);
  });

  it('a grant no acquire returned gets an acquire of its own, called at the grant, never returned', () => {
    const h = new History(['c1']);
    const tracker = new LeaseTracker(1);
    h.acquire('c1', 0, null);
    tracker.granted('s1', 'c1', undefined, 4, 500);
    tracker.expired('s1', 'c1', undefined, 4, 900);
    const ops = serviceOperations(h.ops, tracker.expiries, h.processOf);
    const own = ops.find((op) => op.f === 'acquire' && op.call === 500);
    expect(own).toMatchObject({ return: null, f: 'acquire' });
    expect(own!.process).toBeGreaterThan(2); // neither process 1 (the call) nor c1's current process 2
    expect(ops.find((op) => op.f === 'expire')).toMatchObject({ call: 900, input: { owner: own!.process } });
  });

  it('is no free pass: a grant no acquire returned, made while another client held, is still caught', () => {
    const h = new History(['c1', 'c2']);
    const tracker = new LeaseTracker(1);
    h.acquire('c1', 0, 20, { token: 1 });
    tracker.granted('s1', 'c1', undefined, 1, 10);
    h.acquire('c2', 100, null);
    tracker.granted('s1', 'c2', undefined, 2, 500); // a double grant: c1 still holds
    tracker.expired('s1', 'c2', undefined, 2, 600);
    h.release('c1', 1_000, 1_010, true);
    expect(h.check(tracker).ok).toBe(false);
  });
});

// ---- generated histories of a correct service -----------------------------------------------------------------

type Shape = 'release' | 'expire' | 'two-grants-in-one-call' | 'abandoned' | 'abandoned-then-next';
const SHAPES: readonly Shape[] = ['release', 'expire', 'two-grants-in-one-call', 'abandoned', 'abandoned-then-next'];

interface Flavour {
  readonly name: string;
  /** Lease ids per acquire call (Redis, Redlock), or none (ZooKeeper, raft-lock). */
  readonly leases: boolean;
  readonly tokens: boolean;
  readonly servers: readonly string[];
  readonly quorum: number;
}

const FLAVOURS: readonly Flavour[] = [
  { name: 'redis', leases: true, tokens: true, servers: ['s1'], quorum: 1 },
  { name: 'redis without tokens', leases: true, tokens: false, servers: ['s1'], quorum: 1 },
  { name: 'redlock', leases: true, tokens: false, servers: ['s1', 's2', 's3', 's4', 's5'], quorum: 3 },
  { name: 'zookeeper', leases: false, tokens: true, servers: ['s1'], quorum: 1 },
];

/**
 * Builds the history a correct lock service and its clients would leave:
 * episodes one after another in true time, each one grant or two, each
 * grant ending (by release or expiry) before the next begins.
 */
function correctHistory(flavour: Flavour, episodes: ReadonlyArray<{ shape: Shape; client: number }>): { history: History; tracker: LeaseTracker } {
  const clients = ['c1', 'c2', 'c3'];
  const h = new History(clients);
  const tracker = new LeaseTracker(flavour.quorum);
  let token = 0;
  let value = 0;
  const grant = (client: string, lease: string, atUs: number): number | undefined => {
    const t = flavour.tokens ? ++token : undefined;
    for (const s of flavour.servers) tracker.granted(s, client, flavour.leases ? lease : undefined, t, atUs);
    return t;
  };
  const expire = (client: string, lease: string, t: number | undefined, atUs: number): void => {
    for (const s of flavour.servers) tracker.expired(s, client, flavour.leases ? lease : undefined, t, atUs);
  };
  const release = (client: string, lease: string, atUs: number): void => {
    h.release(client, atUs - 5, atUs + 5, true);
    if (flavour.leases) for (const s of flavour.servers) tracker.deleted(s, lease);
  };
  const out = (t: number | undefined): unknown => (t === undefined ? true : { token: t });
  let T = 1_000;
  for (const { shape, client: i } of episodes) {
    const c = clients[i];
    const lease = `v${++value}`;
    switch (shape) {
      case 'release': {
        const t = grant(c, lease, T + 10);
        h.acquire(c, T, T + 20, out(t));
        release(c, lease, T + 60);
        T += 100;
        break;
      }
      case 'expire': {
        const t = grant(c, lease, T + 10);
        h.acquire(c, T, T + 20, out(t));
        expire(c, lease, t, T + 50);
        h.release(c, T + 70, T + 80, false);
        T += 100;
        break;
      }
      case 'two-grants-in-one-call': {
        const first = grant(c, lease, T + 10);
        expire(c, lease, first, T + 50);
        const second = grant(c, lease, T + 100); // the retry within the same call, same value
        h.acquire(c, T, T + 120, out(second));
        release(c, lease, T + 160);
        T += 200;
        break;
      }
      case 'abandoned': {
        h.acquire(c, T, null);
        const t = grant(c, lease, T + 10);
        expire(c, lease, t, T + 50);
        T += 100;
        break;
      }
      case 'abandoned-then-next': {
        h.acquire(c, T, null);
        const next = `v${++value}`;
        const first = grant(c, lease, T + 10);
        expire(c, lease, first, T + 50);
        const second = grant(c, next, T + 100);
        h.acquire(c, T + 5, T + 120, out(second));
        release(c, next, T + 160);
        T += 200;
        break;
      }
    }
  }
  return { history: h, tracker };
}

describe('a correct service linearizes, whatever the clients saw of its grants', () => {
  for (const flavour of FLAVOURS) {
    it(`${flavour.name}`, () => {
      fc.assert(
        fc.property(fc.array(fc.record({ shape: fc.constantFrom(...SHAPES), client: fc.integer({ min: 0, max: 2 }) }), { maxLength: 10 }), (episodes) => {
          const { history, tracker } = correctHistory(flavour, episodes);
          expect(history.check(tracker).ok).toBe(true);
        }),
        { numRuns: 150, seed: 9 },
      );
    });
  }
});

// ---- runs -----------------------------------------------------------------------------------------------------

describe('runs where the service behaved correctly linearize', () => {
  it.each(['attribution-redis-pause-in-acquire', 'attribution-redlock-pause-in-acquire'])('%s: paused inside the acquire, the call returned a second grant', (name) => {
    const result = runScenario(loadScenarioFile(`scenarios/${name}.json`)).results[0];
    expect(result.checks.linearizable?.ok).toBe(true);
    expect(result.checks.mutualExclusion?.ok).toBe(true);
    expect(result.metrics.leaseExpiries).toBeGreaterThanOrEqual(1); // the first grant expired during the pause
    expect(result.metrics.acquireP99Ms).toBeGreaterThan(12_000); // inside one acquire call of c1's
    expect(result.expect.met).toBe(true);
  });

  it.each([
    ['redis', { redis: { ttl: '10s' } }],
    ['redlock', { redlock: { ttl: '10s' } }],
  ] as const)('%s: a pause inside the acquire, several seeds and pause lengths', (design, config) => {
    for (const duration of ['11s', '15s', '25s']) {
      const scenario = parseScenario(
        {
          name: 'pause-in-acquire',
          description: 'test',
          seed: 1,
          duration: '40s',
          designs: [design],
          config,
          workload: { clients: 3, sections: 4, hold: { min: '200ms', max: '1s' }, think: '300ms', acquireTimeout: '30s', fencing: 'writes' },
          faults: [{ on: { event: 'granted', nth: 1 }, kind: 'pause', target: 'c1', duration }],
        },
        'test',
      );
      for (const seed of [1, 2, 3, 4]) {
        expect([duration, seed, runDesign(scenario, design, seed).checks.linearizable?.ok]).toEqual([duration, seed, true]);
      }
    }
  });

  it('zookeeper under 30% message loss: abandoned acquires whose nodes later became head, over several seeds', () => {
    const scenario = loadScenarioFile('scenarios/attribution-zookeeper-loss.json');
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]) {
      expect([seed, runDesign(scenario, 'zookeeper', seed).checks.linearizable?.ok]).toEqual([seed, true]);
    }
  });
});
