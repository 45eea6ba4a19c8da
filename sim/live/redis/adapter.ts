/**
 * The `redis` design's live adapter (adapter.ts): one redis-server primary
 * and its replicas (deployment.ts), started by service.ts; the client
 * library is ioredis (client.ts).
 */
import { US_PER_MS } from '../../../algorithms/api/index.ts';
import type { LiveAdapter } from '../adapter.ts';
import { scaleClientTimeoutUs } from '../time-scale.ts';
import { redisKnobMappings, redisServerNames, whyRedisCannotCrash, whyRedisUnsupported, type RedisLiveKnobs } from './deployment.ts';
import { startRedisService } from './service.ts';

/** The simulated Redis client's command timeout (algorithms/redis/client.ts, COMMAND_TIMEOUT_US). */
const REDIS_COMMAND_TIMEOUT_US = 500 * US_PER_MS;

export const REDIS_ADAPTER: LiveAdapter<RedisLiveKnobs> = {
  design: 'redis',
  programs: ['redis-server'],
  serverNames: redisServerNames,
  knobMappings: redisKnobMappings,
  fakesClocks: () => false,
  whyUnsupported: whyRedisUnsupported,
  whyCannotCrash: (knobs, _node, durable) => whyRedisCannotCrash(knobs, durable),
  leaseUs: (knobs) => knobs.ttlUs,
  start: (knobs, ctx) =>
    startRedisService(
      ctx.registry,
      ctx.network,
      ctx.clock,
      { knobs, commandTimeoutUs: scaleClientTimeoutUs(REDIS_COMMAND_TIMEOUT_US, ctx.timeScale), readyTimeoutMs: ctx.readyTimeoutMs },
      ctx.onEvent,
    ),
};
