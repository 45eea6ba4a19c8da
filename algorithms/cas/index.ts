/**
 * The `cas` design: optimistic concurrency instead of a lock. The store is a
 * versioned register on the servers; a client reads (value, version), holds,
 * then writes value + 1 with compare-and-set on the version, retrying
 * (re-read, compare-and-set again) with backoff when refused. No lease, no
 * clock: pauses and clock jumps cannot lose an update. What can: an
 * asynchronous replica promoted after the primary acknowledged a write it
 * never shipped (`replication: "async"`); `"sync"` commits every write
 * through Raft first and survives that crash.
 *
 * Checks: `mutualExclusion` is null (nothing is excluded); `linearizable`
 * checks the reads and compare-and-sets against `cas-register` with the
 * version as the register's value; `resource` checks that the acknowledged
 * writes form one chain of versions. Fencing applies: the version is the
 * token a client could hand to a third party (as etcd's mod revision), each
 * applied write is a "grant" of the version it produced, and a version
 * handed out twice (a failover rolled the register back) fails `fencing`
 * exactly when an acknowledged update was lost.
 *
 * Files: knobs.ts, register.ts (the state every server keeps),
 * primary-server.ts (none / async), raft-server.ts (sync, on ../raft/),
 * client.ts (the section client, on ../shared/leader-link.ts), protocol.ts
 * (messages).
 */
import type { Design } from '../api/index.ts';
import { createCasClient } from './client.ts';
import { CAS_KNOBS, parseCasKnobs, type CasKnobs } from './knobs.ts';
import { createPrimaryServer } from './primary-server.ts';
import { createRaftServer } from './raft-server.ts';

export type { CasKnobs } from './knobs.ts';

/** The compare-and-set design. */
export const cas: Design<CasKnobs> = {
  name: 'cas',
  description: 'optimistic compare-and-set on a versioned register (no lock); replication none, sync (Raft) or async (primary/replica)',
  knobs: CAS_KNOBS,
  parseKnobs: parseCasKnobs,
  serverCount: (knobs) => knobs.servers,
  issuesTokens: true,
  isLock: false,
  historyModel: 'cas-register',
  readiness: (knobs) => (knobs.replication === 'sync' ? 'first-commit' : 'at-start'),
  createServer: (api, ctx, index) => (ctx.knobs.replication === 'sync' ? createRaftServer(api, ctx, index) : createPrimaryServer(api, ctx, index)),
  createClient: () => {
    throw new Error('cas is not a lock: the simulator runs it through createSectionClient');
  },
  createSectionClient: (api, ctx) => createCasClient(api, ctx),
};
