/**
 * The `redlock` design's live adapter (adapter.ts): N independent
 * redis-server instances, under libfaketime for clock faults
 * (deployment.ts, service.ts); the client library is node-redlock 4.2.0
 * over ioredis (client.ts).
 */
import type { LiveAdapter } from '../adapter.ts';
import { redlockKnobMappings, redlockServerNames, whyRedlockCannotCrash, whyRedlockUnsupported, type RedlockLiveKnobs } from './deployment.ts';
import { startRedlockService } from './service.ts';

export const REDLOCK_ADAPTER: LiveAdapter<RedlockLiveKnobs> = {
  design: 'redlock',
  programs: ['redis-server'],
  serverNames: redlockServerNames,
  knobMappings: redlockKnobMappings,
  fakesClocks: () => true,
  whyUnsupported: whyRedlockUnsupported,
  whyCannotCrash: (knobs, _node, durable) => whyRedlockCannotCrash(knobs, durable),
  leaseUs: (knobs) => knobs.ttlUs,
  start: (knobs, ctx) => startRedlockService(ctx.registry, ctx.clock, { knobs, readyTimeoutMs: ctx.readyTimeoutMs, fakeClocks: ctx.fakeClocks }, ctx.onEvent),
};
