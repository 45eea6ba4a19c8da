/**
 * The real client library of each design live mode runs, built inside a
 * client process (client-child.ts) from its settings (child-protocol.ts).
 * Adding a design: its `sim/live/<design>/client.ts` here, and its adapter
 * in designs.ts.
 */
import type { Rng } from '../core/rng.ts';
import type { ChildConfig } from './child-protocol.ts';
import type { LiveLockClient } from './live-client.ts';
import { RedisLiveClient } from './redis/client.ts';

/** The design's real client library for this client process. */
export function designClient(config: ChildConfig, rng: Rng): LiveLockClient {
  switch (config.design.design) {
    case 'redis':
      return new RedisLiveClient(config.client, config.boot, config.design, config.workload.permits, rng);
  }
}
