/**
 * Every fault kind takes effect, shown on the toy lock (a test double) so
 * the simulator is tested apart from the real designs.
 */
import { describe, expect, it } from 'vitest';
import type { Design, Message, NodeApi, NodeHandlers } from '../algorithms/api/index.ts';
import { runDesignWith } from '../sim/harness/run-design.ts';
import type { DesignResult } from '../sim/harness/result.ts';
import { toyLock, type ToyKnobs } from './support/toy-lock.ts';
import { faults, MS, S, scenario } from './support/scenario.ts';

type Overrides = Parameters<typeof scenario>[0];

function run(overrides: Overrides, trace?: string[], design: Design<ToyKnobs> = toyLock): DesignResult {
  return runDesignWith(scenario(overrides), design, overrides?.seed ?? 1, trace === undefined ? {} : { trace: (l) => trace.push(l) });
}

/** A message a toy node handled: who sent it, when it was sent, when it was handled (true µs), in handling order. */
interface Handled {
  readonly node: string;
  readonly from: string;
  readonly type: string;
  readonly id: unknown;
  readonly sentAtUs: number;
  readonly atUs: number;
}

/**
 * The toy lock, instrumented: every message its server and clients send
 * carries its send time, and every message they handle is logged with its
 * handling time. These tests fault no clock, so each node's wall clock
 * reads true time. With `pingEveryUs` the server also sends each client a
 * `ping` that often (the toy client ignores it), so traffic flows from the
 * server even when no one asks it anything.
 */
function instrumented(log: Handled[], pingEveryUs?: number): Design<ToyKnobs> {
  const stamp = (api: NodeApi): NodeApi => ({ ...api, send: (to: string, msg: Message) => api.send(to, { ...msg, sentAtUs: api.now() }) });
  const logged = (api: NodeApi, handlers: NodeHandlers) => (from: string, msg: Message): void => {
    const sentAtUs = typeof msg.sentAtUs === 'number' ? msg.sentAtUs : Number.NaN;
    log.push({ node: api.id, from, type: msg.type, id: msg.id, sentAtUs, atUs: api.now() });
    handlers.onMessage(from, msg);
  };
  return {
    ...toyLock,
    createServer(api, ctx, index) {
      const sending = stamp(api);
      const server = toyLock.createServer(sending, ctx, index);
      if (pingEveryUs !== undefined) {
        const ping = (): void => {
          for (const client of ctx.clients) sending.send(client, { type: 'ping' });
          api.setTimer(pingEveryUs, ping);
        };
        api.setTimer(pingEveryUs, ping);
      }
      return { onMessage: logged(api, server) };
    },
    createClient(api, ctx, lost) {
      const client = toyLock.createClient(stamp(api), ctx, lost);
      return { ...client, onMessage: logged(api, client) };
    },
  };
}

/** Parses trace lines "   12.000000 node ..." into (timeUs, node, rest). */
function parse(lines: string[]): Array<{ us: number; node: string; rest: string }> {
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => {
      const m = /^\s*(\d+\.\d+) (\S+) (.*)$/.exec(l)!;
      return { us: Math.round(Number(m[1]) * 1e6), node: m[2], rest: m[3] };
    });
}

/** One message in the trace: sent and dropped at once, dropped in flight, or delivered. */
interface MessageLine {
  readonly us: number;
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly dropped: boolean;
}

/**
 * The message lines of a trace: "from -> to type DROPPED" (dropped when
 * sent) and "to <- from …" (delivered, or "DROPPED in flight"); messages
 * "LOST (node down)" are left out (these tests crash no one).
 */
function messages(lines: string[]): MessageLine[] {
  return parse(lines).flatMap((e): MessageLine[] => {
    const m = /^(->|<-) (\S+) (\S+)/.exec(e.rest);
    if (m === null || e.rest.endsWith('LOST (node down)')) return [];
    const [, arrow, other, type] = m;
    const dropped = e.rest.endsWith('DROPPED') || e.rest.endsWith('DROPPED in flight');
    return [arrow === '->' ? { us: e.us, from: e.node, to: other, type, dropped } : { us: e.us, from: other, to: e.node, type, dropped }];
  });
}

describe('pause', () => {
  it('a paused node handles nothing while paused, then its backlog in due order', () => {
    const trace: string[] = [];
    const handled: Handled[] = [];
    const latencyUs = 2 * MS; // exact, so a message's due time is its send time + 2 ms
    const result = run(
      {
        network: { latencyUs: { minUs: latencyUs, maxUs: latencyUs }, loss: 0, duplicate: 0 },
        faults: faults({ kind: 'pause', trigger: { kind: 'at', atUs: 2 * S }, target: 's1', durationUs: 5 * S }),
      },
      trace,
      instrumented(handled),
    );
    expect(result.faults[0].firedAt).toBe(2 * S);
    // nothing at all while paused (the trace shows every event s1 handled)
    expect(parse(trace).filter((e) => e.node === 's1' && e.us > 2 * S && e.us < 7 * S)).toEqual([]);
    const s1 = handled.filter((h) => h.node === 's1');
    const dueUs = (h: Handled): number => h.sentAtUs + latencyUs;
    // the backlog: everything that came due during the pause, all handled at the resume
    const backlog = s1.filter((h) => dueUs(h) > 2 * S && dueUs(h) < 7 * S);
    expect(backlog.length).toBeGreaterThan(1);
    expect(backlog.every((h) => h.atUs === 7 * S)).toBe(true);
    expect(result.faults[0].effect.eventsDeferred).toBe(backlog.length); // the toy server sets no timers: every deferred event is a message
    // … in the order it came due, and before anything that came due later
    const backlogDue = backlog.map(dueUs);
    expect(backlogDue).toEqual([...backlogDue].sort((a, b) => a - b));
    expect(new Set(backlog.map((h) => h.from)).size).toBeGreaterThan(1); // several senders interleaved, so the order is not trivially one client's
    const firstLater = s1.findIndex((h) => dueUs(h) >= 7 * S);
    expect(firstLater).toBeGreaterThan(s1.indexOf(backlog[backlog.length - 1]));
  });

  it("a holder paused past its lease breaks mutual exclusion; fenced writes keep the resource", () => {
    const pause = faults({ kind: 'pause', trigger: { kind: 'on', event: 'acquired', node: 'c1', nth: 1, delayUs: 100 * MS }, target: 'c1', durationUs: 15 * S });
    const fenced = run({ durationUs: 60 * S, faults: pause, workload: { fencing: 'writes' } });
    expect(fenced.checks.mutualExclusion!.ok).toBe(false);
    expect(fenced.checks.resource!.ok).toBe(true);
    expect(fenced.metrics.staleTokensRejected).toBeGreaterThan(0);
    const unfenced = run({ durationUs: 60 * S, faults: pause, workload: { fencing: 'none' } });
    expect(unfenced.checks.mutualExclusion!.ok).toBe(false);
    expect(unfenced.checks.resource!.ok).toBe(false);
    // A store that checks nothing promises nothing: only the service's tokens are judged, and they increase.
    expect(unfenced.checks.fencing!.ok).toBe(true);
    expect(unfenced.checks.fencing!.detail).toMatch(/store checks no tokens/);
  });
});

describe('checkBeforeWrite', () => {
  it("a holder that checks its lease by its own clock before writing skips the stale write; the pause still breaks mutual exclusion", () => {
    const pause = faults({ kind: 'pause', trigger: { kind: 'on', event: 'acquired', node: 'c1', nth: 1, delayUs: 100 * MS }, target: 'c1', durationUs: 15 * S });
    const unchecked = run({ durationUs: 60 * S, faults: pause, workload: { fencing: 'none', checkBeforeWrite: false } });
    expect(unchecked.checks.resource!.ok).toBe(false);
    const checked = run({ durationUs: 60 * S, faults: pause, workload: { fencing: 'none', checkBeforeWrite: true } });
    expect(checked.checks.resource!.ok).toBe(true);
    expect(checked.checks.mutualExclusion!.ok).toBe(false);
  });
});

describe('partition', () => {
  it('isolating the server drops exactly the messages across the cut, then heals', () => {
    const trace: string[] = [];
    const result = run(
      { faults: faults({ kind: 'partition', trigger: { kind: 'at', atUs: 3 * S }, shape: 'isolate', target: 's1', groups: undefined, cut: undefined, oneWay: false, durationUs: 4 * S }) },
      trace,
      instrumented([], 100 * MS),
    );
    const across = (m: MessageLine): boolean => (m.from === 's1') !== (m.to === 's1') && m.from !== 'store' && m.to !== 'store';
    const lines = messages(trace);
    // every message dropped was across the cut (s1 <-> a client), and dropped while it was cut …
    const drops = lines.filter((m) => m.dropped);
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.filter((m) => !across(m) || m.us < 3 * S || m.us > 7 * S)).toEqual([]);
    expect(result.faults[0].effect.messagesDropped).toBe(drops.length);
    expect(result.metrics.messagesDroppedByPartition).toBe(drops.length);
    expect(result.faults[0].effect.linksCut).toBe(2 * 3); // s1 <-> c1, c2, c3 (the store stays outside)
    // … and none got across meanwhile, in either direction (s1 pings every client every 100 ms)
    const delivered = lines.filter((m) => !m.dropped);
    expect(delivered.filter((m) => across(m) && m.us > 3 * S && m.us < 7 * S)).toEqual([]);
    expect(drops.some((m) => m.from === 's1') && drops.some((m) => m.to === 's1')).toBe(true);
    // after healing, s1 is reached again and reaches the clients
    expect(delivered.some((m) => m.to === 's1' && m.from.startsWith('c') && m.us > 7 * S)).toBe(true);
    expect(delivered.some((m) => m.from === 's1' && m.us > 7 * S)).toBe(true);
  });

  it('heal ends a partition early; one-way cuts only one direction', () => {
    const trace: string[] = [];
    const result = run(
      {
        faults: faults(
          { kind: 'partition', trigger: { kind: 'at', atUs: 1 * S }, shape: 'one-way', target: 's1', groups: undefined, cut: undefined, oneWay: false, durationUs: undefined },
          { kind: 'heal', trigger: { kind: 'at', atUs: 2 * S } },
        ),
      },
      trace,
      instrumented([], 100 * MS),
    );
    expect(result.faults[0].effect.linksCut).toBe(3);
    expect(result.faults[1].effect.linksHealed).toBe(3);
    expect(result.metrics.sections).toBeGreaterThan(5);
    const lines = messages(trace);
    const cut = (us: number): boolean => us > 1 * S && us < 2 * S;
    // one direction: nothing reaches s1 while cut, every drop is a message to s1 …
    const drops = lines.filter((m) => m.dropped);
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.filter((m) => m.to !== 's1' || m.us < 1 * S || m.us > 2 * S)).toEqual([]);
    expect(lines.filter((m) => !m.dropped && m.to === 's1' && cut(m.us))).toEqual([]);
    // … while s1's own messages still reach every client
    for (const client of ['c1', 'c2', 'c3']) {
      expect(lines.filter((m) => !m.dropped && m.from === 's1' && m.to === client && cut(m.us)).length, client).toBeGreaterThan(5);
    }
    // the heal at 2 s ended it: s1 hears from the clients again
    expect(lines.some((m) => !m.dropped && m.to === 's1' && m.from.startsWith('c') && m.us > 2 * S && m.us < 3 * S)).toBe(true);
  });

  it('groups with "others" and dynamic names resolve when the fault fires', () => {
    const result = run({
      faults: faults({ kind: 'partition', trigger: { kind: 'at', atUs: 2 * S }, shape: undefined, target: undefined, groups: [['c1', 'leader'], ['others']], cut: undefined, oneWay: false, durationUs: 2 * S }),
    });
    expect(result.faults[0].targets).toEqual(['c1', 'c2', 'c3', 's1']);
    expect(result.faults[0].effect.linksCut).toBe(8); // {c1,s1} x {c2,c3} both ways
  });
});

describe('crash', () => {
  it('a crash loses what was not fsynced: the token counter regresses without fsync', () => {
    const crash = faults({ kind: 'crash', trigger: { kind: 'at', atUs: 10 * S }, target: 's1', restartAfterUs: 1 * S, durable: 'fsynced' });
    const unsynced = run({ config: { toy: { fsync: false } }, faults: crash, workload: { fencing: 'writes' } });
    expect(unsynced.faults[0].effect.writesLost).toBeGreaterThan(0);
    expect(unsynced.faults[0].effect.restarted).toBe(1);
    expect(unsynced.checks.fencing!.ok).toBe(false);
    const synced = run({ config: { toy: { fsync: true } }, faults: crash, workload: { fencing: 'writes' } });
    expect(synced.faults[0].effect.writesLost).toBe(0);
    expect(synced.checks.fencing!.ok).toBe(true);
  });

  it('a client crashed mid-acquire restarts and the run stays safe', () => {
    const trace: string[] = [];
    const result = run(
      { faults: faults({ kind: 'crash', trigger: { kind: 'on', event: 'acquired', node: 'c2', nth: 1, delayUs: 10 * MS }, target: 'c1', restartAfterUs: 1 * S, durable: 'fsynced' }) },
      trace,
    );
    const crashedAtUs = result.faults[0].firedAt!;
    // mid-acquire: c1's last exchange with the server before the crash was an acquire still unanswered or answered busy
    const exchanges = messages(trace).filter((m) => m.us <= crashedAtUs && ((m.from === 'c1' && m.to === 's1') || (m.from === 's1' && m.to === 'c1')));
    expect(['acquire', 'acquire-busy']).toContain(exchanges[exchanges.length - 1].type);
    expect(result.faults[0].effect.crashed).toBe(1);
    expect(result.faults[0].effect.restarted).toBe(1);
    expect(result.metrics.sections).toBeGreaterThan(10);
    expect(result.safe).toBe(true);
  });

  it('a crashed client stops believing it holds the lock', () => {
    const result = run({ faults: faults({ kind: 'crash', trigger: { kind: 'on', event: 'acquired', node: 'c2', nth: 1, delayUs: 10 * MS }, target: 'holder', restartAfterUs: 2 * S, durable: 'fsynced' }) });
    expect(result.faults[0].targets).toEqual(['c2']);
    expect(result.checks.mutualExclusion!.ok).toBe(true);
  });
});

describe('clocks', () => {
  it('a forward wall-clock jump on the server expires the lease early: two holders', () => {
    const result = run({
      faults: faults({ kind: 'clock-jump', trigger: { kind: 'on', event: 'acquired', node: undefined, nth: 2, delayUs: 100 * MS }, target: 's1', byUs: 20 * S }),
      workload: { holdUs: { minUs: 3 * S, maxUs: 3 * S } },
    });
    expect(result.faults[0].effect.wallJumpedMs).toBe(20_000);
    expect(result.metrics.leaseExpiries).toBeGreaterThan(0);
    expect(result.checks.mutualExclusion!.ok).toBe(false);
    // the service measured the lease as run out, so its history is still linearizable
    expect(result.checks.linearizable!.ok).toBe(true);
  });

  it('a fast-drifting server clock expires leases early; no drift, no expiry', () => {
    const drift = run({
      faults: faults({ kind: 'clock-drift', trigger: { kind: 'at', atUs: 0 }, target: 's1', rate: 4, durationUs: undefined }),
      workload: { holdUs: { minUs: 3 * S, maxUs: 3 * S } },
    });
    expect(drift.faults[0].effect.drifting).toBe(1);
    expect(drift.metrics.leaseExpiries).toBeGreaterThan(0);
    const steady = run({ workload: { holdUs: { minUs: 3 * S, maxUs: 3 * S } } });
    expect(steady.metrics.leaseExpiries).toBe(0);
  });
});

describe('network faults', () => {
  it('loss and duplication windows drop and duplicate messages only while open', () => {
    const trace: string[] = [];
    const handled: Handled[] = [];
    const latencyUs = 2 * MS; // exact, so any extra delay shows
    const opensUs = 1 * S;
    const closesUs = 6 * S;
    const result = run(
      {
        network: { latencyUs: { minUs: latencyUs, maxUs: latencyUs }, loss: 0, duplicate: 0 },
        faults: faults({ kind: 'network', trigger: { kind: 'at', atUs: opensUs }, loss: 0.3, duplicate: 0.3, delayUs: 20 * MS, durationUs: closesUs - opensUs }),
      },
      trace,
      instrumented(handled),
    );
    const effect = result.faults[0].effect;
    expect(effect.messagesDropped).toBeGreaterThan(0);
    expect(effect.messagesDuplicated).toBeGreaterThan(0);
    expect(effect.messagesDelayed).toBeGreaterThan(0);
    expect(result.metrics.messagesDroppedByLoss).toBe(effect.messagesDropped);
    const inWindow = (us: number): boolean => us > opensUs && us < closesUs;
    const outside = (us: number): boolean => us < opensUs || us > closesUs;

    // drops: every one (the trace shows each) was sent while the window was open
    const drops = parse(trace).filter((e) => e.rest.endsWith('DROPPED'));
    expect(drops).toHaveLength(effect.messagesDropped);
    expect(drops.filter((e) => !inWindow(e.us))).toEqual([]);

    // delay: exactly the added 20 ms on what was sent inside, none on what was sent outside
    expect(handled.some((h) => h.sentAtUs < opensUs) && handled.some((h) => h.sentAtUs > closesUs)).toBe(true);
    expect(handled.filter((h) => inWindow(h.sentAtUs) && h.atUs - h.sentAtUs !== latencyUs + 20 * MS)).toEqual([]);
    expect(handled.filter((h) => outside(h.sentAtUs) && h.atUs - h.sentAtUs !== latencyUs)).toEqual([]);

    // duplicates: a message handled twice was sent inside the window; none sent outside came twice
    const copies = new Map<string, Handled[]>();
    for (const h of handled) {
      const key = `${h.from}>${h.node} ${h.type} ${String(h.id)} @${h.sentAtUs}`;
      copies.set(key, [...(copies.get(key) ?? []), h]);
    }
    const twice = [...copies.values()].filter((list) => list.length > 1);
    expect(twice.length).toBeGreaterThan(0);
    expect(twice.length).toBeLessThanOrEqual(effect.messagesDuplicated); // the rest went to the store, which this log does not see
    expect(twice.filter((list) => list.length !== 2 || !inWindow(list[0].sentAtUs))).toEqual([]);
  });
});

describe('targets', () => {
  it('a fault on a node the design does not have is reported as skipped, not silently dropped', () => {
    const result = run({ faults: faults({ kind: 'pause', trigger: { kind: 'at', atUs: 1 * S }, target: 's4', durationUs: 1 * S }) });
    expect(result.faults[0].skipped).toBe('no node s4 in this design');
  });

  it('an `on` trigger that never happens is reported', () => {
    const result = run({ faults: faults({ kind: 'pause', trigger: { kind: 'on', event: 'acquired', node: 'c1', nth: 999, delayUs: 0 }, target: 'c1', durationUs: 1 * S }) });
    expect(result.faults[0].firedAt).toBeNull();
    expect(result.faults[0].skipped).toBe('its trigger never happened');
  });
});
