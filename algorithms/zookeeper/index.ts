/**
 * The `zookeeper` design: a ZooKeeper-style ensemble with the lock and
 * semaphore recipes (Curator's InterProcessMutex / InterProcessSemaphoreV2).
 *
 * The znode tree is replicated by the Raft core in ../raft/ instead of ZAB.
 * For what the recipes rely on, the two give the same guarantees: a totally
 * ordered, durable log of state changes, each committed by a quorum before
 * it is applied anywhere, and a new leader that already has every committed
 * change (ZAB's synchronisation phase, Raft's election restriction); zxid
 * is the log index. What differs (ZAB's epochs and discovery phase, Raft's
 * terms and PreVote) only changes how a new leader is found.
 *
 * Grants are reported by the leader when it applies the change that makes
 * a client's node one of the first `permits` children of the recipe parent
 * (not when the client learns it holds), with the node's sequence number
 * as the token; the leader also reports `expired` when a holder's node goes
 * away other than by release (session expiry above all).
 * What scenarios show: a holder cut off from the ensemble keeps working
 * until it hears (mutual exclusion breaks) unless it stops on SUSPENDED —
 * which comes too late behind a follower that keeps its clients for
 * tickTime × syncLimit after losing its leader; Curator's LOST comes the
 * session timeout after SUSPENDED; 20 % loss costs TCP retransmissions,
 * not sessions;
 * a paused holder's session expires and a second client takes the lock;
 * sequence-number fencing saves the resource when reads register tokens.
 *
 * Files: knobs.ts, tree.ts (znode tree state machine), sessions.ts (the
 * leader's session expiry), watches.ts (a server's watch table),
 * holders.ts (grant reporting), server.ts, protocol.ts + channel.ts
 * (messages, TCP-like connections), connection.ts (the client handle:
 * connection state machine), queue-recipe.ts + lock-recipe.ts +
 * semaphore-recipe.ts (recipes), recipe-io.ts, paths.ts, client.ts.
 */
import type { Design } from '../api/index.ts';
import { createZkClient } from './client.ts';
import { parseZkKnobs, ZK_KNOBS, type ZkKnobs } from './knobs.ts';
import { createZkServer } from './server.ts';

export type { ZkKnobs } from './knobs.ts';

/** The ZooKeeper-style ensemble design. */
export const zookeeper: Design<ZkKnobs> = {
  name: 'zookeeper',
  description: 'ZooKeeper-style ensemble (znode tree on a consensus log): ephemeral sequential lock recipe, sessions, watches; sequence-number fencing tokens',
  knobs: ZK_KNOBS,
  parseKnobs: parseZkKnobs,
  serverCount: (knobs) => knobs.servers,
  issuesTokens: true,
  isLock: true,
  historyModel: 'lease-lock',
  readiness: () => 'first-commit',
  createServer: (api, ctx) => createZkServer(api, ctx),
  createClient: (api, ctx, lost) => createZkClient(api, ctx, lost),
};
