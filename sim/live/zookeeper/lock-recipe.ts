/**
 * The live lock recipe, Curator's InterProcessMutex as the simulated one
 * models it (algorithms/zookeeper/lock-recipe.ts): a protected
 * EPHEMERAL_SEQUENTIAL child of the lock path; the lowest sequence number
 * holds; a waiter watches only the next-lower node (queue.ts, rule
 * `lowest`). The token is the node's sequence number.
 * Not modelled: re-entrancy, revocation, lock node data.
 */
import type { Rng } from '../../core/rng.ts';
import { CANCELLED, deleteQuietly, newAttempt, NodeQueue, SESSION_ENDED, type Cancellation, type LiveRecipe, type Place, type QueueAttempt, type QueueContext } from './queue.ts';

export class LiveLockRecipe implements LiveRecipe {
  private readonly queue: NodeQueue;
  private attempt: QueueAttempt | null = null;

  constructor(
    private readonly ctx: QueueContext,
    readonly holdersPath: string,
    private readonly rng: Rng,
  ) {
    this.queue = new NodeQueue(ctx, holdersPath, 'lock', { kind: 'lowest' });
  }

  async acquire(c: Cancellation): Promise<Place | typeof CANCELLED> {
    const a = newAttempt(this.rng);
    this.attempt = a;
    try {
      const r = await this.queue.hold(c, a, null);
      if (r === SESSION_ENDED) throw new Error(`${this.ctx.client}: the lock queue ended with a session it was not bound to`);
      return r;
    } finally {
      if (this.attempt === a) this.attempt = null;
    }
  }

  abandon(): void {
    const a = this.attempt;
    this.attempt = null;
    if (a !== null && a.path !== null) deleteQuietly(this.ctx.conn, a.path, a.generation);
  }
}
