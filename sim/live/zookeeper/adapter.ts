/**
 * The `zookeeper` design's live adapter (adapter.ts): Apache ZooKeeper 3.8
 * standalone or as an ensemble (deployment.ts, zookeeper-server.ts),
 * started by service.ts, each JVM under libfaketime for clock faults
 * (zookeeper-server.ts); the client library is node-zookeeper-client with
 * the lock recipe and Curator's connection states on top (client.ts,
 * connection.ts, handle.ts).
 */
import { US_PER_S } from '../../../algorithms/api/index.ts';
import type { LiveAdapter } from '../adapter.ts';
import { scaleClientTimeoutUs } from '../time-scale.ts';
import { whyZooKeeperCannotCrash, whyZooKeeperUnsupported, zookeeperKnobMappings, zookeeperServerNames, type ZkLiveKnobs } from './deployment.ts';
import { startZooKeeperService } from './service.ts';

/** ZooKeeper's client waits a random time up to this before each reconnect (ClientCnxn; algorithms/zookeeper/connection.ts RECONNECT_PAUSE_MAX_US). */
const RECONNECT_PAUSE_MAX_US = 1 * US_PER_S;

export const ZOOKEEPER_ADAPTER: LiveAdapter<ZkLiveKnobs> = {
  design: 'zookeeper',
  programs: ['java', 'zookeeper'],
  serverNames: zookeeperServerNames,
  knobMappings: zookeeperKnobMappings,
  fakesClocks: () => true,
  whyUnsupported: whyZooKeeperUnsupported,
  whyCannotCrash: (knobs, _node, durable) => whyZooKeeperCannotCrash(knobs, durable),
  leaseUs: (knobs) => knobs.sessionTimeoutUs,
  start: (knobs, ctx) =>
    startZooKeeperService(
      ctx.registry,
      ctx.network,
      ctx.clock,
      {
        knobs,
        reconnectPauseMaxMs: scaleClientTimeoutUs(RECONNECT_PAUSE_MAX_US, ctx.timeScale) / 1000,
        readyTimeoutMs: ctx.readyTimeoutMs,
        fakeClocks: ctx.fakeClocks,
      },
      ctx.onEvent,
    ),
};
