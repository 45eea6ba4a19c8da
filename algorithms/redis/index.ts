/**
 * The `redis` design: redis.io's single-instance lock (`SET key random NX PX
 * ttl`, released by a compare-and-delete script or a plain DEL), with an
 * INCR fencing token, optional async replicas and a Sentinel-style failover.
 *
 * Models: s1 is the primary; `replicas: N` adds s2..s(N+1) as asynchronous
 * replicas; `failover: "sentinel"` lets a replica promote itself after the
 * primary is silent for `failoverAfter` (see server.ts). Permits > 1: a
 * semaphore of N keys `lock:0..N-1`, SET NX on the first free one (the way
 * Redis semaphores are built in practice; no per-holder fairness).
 * The service history is checked as a `lease-lock` (`lease-lock:N` for a
 * semaphore): servers emit `granted`, `expired {owner}` when the primary
 * finds a key run out, and `elected` / `stepped-down` for the primary.
 * Does not model: Redis Cluster, lock extension, WAIT.
 */
import type { Design, DesignContext, LockClient, LostListener, NodeApi, NodeHandlers } from '../api/index.ts';
import { KnobReader } from '../api/index.ts';
import { createRedisClient } from './client.ts';
import { parseRedisKnobs, REDIS_KNOBS, type RedisKnobs } from './knobs.ts';
import { createRedisServer } from '../shared/redis/server.ts';

export type { RedisKnobs } from './knobs.ts';

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
    return 1 + knobs.replicas;
  },

  createServer(api: NodeApi, ctx: DesignContext<RedisKnobs>, index: number): NodeHandlers {
    const { knobs, servers } = ctx;
    if (servers.length !== 1 + knobs.replicas) throw new Error(`redis expects ${1 + knobs.replicas} servers, got ${servers.length}`);
    if (servers[index] !== api.id) throw new Error(`redis server ${index} should be ${servers[index]}, is ${api.id}`);
    return createRedisServer(api, {
      persistence: knobs.persistence,
      expiryClock: knobs.expiryClock,
      group: servers,
      initialPrimary: servers[0],
      failover: knobs.failover,
      failoverAfterUs: knobs.failoverAfterUs,
      restartDelayUs: 0,
      announceRole: true,
    });
  },

  createClient(api: NodeApi, ctx: DesignContext<RedisKnobs>, lost: LostListener): LockClient {
    const { knobs } = ctx;
    return createRedisClient(
      api,
      {
        servers: ctx.servers,
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
