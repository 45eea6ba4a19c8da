/**
 * The ZooKeeper lock recipe (Curator's InterProcessMutex): an
 * EPHEMERAL_SEQUENTIAL protected child of `/lock`; the lowest sequence
 * number holds; every other contender watches only the node just below its
 * own (a data watch set with getData, which sets nothing when that node is
 * already gone), so a release wakes exactly one waiter — no herd. When the
 * watch fires the waiter lists the children again: the node it watched may
 * have left without the lock being free (a waiter that gave up), in which
 * case it watches its new predecessor. Release deletes our node.
 * The shared queueing machinery (protected create, recovery after a lost
 * reply, stale-node cleanup, expiry) is queue-recipe.ts.
 */
import type { Rng } from '../api/index.ts';
import { childPath } from './paths.ts';
import { QueueRecipe, type Attempt } from './queue-recipe.ts';
import type { RecipeIo } from './recipe-io.ts';

/** The lock: the lowest node holds; waiters watch their predecessor. */
export class LockRecipe extends QueueRecipe {
  protected readonly watchChildren = false;

  constructor(io: RecipeIo, parent: string, rng: Rng) {
    super(io, parent, 'lock', rng);
  }

  protected decide(a: Attempt, epoch: number, sorted: readonly string[], index: number): void {
    if (index === 0) {
      this.grant(a);
      return;
    }
    const predecessor = childPath(this.parent, sorted[index - 1]);
    this.lookup(a, epoch, { op: 'getData', path: predecessor, watch: true }, `watching ${predecessor}`, {
      ok: () => {}, // wait for the watch
      noNode: () => this.check(a), // gone already: look again
    });
  }
}
