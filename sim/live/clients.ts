/**
 * The real client library of each design live mode runs, built inside a
 * client process (client-child.ts) from its settings (child-protocol.ts).
 * Adding a design: its `sim/live/<design>/client.ts` here, and its adapter
 * in designs.ts.
 */
import type { Rng } from '../core/rng.ts';
import type { ChildConfig } from './child-protocol.ts';
import { EtcdCasLiveClient } from './etcd/cas-client.ts';
import { EtcdLockLiveClient } from './etcd/lock-client.ts';
import type { LiveLockClient } from './live-client.ts';
import { RedisLiveClient } from './redis/client.ts';
import type { LiveSectionClient } from './section-workload-live.ts';
import { RedlockLiveClient } from './redlock/client.ts';
import { ZooKeeperLiveClient } from './zookeeper/client.ts';

/** The design's real client library for this client process. */
export function designClient(config: ChildConfig, rng: Rng): LiveLockClient {
  switch (config.design.design) {
    case 'redis':
      return new RedisLiveClient(config.client, config.boot, config.design, config.workload.permits, rng);
    case 'redlock':
      return new RedlockLiveClient(config.client, config.boot, config.design, config.workload.permits, rng);
    case 'zookeeper':
      return new ZooKeeperLiveClient(config.client, config.design, config.workload.permits, config.seed, config.boot, rng);
    case 'raft-lock':
      return new EtcdLockLiveClient(config.client, config.design, config.workload.permits);
    case 'cas':
      throw new Error('cas is not a lock: its client is designSectionClient');
  }
}

/** A lock-free design's real client for this client process (section-workload-live.ts), or null for a lock. */
export function designSectionClient(config: ChildConfig, rng: Rng): LiveSectionClient | null {
  switch (config.design.design) {
    case 'cas':
      return new EtcdCasLiveClient(config.client, config.boot, config.design, rng);
    default:
      return null;
  }
}
