/**
 * The core's livelock guard (issue 8, item 6): a run whose true time stops
 * advancing is stopped with a `LivelockError` naming the node and the event
 * it kept handling, instead of spinning for ever; a large but finite pile of
 * events at one instant (a resumed node's backlog) is not a livelock; and
 * the loader refuses up front the one valid-looking combination known to
 * spin (zero latency with zero retry delay and jitter).
 */
import { describe, expect, it } from 'vitest';
import type { NodeApi } from '../algorithms/api/index.ts';
import { LIVELOCK_EVENTS, LivelockError, Simulation, type NodeSpec } from '../sim/core/engine.ts';
import { Rng } from '../sim/core/rng.ts';
import { InputError } from '../sim/scenario/errors.ts';
import { parseScenario, runDesign } from './support/designs.ts';

const NO_LATENCY = { latencyUs: { minUs: 0, maxUs: 0 }, loss: 0, duplicate: 0 };
const LOW_LIMIT = 20_000;

/** A node that does nothing on its own. */
const quiet = (id: string): NodeSpec => ({ id, role: 'server', boot: () => ({ onMessage: () => {} }) });

function simulation(specs: NodeSpec[]): Simulation {
  const sim = new Simulation(new Rng(1), specs, NO_LATENCY);
  sim.livelockEvents = LOW_LIMIT;
  sim.start();
  return sim;
}

describe('the livelock guard in Simulation.run', () => {
  it('documents a limit far above any legitimate burst (the largest in the built-in suite is 48 events at one instant)', () => {
    expect(LIVELOCK_EVENTS).toBe(1_000_000);
  });

  it('stops a node re-arming a zero-delay timer, naming the node, the event and the instant', () => {
    const spinner: NodeSpec = {
      id: 's1',
      role: 'server',
      boot: (api: NodeApi) => {
        const spin = (): void => void api.setTimer(0, spin);
        api.setTimer(1_500, spin);
        return { onMessage: () => {} };
      },
    };
    const sim = simulation([spinner, quiet('s2')]);
    let error: unknown;
    try {
      sim.run(10_000_000);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LivelockError);
    const livelock = error as LivelockError;
    expect(livelock.atUs).toBe(1_500);
    expect(livelock.events).toBe(LOW_LIMIT);
    expect(livelock.culprits[0]).toEqual({ node: 's1', event: 'timer', count: expect.any(Number) });
    expect(livelock.message).toMatch(/^livelock: true time stopped at 0\.001500s; 20000 events were handled there without it advancing, mostly s1 timer \(\d+×\)/);
    expect(sim.nowUs).toBe(1_500);
  });

  it('names both ends of a message ping-pong at zero latency', () => {
    const pinger = (id: string, peer: string, starts: boolean): NodeSpec => ({
      id,
      role: 'server',
      boot: (api: NodeApi) => {
        if (starts) api.setTimer(7, () => api.send(peer, { type: 'ping' }));
        return { onMessage: (from) => api.send(from, { type: 'ping' }) };
      },
    });
    const sim = simulation([pinger('s1', 's2', true), pinger('s2', 's1', false)]);
    let error: unknown;
    try {
      sim.run(1_000_000);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LivelockError);
    expect((error as LivelockError).atUs).toBe(7);
    const culprits = (error as LivelockError).culprits.map((c) => `${c.node} ${c.event}`);
    expect(culprits.sort()).toEqual(['s1 <- s2 ping', 's2 <- s1 ping']);
  });

  it('does not call a resumed node working off a large backlog at one instant a livelock', () => {
    // s2 sends s1 a message every µs while s1 is paused: the backlog is handled at the resume instant.
    const backlog = 3 * LOW_LIMIT;
    const sender: NodeSpec = {
      id: 's2',
      role: 'server',
      boot: (api: NodeApi) => {
        let sent = 0;
        const tick = (): void => {
          api.send('s1', { type: 'tick' });
          if (++sent < backlog) api.setTimer(1, tick);
        };
        api.setTimer(1, tick);
        return { onMessage: () => {} };
      },
    };
    let received = 0;
    const receiver: NodeSpec = { id: 's1', role: 'server', boot: () => ({ onMessage: () => void received++ }) };
    const sim = simulation([receiver, sender]);
    sim.pause(sim.node('s1')!, backlog + 10, () => {});
    sim.run(backlog + 100);
    expect(received).toBe(backlog);
  });

  it('adds nothing to the trace and changes no result of a normal run (the golden hashes test checks every built-in)', () => {
    const scenario = parseScenario({ designs: ['redis'], duration: '5s', workload: { clients: 2, sections: 2 } }, 'calm.json');
    const a = runDesign(scenario, 'redis', 1);
    const b = runDesign(scenario, 'redis', 1);
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.events).toBeGreaterThan(0);
  });
});

describe('a redis client spinning on a busy lock at zero latency', () => {
  const spinning = { designs: ['redis'], duration: '10s', network: { latency: '0ms' }, config: { redis: { retryDelay: '0s', retryJitter: '0s' } } };

  it('is refused at load time, naming the knob and what would let time advance', () => {
    let error: unknown;
    try {
      parseScenario(spinning, 'spin.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      /^spin\.json: config\.redis\.retryDelay: retryDelay and retryJitter are both 0 on a network with zero latency: .*time would never advance; expected a retryDelay or retryJitter above 0/,
    );
  });

  it('is accepted with any retry jitter, any latency, or a single client (nothing to contend with)', () => {
    expect(() => parseScenario({ ...spinning, config: { redis: { retryDelay: '0s', retryJitter: '1ms' } } }, 'ok.json')).not.toThrow();
    expect(() => parseScenario({ ...spinning, network: { latency: { min: '0ms', max: '1ms' } } }, 'ok.json')).not.toThrow();
    expect(() => parseScenario({ ...spinning, workload: { clients: 1 } }, 'ok.json')).not.toThrow();
  });

  it('if it got past the loader, is stopped by the core with a LivelockError naming the client and its retries (real limit)', () => {
    const valid = parseScenario({ ...spinning, network: { latency: '1ms' } }, 'spin.json');
    const spin = { ...valid, network: { ...valid.network, latencyUs: { minUs: 0, maxUs: 0 } } };
    let error: unknown;
    try {
      runDesign(spin, 'redis', 1);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LivelockError);
    const livelock = error as LivelockError;
    expect(livelock.atUs).toBe(0);
    expect(livelock.events).toBe(LIVELOCK_EVENTS);
    const named = livelock.culprits.map((c) => `${c.node} ${c.event}`);
    expect(named).toContain('s1 <- c2 redis.acquire');
    expect(named.some((n) => /^c\d timer$/.test(n))).toBe(true);
    expect(livelock.message).toMatch(/^livelock: true time stopped at 0\.000000s; 1000000 events were handled there/);
  });
});
