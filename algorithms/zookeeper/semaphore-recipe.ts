/**
 * The semaphore recipe, shaped like Curator's InterProcessSemaphoreV2:
 * lease nodes (protected EPHEMERAL_SEQUENTIAL children of
 * `/semaphore/leases`), created one client at a time under an internal
 * lock (`/semaphore/locks`, the lock recipe). Holding that lock, a client
 * creates its lease and lists the leases with a child watch until its
 * lease is among the first `permits` (Curator: "children count ≤ max
 * leases", which is the same thing while lease creation is serialised);
 * then it releases the internal lock and holds a permit. Only the client
 * holding the internal lock waits on the leases' children, so a release
 * wakes one waiter, and the rest wait on the lock recipe's predecessor
 * watches — no herd. Release deletes the lease. The fencing token is the
 * lease's sequence number. An expired session took both nodes with it: an
 * acquire starts over from the internal lock.
 */
import type { Rng } from '../api/index.ts';
import { LockRecipe } from './lock-recipe.ts';
import { RECIPE_PATHS } from './paths.ts';
import { QueueRecipe, type Attempt } from './queue-recipe.ts';
import type { RecipeIo } from './recipe-io.ts';

/** The lease queue: holds while among the first `permits` leases; waits on a child watch. */
class LeaseQueue extends QueueRecipe {
  protected readonly watchChildren = true;
  private readonly permits: number;

  constructor(io: RecipeIo, permits: number, rng: Rng) {
    super(io, RECIPE_PATHS.semaphoreLeases, 'lease', rng);
    this.permits = permits;
  }

  protected decide(a: Attempt, _epoch: number, _sorted: readonly string[], index: number): void {
    if (index < this.permits) this.grant(a);
    // else: the child watch set by the listing re-runs check() on the next change
  }
}

/** The semaphore: up to `permits` lease holders, lease creation serialised by an internal lock. */
export class SemaphoreRecipe {
  private readonly mutex: LockRecipe;
  private readonly leases: LeaseQueue;
  /** The acquire in progress: its callback, and whether it got past the internal lock. */
  private acquiring: { readonly done: (token: number) => void; phase: 'lock' | 'lease' } | null = null;

  constructor(io: RecipeIo, permits: number, rng: Rng) {
    if (!Number.isInteger(permits) || permits < 2) throw new Error(`semaphore recipe: permits must be ≥ 2, got ${permits}`);
    this.mutex = new LockRecipe(io, RECIPE_PATHS.semaphoreLocks, rng);
    this.leases = new LeaseQueue(io, permits, rng);
  }

  acquire(done: (token: number) => void): void {
    if (this.acquiring !== null) throw new Error('semaphore recipe: acquire while another acquire is in progress');
    this.acquiring = { done, phase: 'lock' };
    this.start();
  }

  private start(): void {
    const acq = this.acquiring!;
    acq.phase = 'lock';
    this.mutex.acquire(() => {
      if (this.acquiring !== acq) throw new Error('semaphore recipe: internal lock granted to a dead acquire');
      acq.phase = 'lease';
      this.leases.acquire((token) => {
        this.acquiring = null;
        this.mutex.release(() => {}); // Curator releases the internal lock in `finally`
        acq.done(token);
      });
    });
  }

  abandon(): void {
    if (this.acquiring === null) return;
    this.acquiring = null;
    this.leases.abandon(); // the lease first, so nobody sees it after the lock is free
    this.mutex.abandon();
    this.mutex.giveUp();
  }

  release(done: (ok: boolean | null) => void): void {
    this.leases.release(done);
  }

  giveUp(): void {
    this.leases.giveUp();
  }

  sessionLost(): void {
    const acq = this.acquiring;
    if (acq === null) {
      this.leases.sessionLost();
      this.mutex.sessionLost();
      return;
    }
    // Both our nodes died with the session: start over from the internal lock.
    this.leases.abandon();
    this.mutex.abandon();
    this.mutex.sessionLost();
    this.leases.sessionLost();
    this.start();
  }
}
