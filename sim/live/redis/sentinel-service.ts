/**
 * The `redis` design with `failover: "sentinel"` deployed for real
 * (deployment.ts says how): the data servers and the Sentinels, each behind
 * a relay (../peer-relay.ts) that sends every connection a server or
 * Sentinel opens to it through the proxy of that link, so partitions cut
 * Sentinel↔server, Sentinel↔Sentinel and replica→primary links as the
 * simulated network does.
 *
 * Start-up: the data servers start as primaries, announce their relay
 * (`CONFIG SET replica-announce-ip/port`), the replicas are pointed at s1's
 * relay (`REPLICAOF` + `CONFIG REWRITE`, as Sentinel itself reconfigures
 * servers, so a restart keeps the role), then the Sentinels start, and the
 * run waits until every Sentinel knows every replica and every other
 * Sentinel (the model's Sentinels know them from the start).
 * Observation: one observer per data server, sharing which grant holds each
 * key; only servers acting as primaries count (sentinel-watch.ts follows
 * `+promoted-slave`, `+switch-master`, `+convert-to-slave`), so during a
 * split brain both primaries' grants are seen, as in simulation.
 * `leader` is the primary the Sentinels' configuration names, while it is up.
 * Clients get their proxies to the Sentinels, and a NAT map from every
 * server's announced address to their own proxy to it (ioredis `natMap`).
 */
import { Redis } from 'ioredis';
import type { Durability } from '../../core/disk.ts';
import type { RedisChildConfig } from '../child-protocol.ts';
import type { TrueClock } from '../clock.ts';
import { PeerRelays } from '../peer-relay.ts';
import { fakeClocksFor, type FakeClock } from '../faketime.ts';
import type { LiveNetwork } from '../network.ts';
import { freePort, LOOPBACK } from '../ports.ts';
import type { LiveProcesses } from '../processes.ts';
import { RedisServer } from '../redis-server.ts';
import type { LiveServerInfo } from '../result.ts';
import type { ServerProcess } from '../server.ts';
import { linkClient, type LiveService, type ServiceEvent } from '../service.ts';
import { crashWipes, downAfterMs, failoverTimeoutMs, redisClientSettings, redisDataNames, redisSentinelNames, whyRedisCannotCrash } from './deployment.ts';
import { RedisObserver, type Holders } from './observer.ts';
import { MASTER_NAME, SentinelServer } from './sentinel-server.ts';
import { SentinelWatch } from './sentinel-watch.ts';
import type { RedisServiceOptions } from './service.ts';

/** Runs one command on 127.0.0.1:`port` with a short-lived connection. */
async function command(port: number, ...args: Array<string | number>): Promise<unknown> {
  const redis = new Redis({ host: LOOPBACK, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await redis.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    redis.disconnect();
  }
}

/** Polls `ok` every 25 ms until it holds, or throws `what` after `timeoutMs`. */
async function until(ok: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

/** A flat RESP map reply (`SENTINEL master`) as an object. */
function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

export async function startRedisSentinelService(
  registry: LiveProcesses,
  network: LiveNetwork,
  clock: TrueClock,
  options: RedisServiceOptions & { readonly timeScale: number },
  onEvent: (event: ServiceEvent) => void,
): Promise<LiveService> {
  const { knobs } = options;
  const readyMs = options.readyTimeoutMs ?? 30_000;
  const data = redisDataNames(knobs);
  const sentinelNames = redisSentinelNames(knobs);
  const names = [...data, ...sentinelNames];
  const aof = knobs.persistence;
  const clocks = fakeClocksFor(registry, names, clock, options.fakeClocks) ?? new Map<string, FakeClock>();
  const program = (kind: string): string => (clocks.size > 0 ? `${kind} (libfaketime)` : kind);
  const servers = new Map<string, RedisServer>();
  const sentinels = new Map<string, SentinelServer>();
  const processOf = (name: string): ServerProcess | undefined => servers.get(name) ?? sentinels.get(name);
  const relays = new PeerRelays(network, names);
  relays.bootstrapping = false;
  relays.identify((name) => {
    const p = processOf(name);
    return p !== undefined && p.alive() ? p.pid : null;
  });
  const announced = new Map<string, number>();
  const observers: RedisObserver[] = [];
  const watch = new SentinelWatch(data[0], (port) => [...announced].find(([, p]) => p === port)?.[0]);
  const events: ServiceEvent[] = [];
  const holders: Holders = new Map();
  const push = (event: ServiceEvent): void => {
    events.push(event);
    onEvent(event);
  };
  const closeAll = async (): Promise<void> => {
    for (const c of clocks.values()) c.close();
    for (const o of observers) await o.close();
    await watch.close();
    await relays.close();
  };

  try {
    for (const name of data) {
      const server = await RedisServer.start(registry, { name, aof, readyTimeoutMs: options.readyTimeoutMs, ...(clocks.has(name) ? { fakeClock: clocks.get(name)! } : {}) });
      servers.set(name, server);
      const relay = await relays.add(name, server.port);
      announced.set(name, relay);
      await command(server.port, 'CONFIG', 'SET', 'replica-announce-ip', LOOPBACK, 'replica-announce-port', relay);
      await command(server.port, 'CONFIG', 'REWRITE');
    }
    for (const name of data.slice(1)) {
      const port = servers.get(name)!.port;
      await command(port, 'REPLICAOF', LOOPBACK, announced.get(data[0])!);
      await command(port, 'CONFIG', 'REWRITE');
    }
    for (const name of data.slice(1)) {
      await until(async () => /master_link_status:up/.test(String(await command(servers.get(name)!.port, 'INFO', 'replication'))), readyMs, `redis replica ${name} did not link to its primary`);
    }
    for (const name of data) observers.push(await RedisObserver.start(name, servers.get(name)!.port, clock, push, { holders, counts: (server) => watch.actsAsPrimary(server) }));
    let index = 0;
    for (const name of sentinelNames) {
      const port = await freePort();
      const relay = await relays.add(name, port);
      announced.set(name, relay);
      const sentinel = await SentinelServer.start(registry, {
        name,
        index: ++index,
        port,
        announcePort: relay,
        primaryPort: announced.get(data[0])!,
        quorum: knobs.quorum,
        downAfterMs: downAfterMs(knobs),
        failoverTimeoutMs: failoverTimeoutMs(options.timeScale),
        parallelSyncs: Math.max(1, knobs.replicas),
        readyTimeoutMs: options.readyTimeoutMs,
        ...(clocks.has(name) ? { fakeClock: clocks.get(name)! } : {}),
      });
      sentinels.set(name, sentinel);
    }
    for (const sentinel of sentinels.values()) {
      await until(
        async () => {
          const m = pairs(await command(sentinel.port, 'SENTINEL', 'MASTER', MASTER_NAME));
          return Number(m['num-slaves']) === knobs.replicas && Number(m['num-other-sentinels']) === sentinelNames.length - 1 && !/down/.test(m.flags ?? 'down');
        },
        readyMs,
        `Sentinel ${sentinel.name} did not find every replica and every other Sentinel`,
      );
    }
    await watch.watch([...sentinels.values()].map((s) => s.port));
  } catch (error) {
    await closeAll();
    throw error;
  }

  const all = new Map<string, ServerProcess>([...servers, ...sentinels]);
  return {
    serverNames: names,
    servers: all as ReadonlyMap<string, ServerProcess>,
    events,
    quorum: 1,
    async connectClient(client: string, net: LiveNetwork): Promise<RedisChildConfig> {
      const ports = await linkClient(net, client, data, servers);
      const natMap: Record<string, number> = {};
      for (const { name, port } of ports) natMap[`${LOOPBACK}:${announced.get(name)!}`] = port;
      const sentinelPorts = await linkClient(net, client, sentinelNames, sentinels);
      return { ...redisClientSettings(knobs, options.commandTimeoutUs, ports), sentinels: sentinelPorts, masterName: MASTER_NAME, natMap };
    },
    leader: () => {
      const primary = watch.configuredPrimary();
      return servers.get(primary)?.alive() === true ? primary : null;
    },
    fakeClock: (node: string) => clocks.get(node),
    whyCannotCrash: (node: string, durable: Durability) => (sentinels.has(node) ? null : whyRedisCannotCrash(knobs, durable)),
    async crash(node: string, durable: Durability): Promise<Record<string, number>> {
      const target = all.get(node)!;
      await target.crash();
      if (sentinels.has(node)) {
        if (durable !== 'none') return {};
        target.wipeData();
        return { sentinelStateLost: 1 };
      }
      if (!crashWipes(durable) || aof === 'none') return {};
      target.wipeData();
      return { dataWiped: 1 };
    },
    async restart(node: string): Promise<void> {
      await all.get(node)!.restart();
    },
    info: (): LiveServerInfo[] => [
      ...[...servers.values()].map((s) => ({ name: s.name, program: program('redis-server'), port: s.port, dir: s.dir })),
      ...[...sentinels.values()].map((s) => ({ name: s.name, program: program('redis-server --sentinel'), port: s.port, dir: s.dir })),
    ],
    async close(): Promise<void> {
      await closeAll();
    },
  };
}
