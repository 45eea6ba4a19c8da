/**
 * The designs live mode runs, by name: each one's adapter (adapter.ts).
 * Adding a design: its `sim/live/<design>/adapter.ts` here, and its real
 * client library in clients.ts. (etcd's `raft-lock` and `cas` adapters,
 * sim/live/etcd/, are not listed yet: their tests do not pass yet.)
 */
import type { LiveAdapter } from './adapter.ts';
import { REDIS_ADAPTER } from './redis/adapter.ts';
import { REDLOCK_ADAPTER } from './redlock/adapter.ts';
import { ZOOKEEPER_ADAPTER } from './zookeeper/adapter.ts';

export const LIVE_ADAPTERS: ReadonlyMap<string, LiveAdapter> = new Map<string, LiveAdapter>([
  ['redis', REDIS_ADAPTER as LiveAdapter],
  ['redlock', REDLOCK_ADAPTER as LiveAdapter],
  ['zookeeper', ZOOKEEPER_ADAPTER as LiveAdapter],
]);

/** The designs live mode can run today, in registry order of insertion. */
export const LIVE_DESIGNS: readonly string[] = [...LIVE_ADAPTERS.keys()];
