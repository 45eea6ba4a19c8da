/**
 * The `raft-lock` design: a lock (or semaphore) service replicated with Raft,
 * modelled on etcd's lease-bound mutex and Chubby. Grants go through the log,
 * so a deposed leader can never grant; fencing tokens are log indexes;
 * sessions are kept alive by clients and expired by the leader's clock.
 * The known weak spots it lets scenarios show: a client paused past its
 * session (mutual exclusion breaks, fencing saves the resource),
 * `reads: "lease"` under clock drift and `reads: "etcd-3.4"` (no leadership
 * check on renewals) when a deposed leader has not noticed (it keeps
 * renewing), and a client whose lease, counted from a reply's receipt,
 * outlasts the leader's deadline.
 *
 * Files: knobs.ts (knobs), state-machine.ts (the replicated lock),
 * server.ts (Raft + leader duties), client.ts (client library, on
 * ../shared/leader-link.ts), protocol.ts (client ↔ server messages); the
 * consensus core is ../raft/.
 */
import type { Design } from '../api/index.ts';
import { createRaftLockClient } from './client.ts';
import { parseRaftLockKnobs, RAFT_LOCK_KNOBS, type RaftLockKnobs } from './knobs.ts';
import { createRaftLockServer } from './server.ts';

export type { RaftLockKnobs } from './knobs.ts';

/** The Raft lock service design. */
export const raftLock: Design<RaftLockKnobs> = {
  name: 'raft-lock',
  description: 'lock service on a Raft log (etcd-style): FIFO queue, sessions with TTL, log-index fencing tokens',
  knobs: RAFT_LOCK_KNOBS,
  parseKnobs: parseRaftLockKnobs,
  serverCount: (knobs) => knobs.servers,
  issuesTokens: true,
  isLock: true,
  historyModel: 'lease-lock',
  readiness: () => 'first-commit',
  createServer: (api, ctx) => createRaftLockServer(api, ctx),
  createClient: (api, ctx, lost) => createRaftLockClient(api, ctx, lost),
};
