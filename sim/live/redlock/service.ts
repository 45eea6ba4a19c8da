/**
 * The `redlock` design deployed for real (deployment.ts says how): N
 * independent redis-server instances started through the process registry,
 * each under its own faked clock when libfaketime is installed
 * (faketime.ts; the server names carry the clocks, so the fault scheduler
 * finds them), one observer per instance (../redis/observer.ts, connected
 * directly, outside every partition), and per client one proxy per
 * instance. The observers' events go into one list in the order the
 * harness received them (each instance's own order is kept; across
 * instances, receipt order stands for true order). No instance leads, so
 * `leader` is null (as in simulation, where a `leader` target is skipped
 * for Redlock). The lease quorum is ⌊N/2⌋+1.
 */
import { majority } from '../../../algorithms/api/index.ts';
import type { Durability } from '../../core/disk.ts';
import type { RedlockChildConfig } from '../child-protocol.ts';
import type { TrueClock } from '../clock.ts';
import { fakeClocksFor, type FakeClock } from '../faketime.ts';
import type { LiveNetwork } from '../network.ts';
import type { LiveProcesses } from '../processes.ts';
import { RedisObserver } from '../redis/observer.ts';
import { RedisServer } from '../redis-server.ts';
import type { LiveServerInfo } from '../result.ts';
import type { ServerProcess } from '../server.ts';
import { linkClient, type LiveService, type ServiceEvent } from '../service.ts';
import { redlockServerNames, requestTimeoutMs, ttlMs, whyRedlockCannotCrash, type RedlockLiveKnobs } from './deployment.ts';

export interface RedlockServiceOptions {
  readonly knobs: RedlockLiveKnobs;
  readonly readyTimeoutMs?: number;
  /** Run the instances under libfaketime (a clock fault names them). */
  readonly fakeClocks: boolean;
}

export async function startRedlockService(
  registry: LiveProcesses,
  clock: TrueClock,
  options: RedlockServiceOptions,
  onEvent: (event: ServiceEvent) => void,
): Promise<LiveService> {
  const { knobs } = options;
  const planned = redlockServerNames(knobs);
  // Without libfaketime the names carry no clocks, and a clock fault says why when it fires.
  const clocks = fakeClocksFor(registry, planned, clock, options.fakeClocks) ?? new Map<string, FakeClock>();
  const faked = clocks.size > 0;
  const names = [...planned];
  const servers = new Map<string, RedisServer>();
  const events: ServiceEvent[] = [];
  const observers: RedisObserver[] = [];
  const push = (event: ServiceEvent): void => {
    events.push(event);
    onEvent(event);
  };
  try {
    const started = await Promise.all(
      names.map((name) =>
        RedisServer.start(registry, { name, aof: knobs.persistence, readyTimeoutMs: options.readyTimeoutMs, ...(faked ? { fakeClock: clocks.get(name)! } : {}) }),
      ),
    );
    for (const server of started) servers.set(server.name, server);
    for (const server of started) observers.push(await RedisObserver.start(server.name, server.port, clock, push));
  } catch (error) {
    for (const c of clocks.values()) c.close();
    for (const o of observers) await o.close();
    throw error;
  }

  return {
    serverNames: names,
    servers: servers as ReadonlyMap<string, ServerProcess>,
    events,
    quorum: majority(names.length),
    async connectClient(client: string, net: LiveNetwork): Promise<RedlockChildConfig> {
      const ports = await linkClient(net, client, names, servers);
      return {
        design: 'redlock',
        servers: ports,
        ttlMs: ttlMs(knobs),
        driftFactor: knobs.driftFactor,
        requestTimeoutMs: requestTimeoutMs(knobs),
        retryDelayUs: knobs.retryDelayUs,
        retryJitterUs: knobs.retryJitterUs,
      };
    },
    leader: () => null,
    fakeClock: (node: string) => clocks.get(node),
    whyCannotCrash: (_node: string, durable: Durability) => whyRedlockCannotCrash(knobs, durable),
    async crash(node: string, durable: Durability): Promise<Record<string, number>> {
      const server = servers.get(node)!;
      await server.crash();
      if (durable !== 'none' || knobs.persistence === 'none') return {};
      server.wipeData();
      return { dataWiped: 1 };
    },
    async restart(node: string): Promise<void> {
      if (knobs.restartDelayUs > 0) await new Promise((resolve) => setTimeout(resolve, knobs.restartDelayUs / 1000));
      await servers.get(node)!.restart();
    },
    info: (): LiveServerInfo[] => [...servers.values()].map((s) => ({ name: s.name, program: faked ? 'redis-server (libfaketime)' : 'redis-server', port: s.port, dir: s.dir })),
    async close(): Promise<void> {
      for (const c of clocks.values()) c.close();
      for (const o of observers) await o.close();
    },
  };
}
