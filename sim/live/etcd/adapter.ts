/**
 * The live adapters (adapter.ts) of the two designs etcd stands for:
 *
 * - `raft-lock` → etcd's lease-based mutex: an etcd cluster
 *   (deployment.ts, service.ts), clients running concurrency.Mutex's recipe
 *   over the etcd3 client (lock-client.ts), the create revision as the
 *   fencing token;
 * - `cas` → etcd transactions on mod_revision (cas-client.ts) through the
 *   lock-free section workload (section-workload-live.ts); `replication:
 *   "sync"` is an etcd cluster, `"none"` a single member, `"async"` has no
 *   real counterpart.
 *
 * Timing constants of the simulated clients that are not knobs are scaled
 * with `--time-scale` (time-scale.ts), with etcd's own floors: a request
 * deadline of at least REQUEST_TIMEOUT_FLOOR_MS, and etcd3's 5 s circuit
 * breaker and the watch reconnect pause scaled too.
 */
import { US_PER_MS } from '../../../algorithms/api/index.ts';
import type { LiveAdapter, LiveStartContext } from '../adapter.ts';
import { scaleClientTimeoutUs, scaleUs } from '../time-scale.ts';
import { BREAKER_HALF_OPEN_MS, REQUEST_TIMEOUT_FLOOR_MS, type EtcdClientTiming } from './connect.ts';
import {
  ETCD_NO_FAKE_CLOCKS,
  CAS_DONE_PREFIX,
  casKnobMappings,
  casServerNames,
  casTiming,
  leaseTtlS,
  LOCK_PREFIX,
  raftLockKnobMappings,
  raftLockServerNames,
  raftLockTiming,
  REGISTER_KEY,
  RELEASED_PREFIX,
  whyCasUnsupported,
  whyEtcdCannotCrash,
  type CasLiveKnobs,
  type RaftLockLiveKnobs,
} from './deployment.ts';
import { startEtcdService } from './service.ts';

/** The simulated cas client's constants (algorithms/cas/client.ts): request timeout, pause when no server answers, backoff ceiling. */
const CAS_REQUEST_TIMEOUT_US = 250 * US_PER_MS;
const CAS_NO_LEADER_BACKOFF_US = 50 * US_PER_MS;
const CAS_MAX_BACKOFF_US = 1000 * US_PER_MS;

/** The live clients' etcd3 timing for a request timeout and retry pause (µs, already scaled) at `timeScale`. */
function clientTiming(requestTimeoutUs: number, retryPauseUs: number, timeScale: number): EtcdClientTiming {
  return {
    requestTimeoutMs: Math.max(REQUEST_TIMEOUT_FLOOR_MS, Math.round(requestTimeoutUs / 1000)),
    retryPauseMs: Math.max(1, Math.round(retryPauseUs / 1000)),
    breakerHalfOpenMs: Math.round(scaleClientTimeoutUs(BREAKER_HALF_OPEN_MS * US_PER_MS, timeScale) / 1000),
    watchBackoffMs: Math.round(scaleClientTimeoutUs(50 * US_PER_MS, timeScale) / 1000),
  };
}

export const RAFT_LOCK_ADAPTER: LiveAdapter<RaftLockLiveKnobs> = {
  design: 'raft-lock',
  programs: ['etcd'],
  serverNames: raftLockServerNames,
  knobMappings: raftLockKnobMappings,
  fakesClocks: () => ETCD_NO_FAKE_CLOCKS,
  whyUnsupported: () => null,
  whyCannotCrash: (_knobs, _node, durable) => whyEtcdCannotCrash(durable),
  leaseUs: (knobs) => leaseTtlS(knobs) * 1_000_000,
  start: (knobs, ctx: LiveStartContext) => {
    const timing = raftLockTiming(knobs);
    // The simulated client's request timeout (algorithms/raft-lock/client.ts): max(electionTimeout.max, 4 × heartbeat); its retry pause: the heartbeat.
    const client = clientTiming(Math.max(knobs.electionTimeoutUs.maxUs, 4 * knobs.heartbeatUs), Math.max(knobs.heartbeatUs, timing.heartbeatMs * 1000), ctx.timeScale);
    const ttlS = leaseTtlS(knobs);
    return startEtcdService(
      ctx.registry,
      ctx.network,
      ctx.clock,
      {
        names: raftLockServerNames(knobs),
        timing,
        readyTimeoutMs: ctx.readyTimeoutMs,
        observe: { design: 'raft-lock', permits: knobs.permits },
        clientTiming: client,
        childConfig: (servers) => ({ design: 'raft-lock', servers, ttlS, lockPrefix: LOCK_PREFIX, releasedPrefix: RELEASED_PREFIX, timing: client }),
      },
      ctx.onEvent,
    );
  },
};

export const CAS_ADAPTER: LiveAdapter<CasLiveKnobs> = {
  design: 'cas',
  programs: ['etcd'],
  serverNames: casServerNames,
  knobMappings: (knobs) => casKnobMappings(knobs),
  fakesClocks: () => ETCD_NO_FAKE_CLOCKS,
  whyUnsupported: whyCasUnsupported,
  whyCannotCrash: (_knobs, _node, durable) => whyEtcdCannotCrash(durable),
  leaseUs: () => null,
  start: (knobs, ctx: LiveStartContext) => {
    const client = clientTiming(scaleUs(CAS_REQUEST_TIMEOUT_US, ctx.timeScale), scaleClientTimeoutUs(CAS_NO_LEADER_BACKOFF_US, ctx.timeScale), ctx.timeScale);
    return startEtcdService(
      ctx.registry,
      ctx.network,
      ctx.clock,
      {
        names: casServerNames(knobs),
        timing: casTiming(ctx.timeScale),
        readyTimeoutMs: ctx.readyTimeoutMs,
        observe: { design: 'cas' },
        clientTiming: client,
        childConfig: (servers) => ({
          design: 'cas',
          servers,
          registerKey: REGISTER_KEY,
          donePrefix: CAS_DONE_PREFIX,
          retries: knobs.retries,
          backoffUs: knobs.backoffUs,
          maxBackoffUs: scaleClientTimeoutUs(CAS_MAX_BACKOFF_US, ctx.timeScale),
          noLeaderBackoffUs: scaleClientTimeoutUs(CAS_NO_LEADER_BACKOFF_US, ctx.timeScale),
          timing: client,
        }),
      },
      ctx.onEvent,
    );
  },
};
