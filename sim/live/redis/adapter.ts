/**
 * The `redis` design's live adapter (adapter.ts): one redis-server primary
 * and its replicas (deployment.ts), under libfaketime for clock faults,
 * started by service.ts, or with real Sentinels by sentinel-service.ts
 * (`failover: "sentinel"`); the client library is ioredis (client.ts).
 */
import { US_PER_MS } from '../../../algorithms/api/index.ts';
import type { LiveAdapter } from '../adapter.ts';
import { scaleClientTimeoutUs } from '../time-scale.ts';
import { redisKnobMappings, redisServerNames, whyRedisCannotCrash, whyRedisUnsupported, type RedisLiveKnobs } from './deployment.ts';
import { startRedisSentinelService } from './sentinel-service.ts';
import { startRedisService } from './service.ts';

/** The simulated Redis client's command timeout (algorithms/redis/client.ts, COMMAND_TIMEOUT_US). */
const REDIS_COMMAND_TIMEOUT_US = 500 * US_PER_MS;

export const REDIS_ADAPTER: LiveAdapter<RedisLiveKnobs> = {
  design: 'redis',
  programs: ['redis-server'],
  serverNames: redisServerNames,
  knobMappings: redisKnobMappings,
  fakesClocks: () => true,
  whyUnsupported: whyRedisUnsupported,
  whyCannotCrash: (knobs, _node, durable) => whyRedisCannotCrash(knobs, durable),
  leaseUs: (knobs) => knobs.ttlUs,
  start: (knobs, ctx) => {
    const options = { knobs, commandTimeoutUs: scaleClientTimeoutUs(REDIS_COMMAND_TIMEOUT_US, ctx.timeScale), readyTimeoutMs: ctx.readyTimeoutMs, fakeClocks: ctx.fakeClocks };
    return knobs.failover === 'sentinel'
      ? startRedisSentinelService(ctx.registry, ctx.network, ctx.clock, { ...options, timeScale: ctx.timeScale }, ctx.onEvent)
      : startRedisService(ctx.registry, ctx.network, ctx.clock, options, ctx.onEvent);
  },
};
