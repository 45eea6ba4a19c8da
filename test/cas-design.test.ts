/**
 * The `cas` design and the simulator's support for lock-free designs: knobs,
 * the register state machine, durability per replication mode, a blind-write
 * negative control (the checks must catch lost updates), and the section
 * workload's accounting and invariants.
 */
import { describe, expect, it } from 'vitest';
import type { Design, Message, NodeApi, SectionClient } from '../algorithms/api/index.ts';
import { KnobError } from '../algorithms/api/index.ts';
import { runDesignWith } from '../sim/harness/run-design.ts';
import { DESIGNS } from '../algorithms/index.ts';
import { cas, type CasKnobs } from '../algorithms/cas/index.ts';
import { applyCas, INITIAL_REGISTER } from '../algorithms/cas/register.ts';
import { faults, scenario, MS, S } from './support/scenario.ts';

const casDesign: Design = cas;

function casScenario(config: Record<string, unknown>, extra: Parameters<typeof scenario>[0] = {}): ReturnType<typeof scenario> {
  return scenario({
    designs: ['cas'],
    config: { cas: config },
    durationUs: 20 * S,
    ...extra,
    workload: { clients: 3, sections: 40, holdUs: { minUs: 20 * MS, maxUs: 100 * MS }, thinkUs: { minUs: 50 * MS, maxUs: 150 * MS }, acquireTimeoutUs: 2 * S, ...extra.workload },
  });
}

describe('cas knobs', () => {
  it('has the SPEC defaults', () => {
    expect(cas.parseKnobs({}, 1)).toEqual({ servers: 1, replication: 'none', failoverAfterUs: 5 * S, retries: 10, backoffUs: 10 * MS } satisfies CasKnobs);
    expect(cas.serverCount(cas.parseKnobs({ servers: 4, replication: 'async' }, 1))).toBe(4);
  });

  it('is registered, not a lock, checked against cas-register', () => {
    expect(DESIGNS.get('cas')).toBe(cas);
    expect(cas.isLock).toBe(false);
    expect(cas.historyModel).toBe('cas-register');
    expect(cas.createSectionClient).toBeTypeOf('function');
  });

  it('refuses inconsistent server counts with a clear KnobError', () => {
    const refuse = (raw: Record<string, unknown>, message: RegExp): void => {
      let error: unknown;
      try {
        cas.parseKnobs(raw, 1);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KnobError);
      expect((error as KnobError).path).toEqual(['servers']);
      expect((error as KnobError).message).toMatch(message);
    };
    refuse({ servers: 3 }, /need a replication mode/);
    refuse({ replication: 'async' }, /servers ≥ 2, got 1/);
    refuse({ servers: 2, replication: 'sync' }, /servers ≥ 3, got 2/);
  });

  it('refuses unknown knobs and accepts the workload permits', () => {
    expect(() => cas.parseKnobs({ ttl: '10s' }, 1)).toThrow(/unknown knob/);
    expect(() => cas.parseKnobs({ permits: 2 }, 2)).not.toThrow();
    expect(() => cas.parseKnobs({ retries: -1 }, 1)).toThrow(KnobError);
  });
});

describe('the register state machine', () => {
  it('swaps only on the expected version, bumping it by one', () => {
    const a = applyCas(INITIAL_REGISTER, { client: 'c1', rid: 'r1', from: 0, value: 7 });
    expect(a).toMatchObject({ ok: true, duplicate: false, state: { value: 7, version: 1 } });
    const b = applyCas(a.state, { client: 'c2', rid: 'r2', from: 0, value: 9 });
    expect(b).toMatchObject({ ok: false, duplicate: false });
    expect(b.state).toBe(a.state);
  });

  it('answers a retried request from its first success instead of applying it twice', () => {
    const a = applyCas(INITIAL_REGISTER, { client: 'c1', rid: 'r1', from: 0, value: 1 });
    const b = applyCas(a.state, { client: 'c2', rid: 'r2', from: 1, value: 2 });
    const retry = applyCas(b.state, { client: 'c1', rid: 'r1', from: 0, value: 1 });
    expect(retry).toMatchObject({ ok: true, duplicate: true });
    expect(retry.state).toBe(b.state);
  });
});

describe('durability', () => {
  const crashS1 = (durable: 'fsynced' | 'none', restartAfterUs: number) =>
    faults({ kind: 'crash', target: 's1', durable, restartAfterUs, trigger: { kind: 'at', atUs: 1 * S } });

  it('none: a write is fsynced before it is acknowledged, so a power loss keeps it', () => {
    const result = runDesignWith(casScenario({}, { faults: crashS1('fsynced', 500 * MS) }), casDesign, 1);
    expect(result.faults[0].effect.crashed).toBe(1);
    expect(result.safe).toBe(true);
    expect(result.metrics.sections).toBe(120);
  });

  it('none: a server that loses its disk restarts at version 0 and loses every acknowledged update', () => {
    const result = runDesignWith(casScenario({}, { faults: crashS1('none', 500 * MS) }), casDesign, 1);
    expect(result.checks.resource?.ok).toBe(false);
    expect(result.checks.linearizable?.ok).toBe(false);
  });

  it('async: a primary restarting without its disk before any failover wipes its replicas too (the Redis no-persistence hazard)', () => {
    const result = runDesignWith(casScenario({ servers: 2, replication: 'async' }, { faults: crashS1('none', 500 * MS) }), casDesign, 1);
    expect(result.metrics.elections).toBe(0);
    expect(result.checks.resource?.ok).toBe(false);
  });

  it('async: the same restart with the disk intact loses nothing', () => {
    const result = runDesignWith(casScenario({ servers: 2, replication: 'async' }, { faults: crashS1('fsynced', 500 * MS) }), casDesign, 1);
    expect(result.safe).toBe(true);
  });

  it('async: a partition longer than failoverAfter makes two primaries, and the demoted one drops its acknowledged writes', () => {
    const split = faults({
      kind: 'partition', shape: undefined, target: undefined, groups: [['s1', 'c1'], ['others']], cut: undefined, oneWay: false,
      durationUs: 4 * S, trigger: { kind: 'at', atUs: 1 * S },
    });
    const result = runDesignWith(casScenario({ servers: 2, replication: 'async', failoverAfter: '1s' }, { faults: split }), casDesign, 1);
    expect(result.metrics.elections).toBe(1);
    expect(result.checks.resource?.ok).toBe(false);
    expect(result.checks.linearizable?.ok).toBe(false);
  });

  it('sync: the same partition leaves the minority leader unable to commit, so nothing is lost', () => {
    const split = faults({
      kind: 'partition', shape: undefined, target: undefined, groups: [['leader', 'c1'], ['others']], cut: undefined, oneWay: false,
      durationUs: 4 * S, trigger: { kind: 'at', atUs: 1 * S },
    });
    const result = runDesignWith(casScenario({ servers: 3, replication: 'sync' }, { faults: split }), casDesign, 1);
    // The bootstrap election is not counted (warm start): the partition forces at least one more.
    expect(result.metrics.elections).toBeGreaterThanOrEqual(1);
    expect(result.safe).toBe(true);
  });
});

describe('negative control: a register that ignores the compare', () => {
  // Last writer wins, while telling every client its compare-and-set succeeded.
  const blind: Design<unknown> = {
    ...casDesign,
    createServer(api: NodeApi) {
      let value = 0;
      let version = 0;
      return {
        onMessage(from: string, msg: Message): void {
          const result = msg.op === 'read' ? { op: 'read', value, version } : { op: 'cas', ok: true };
          if (msg.op === 'cas') {
            value = msg.value as number;
            version = (msg.from as number) + 1;
            api.emit({ kind: 'granted', client: from, token: version });
          }
          api.send(from, { type: 'cas.reply', rid: msg.rid, attempt: msg.attempt, result });
        },
      };
    },
  };

  it('loses updates under contention, and resource, linearizable and fencing catch it', () => {
    const result = runDesignWith(casScenario({}, { workload: { clients: 4 } }), blind, 1);
    expect(result.checks.resource?.ok).toBe(false);
    expect(result.checks.linearizable?.ok).toBe(false);
    expect(result.checks.fencing?.ok).toBe(false);
  });
});

describe('the section workload', () => {
  /** A cas design whose client is replaced. */
  const withClient = (make: (api: NodeApi) => SectionClient): Design<unknown> => ({ ...casDesign, createSectionClient: (api) => make(api) });

  it('abandons a section at the deadline, counts it failed, and leaves its operation open', () => {
    // A client whose read is never answered (its server is never asked).
    const silent = withClient(() => ({
      runSection(_hold, _done, track) {
        track.invoked({ f: 'read' });
      },
      abandon() {},
      onMessage() {},
    }));
    const result = runDesignWith(casScenario({}, { durationUs: 5 * S, workload: { clients: 1, acquireTimeoutUs: 1 * S, thinkUs: { minUs: 100 * MS, maxUs: 100 * MS } } }), silent, 1);
    expect(result.metrics.sections).toBe(0);
    expect(result.metrics.failedAcquires).toBe(4); // deadlines at 1s, 2.1s, 3.2s, 4.3s
    expect(result.metrics.acquireP50Ms).toBeNull();
    expect(result.checks.linearizable).toMatchObject({ ok: true, ops: 5 }); // four abandoned reads and the one cut off by the end
    expect(result.checks.resource).toMatchObject({ ok: true, writes: 0 });
  });

  it('refuses a client that answers an operation as another kind', () => {
    const confused = withClient((api) => ({
      runSection(_hold, _done, track) {
        const index = track.invoked({ f: 'read' });
        api.setTimer(1 * MS, () => track.returned(index, { f: 'cas', ok: true }));
      },
      abandon() {},
      onMessage() {},
    }));
    expect(() => runDesignWith(casScenario({}), confused, 1)).toThrow(/was a read, answered as a cas/);
  });

  it('refuses a client that reports after its section was abandoned', () => {
    const late = withClient((api) => ({
      runSection(_hold, done, track) {
        track.invoked({ f: 'read' });
        api.setTimer(3 * S, () => done({ ops: [{ call: { f: 'read' }, result: null }], written: false }));
      },
      abandon() {},
      onMessage() {},
    }));
    expect(() => runDesignWith(casScenario({}), late, 1)).toThrow(/after its section 1 ended or was abandoned/);
  });

  it('refuses an outcome that contradicts the operations reported', () => {
    const boastful = withClient((api) => ({
      runSection(_hold, done, track) {
        const index = track.invoked({ f: 'read' });
        api.setTimer(1 * MS, () => {
          track.returned(index, { f: 'read', value: 0, version: 0 });
          done({ ops: [{ call: { f: 'read' }, result: { f: 'read', value: 0, version: 0 } }], written: true });
        });
      },
      abandon() {},
      onMessage() {},
    }));
    expect(() => runDesignWith(casScenario({}), boastful, 1)).toThrow(/says written=true/);
  });
});
