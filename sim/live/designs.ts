/**
 * The designs live mode runs, by name: each one's adapter (adapter.ts).
 * Adding a design: its `sim/live/<design>/adapter.ts` here, and its real
 * client library in clients.ts.
 */
import type { LiveAdapter } from './adapter.ts';
import { CAS_ADAPTER, RAFT_LOCK_ADAPTER } from './etcd/adapter.ts';
import { REDIS_ADAPTER } from './redis/adapter.ts';
import { REDLOCK_ADAPTER } from './redlock/adapter.ts';
import { ZOOKEEPER_ADAPTER } from './zookeeper/adapter.ts';

export const LIVE_ADAPTERS: ReadonlyMap<string, LiveAdapter> = new Map<string, LiveAdapter>([
  ['redis', REDIS_ADAPTER as LiveAdapter],
  ['redlock', REDLOCK_ADAPTER as LiveAdapter],
  ['zookeeper', ZOOKEEPER_ADAPTER as LiveAdapter],
  ['raft-lock', RAFT_LOCK_ADAPTER as LiveAdapter],
  ['cas', CAS_ADAPTER as LiveAdapter],
]);

/** The designs live mode can run today, in registry order of insertion. */
export const LIVE_DESIGNS: readonly string[] = [...LIVE_ADAPTERS.keys()];
