/**
 * The `redis` design deployed for real (deployment.ts says how): starts s1
 * and its replicas through the process registry, each replica reaching s1
 * through its proxy, waits until every replica's link to its primary is
 * up, watches s1 with the observer, and gives each client its proxies.
 * Each server runs under its own faked clock when libfaketime is installed
 * (faketime.ts), so `clock-jump` and `clock-drift` on servers are live: a
 * jump on s1 moves the wall clock Redis expires keys by.
 * `leader` is s1 while it is up (no failover, as in simulation).
 */
import type { Durability } from '../../core/disk.ts';
import type { RedisChildConfig } from '../child-protocol.ts';
import type { TrueClock } from '../clock.ts';
import { fakeClocksFor, type FakeClock } from '../faketime.ts';
import type { LiveNetwork } from '../network.ts';
import type { LiveProcesses } from '../processes.ts';
import { tcpAsk } from '../ready.ts';
import { RedisServer } from '../redis-server.ts';
import type { LiveServerInfo } from '../result.ts';
import type { ServerProcess } from '../server.ts';
import { linkClient, type LiveService } from '../service.ts';
import { crashWipes, redisClientSettings, redisServerNames, whyRedisCannotCrash, type RedisLiveKnobs } from './deployment.ts';
import { RedisObserver, type ServiceEvent } from './observer.ts';

export interface RedisServiceOptions {
  readonly knobs: RedisLiveKnobs;
  /** The simulated client's command timeout, scaled (µs). */
  readonly commandTimeoutUs: number;
  readonly readyTimeoutMs?: number;
  /** Run the servers under libfaketime (a clock fault names them). */
  readonly fakeClocks: boolean;
}

/** Waits until replica `port` reports `master_link_status:up`. */
async function replicaLinked(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (/master_link_status:up/.test(await tcpAsk(port, 'INFO replication\r\n', (a) => a.includes('master_link_status')))) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis replica on port ${port} did not link to its primary within ${timeoutMs} ms`);
}

export async function startRedisService(registry: LiveProcesses, network: LiveNetwork, clock: TrueClock, options: RedisServiceOptions, onEvent: (event: ServiceEvent) => void): Promise<LiveService> {
  const { knobs } = options;
  const names = redisServerNames(knobs);
  const aof = knobs.persistence;
  // Without libfaketime the servers run on the real clock, and a clock fault says why when it fires.
  const clocks = fakeClocksFor(registry, names, clock, options.fakeClocks) ?? new Map<string, FakeClock>();
  const program = clocks.size > 0 ? 'redis-server (libfaketime)' : 'redis-server';
  const servers = new Map<string, RedisServer>();
  const common = (name: string) => ({ name, aof, readyTimeoutMs: options.readyTimeoutMs, ...(clocks.has(name) ? { fakeClock: clocks.get(name)! } : {}) });
  let observer: RedisObserver;
  try {
    const primary = await RedisServer.start(registry, common(names[0]));
    servers.set(names[0], primary);
    for (const name of names.slice(1)) {
      const link = await network.link(name, names[0], primary.port);
      servers.set(name, await RedisServer.start(registry, { ...common(name), replicaOfPort: link.port }));
    }
    await Promise.all([...servers.values()].slice(1).map((replica) => replicaLinked(replica.port, options.readyTimeoutMs ?? 30_000)));
    observer = await RedisObserver.start(names[0], primary.port, clock, onEvent);
  } catch (error) {
    for (const c of clocks.values()) c.close();
    throw error;
  }
  const primary = servers.get(names[0])!;

  return {
    serverNames: names,
    servers: servers as ReadonlyMap<string, ServerProcess>,
    get events() {
      return observer.events;
    },
    quorum: 1,
    async connectClient(client: string, net: LiveNetwork): Promise<RedisChildConfig> {
      return redisClientSettings(knobs, options.commandTimeoutUs, await linkClient(net, client, names, servers));
    },
    leader: () => (primary.alive() ? names[0] : null),
    fakeClock: (node: string) => clocks.get(node),
    whyCannotCrash: (_node: string, durable: Durability) => whyRedisCannotCrash(knobs, durable),
    async crash(node: string, durable: Durability): Promise<Record<string, number>> {
      const server = servers.get(node)!;
      await server.crash();
      if (!crashWipes(durable) || aof === 'none') return {};
      server.wipeData();
      return { dataWiped: 1 };
    },
    async restart(node: string): Promise<void> {
      await servers.get(node)!.restart();
    },
    info: (): LiveServerInfo[] => [...servers.values()].map((s) => ({ name: s.name, program, port: s.port, dir: s.dir })),
    async close(): Promise<void> {
      for (const c of clocks.values()) c.close();
      await observer.close();
    },
  };
}
