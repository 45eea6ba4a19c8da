/**
 * The `redis` design: redis.io's single-instance lock (`SET key random NX PX
 * ttl`, released by a compare-and-delete script or a plain DEL), with an
 * INCR fencing token, optional async replicas and Sentinel failover.
 *
 * Models: s1 is the primary; `replicas: N` adds s2..s(N+1) as asynchronous
 * replicas (each write shipped `replicationDelay` after its reply);
 * `failover: "sentinel"` adds `sentinels` Sentinel processes on the server
 * nodes after the replicas (replicas: 1, sentinels: 3 → s3, s4, s5), which
 * fail over at ODOWN with a majority authorising (see sentinel.ts); clients
 * then ask the Sentinels where the primary is. A server never promotes
 * itself. Permits > 1: a semaphore of N keys `lock:0..N-1`, SET NX on the
 * first free one (the way Redis semaphores are built in practice; no
 * per-holder fairness).
 * The service history is checked as a `lease-lock` (`lease-lock:N` for a
 * semaphore): servers emit `granted`, `expired {owner}` when the primary
 * finds a key run out, and `elected` / `stepped-down` for the primary;
 * Sentinels emit the metrics `sentinelOdown` (a Sentinel saw the primary
 * objectively down), `sentinelFailovers` (a leader switched the primary) and
 * `sentinelFailoverAborts`.
 * Does not model: Redis Cluster, lock extension, WAIT, min-replicas-to-write.
 */
import type { Design, DesignContext, LockClient, LostListener, NodeApi, NodeHandlers } from '../api/index.ts';
import { KnobReader } from '../api/index.ts';
import { createRedisClient } from './client.ts';
import { parseRedisKnobs, REDIS_KNOBS, type RedisKnobs } from './knobs.ts';
import { createSentinel } from './sentinel.ts';
import { createRedisServer } from '../shared/redis/server.ts';

export type { RedisKnobs } from './knobs.ts';

/** The deployment's nodes: the data servers (primary first) and the Sentinels, from the server names `s1..sN`. */
export function redisNodes(knobs: RedisKnobs, servers: readonly string[]): { data: readonly string[]; sentinels: readonly string[] } {
  const dataCount = 1 + knobs.replicas;
  const sentinelCount = knobs.failover === 'sentinel' ? knobs.sentinels : 0;
  if (servers.length !== dataCount + sentinelCount) throw new Error(`redis expects ${dataCount + sentinelCount} servers, got ${servers.length}`);
  return { data: servers.slice(0, dataCount), sentinels: servers.slice(dataCount) };
}

/** The `redis` design. */
export const redis: Design<RedisKnobs> = {
  name: 'redis',
  description: 'single Redis primary: SET NX PX lock, INCR fencing token, optional async replicas with Sentinel failover',
  knobs: REDIS_KNOBS,
  issuesTokens: true,
  isLock: true,
  historyModel: 'lease-lock',

  parseKnobs(raw: Readonly<Record<string, unknown>>): RedisKnobs {
    return parseRedisKnobs(new KnobReader(raw));
  },

  serverCount(knobs: RedisKnobs): number {
    return 1 + knobs.replicas + (knobs.failover === 'sentinel' ? knobs.sentinels : 0);
  },

  createServer(api: NodeApi, ctx: DesignContext<RedisKnobs>, index: number): NodeHandlers {
    const { knobs, servers } = ctx;
    if (servers[index] !== api.id) throw new Error(`redis server ${index} should be ${servers[index]}, is ${api.id}`);
    const { data, sentinels } = redisNodes(knobs, servers);
    if (index >= data.length) {
      return createSentinel(api, { servers: data, sentinels, initialPrimary: data[0], quorum: knobs.quorum, downAfterUs: knobs.failoverAfterUs });
    }
    return createRedisServer(api, {
      persistence: knobs.persistence,
      expiryClock: knobs.expiryClock,
      group: data,
      initialPrimary: data[0],
      replicationDelayUs: knobs.replicationDelayUs,
      restarted: false, // redis has no delayed restart: a restart serves at once
      restartDelayUs: 0,
      announceRole: true,
    });
  },

  createClient(api: NodeApi, ctx: DesignContext<RedisKnobs>, lost: LostListener): LockClient {
    const { knobs } = ctx;
    const { data, sentinels } = redisNodes(knobs, ctx.servers);
    return createRedisClient(
      api,
      {
        servers: data,
        sentinels,
        ttlUs: knobs.ttlUs,
        release: knobs.release,
        tokens: knobs.tokens,
        retryDelayUs: knobs.retryDelayUs,
        retryJitterUs: knobs.retryJitterUs,
        permits: ctx.permits,
      },
      lost,
    );
  },
};
