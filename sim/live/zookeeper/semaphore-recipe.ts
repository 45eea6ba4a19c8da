/**
 * The live semaphore recipe: Apache Curator's InterProcessSemaphoreV2 (the
 * recipe the simulated design models, algorithms/zookeeper/semaphore-recipe.ts)
 * on node-zookeeper-client, which has no recipes of its own.
 *
 * acquire: take the internal lock (the lock recipe on `<path>/locks`:
 * InterProcessMutex); holding it, create a protected EPHEMERAL_SEQUENTIAL
 * lease under `<path>/leases` (`_c_<guid>-<client>-lease-<seq>`) and list
 * the leases with a child watch until ours is among the first `permits`
 * (Curator's test is "children count ≤ maxLeases", the same thing while
 * lease creation is serialised by the lock; the simulated recipe tests the
 * place, and so does this one); then delete the internal lock node (Curator
 * releases it in `finally`) and hold the permit. Only the internal lock's
 * holder waits on the leases, so a released lease wakes one waiter; the
 * rest wait on the lock's predecessor watches — no herd. If the session
 * ends while we hold the internal lock, both our nodes went with it (or go
 * when the server expires it; our next listings delete them as stale): the
 * acquire starts over from the internal lock, as the simulated one does.
 * abandon: delete the lease first, then the internal lock node, so nobody
 * sees our lease once the lock is free.
 * release (client.ts): delete the lease (with the release mark). The
 * token is the lease's sequence number.
 * Not modelled (as in simulation): acquiring several leases at once, lease
 * node data, Curator's `acquire` wait time (the workload's own
 * acquireTimeout abandons instead).
 */
import type { Rng } from '../../core/rng.ts';
import { CANCELLED, deleteQuietly, newAttempt, NodeQueue, SESSION_ENDED, type Cancellation, type LiveRecipe, type Place, type QueueAttempt, type QueueContext } from './queue.ts';

export class LiveSemaphoreRecipe implements LiveRecipe {
  private readonly locks: NodeQueue;
  private readonly leases: NodeQueue;
  /** The acquire in progress: its internal lock node's attempt, and its lease's once past the lock. */
  private lock: QueueAttempt | null = null;
  private lease: QueueAttempt | null = null;

  /**
   * @param locksPath the internal lock's parent (`/semaphore/locks`)
   * @param holdersPath the leases' parent (`/semaphore/leases`)
   */
  constructor(
    private readonly ctx: QueueContext,
    locksPath: string,
    readonly holdersPath: string,
    permits: number,
    private readonly rng: Rng,
  ) {
    if (!Number.isInteger(permits) || permits < 2) throw new Error(`semaphore recipe: permits must be ≥ 2, got ${permits}`);
    this.locks = new NodeQueue(ctx, locksPath, 'lock', { kind: 'lowest' });
    this.leases = new NodeQueue(ctx, holdersPath, 'lease', { kind: 'among', permits });
  }

  async acquire(c: Cancellation): Promise<Place | typeof CANCELLED> {
    for (;;) {
      const lockAttempt = newAttempt(this.rng);
      this.lock = lockAttempt;
      this.lease = null;
      const locked = await this.locks.hold(c, lockAttempt, null);
      if (locked === CANCELLED) return CANCELLED;
      if (locked === SESSION_ENDED) throw new Error(`${this.ctx.client}: the internal lock queue ended with a session it was not bound to`);
      const leaseAttempt = newAttempt(this.rng);
      this.lease = leaseAttempt;
      const leased = await this.leases.hold(c, leaseAttempt, locked.generation);
      if (leased === CANCELLED) return CANCELLED; // abandon() deletes both nodes
      if (leased === SESSION_ENDED) continue; // both nodes died with the session: start over from the internal lock
      this.lock = null;
      this.lease = null;
      deleteQuietly(this.ctx.conn, locked.path, locked.generation); // Curator releases the internal lock in `finally`
      return leased;
    }
  }

  abandon(): void {
    const lease = this.lease;
    const lock = this.lock;
    this.lease = null;
    this.lock = null;
    if (lease !== null && lease.path !== null) deleteQuietly(this.ctx.conn, lease.path, lease.generation);
    if (lock !== null && lock.path !== null) deleteQuietly(this.ctx.conn, lock.path, lock.generation);
  }
}
