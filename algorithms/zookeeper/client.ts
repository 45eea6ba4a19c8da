/**
 * The zookeeper design's client library: a ZooKeeper handle (connection.ts)
 * plus the lock recipe (permits = 1) or the semaphore recipe (permits > 1),
 * behind the workload's LockClient interface, with Curator's connection
 * state handling.
 *
 * SUSPENDED (the connection is lost; the session may live on): with
 * `onSuspended: "continue"` (the default, what a recipe user who ignores
 * connection state gets) the holder carries on — it may be working after
 * the ensemble expired its session; with `"stop"` (Curator's advice) it
 * gives the lock up at once: `lost('suspended')`, and its node is deleted
 * once it can reach a server. LOST (the session expired, learned on
 * reconnect; or the session timeout passed while SUSPENDED, which Curator
 * ≥ 3.0 reports without waiting to reconnect; or by its own clock with
 * `clientSelfExpiry`, ZooKeeper 3.9.3): a holder calls `lost(...)` whatever
 * `onSuspended` says; an acquire in progress starts over in a new session.
 * `stillValid()` is true while holding and connected. Abandon deletes the
 * contender's node, so a grant that comes later is never reported.
 */
import type { DesignContext, Grant, LockClient, LostListener, Message, NodeApi } from '../api/index.ts';
import { ZkConnection, type SessionEvent } from './connection.ts';
import type { ZkKnobs } from './knobs.ts';
import { LockRecipe } from './lock-recipe.ts';
import { RECIPE_PATHS } from './paths.ts';
import { RecipeIo } from './recipe-io.ts';
import { SemaphoreRecipe } from './semaphore-recipe.ts';

/** What the client needs of a recipe. */
interface Recipe {
  acquire(done: (token: number) => void): void;
  abandon(): void;
  release(done: (ok: boolean | null) => void): void;
  giveUp(): void;
  sessionLost(): void;
}

/** Builds the client half on a client node. */
export function createZkClient(api: NodeApi, ctx: DesignContext<ZkKnobs>, lost: LostListener): LockClient {
  return new ZkLockClient(api, ctx.knobs, ctx.servers, lost);
}

class ZkLockClient implements LockClient {
  private readonly api: NodeApi;
  private readonly knobs: ZkKnobs;
  private readonly lost: LostListener;
  private readonly conn: ZkConnection;
  private readonly recipe: Recipe;
  private acquiring = false;
  private held = false;

  constructor(api: NodeApi, knobs: ZkKnobs, servers: readonly string[], lost: LostListener) {
    this.api = api;
    this.knobs = knobs;
    this.lost = lost;
    this.conn = new ZkConnection(api, {
      servers,
      requestedTimeoutUs: knobs.sessionTimeoutUs,
      selfExpiry: knobs.clientSelfExpiry,
      onEvent: (event, reason) => this.onSessionEvent(event, reason),
    });
    const io = new RecipeIo(api, this.conn);
    this.recipe = knobs.permits === 1 ? new LockRecipe(io, RECIPE_PATHS.lock, api.rng) : new SemaphoreRecipe(io, knobs.permits, api.rng);
  }

  acquire(done: (grant: Grant | null) => void): void {
    if (this.acquiring) throw new Error(`${this.api.id}: acquire while another acquire is outstanding`);
    if (this.held) throw new Error(`${this.api.id}: acquire while holding`);
    this.acquiring = true;
    this.recipe.acquire((token) => {
      if (!this.acquiring) throw new Error(`${this.api.id}: the recipe granted an abandoned acquire`);
      this.acquiring = false;
      this.held = true;
      done({ token });
    });
  }

  abandon(): void {
    if (!this.acquiring) return;
    this.acquiring = false;
    this.recipe.abandon();
  }

  release(done: (ok: boolean | null) => void): void {
    if (!this.held) {
      done(false); // already lost, and the workload was told
      return;
    }
    this.held = false;
    this.recipe.release(done);
  }

  stillValid(): boolean {
    return this.held && this.conn.isConnected();
  }

  onMessage(from: string, msg: Message): void {
    this.conn.handle(from, msg);
  }

  private onSessionEvent(event: SessionEvent, reason: string): void {
    if (event === 'suspended' && this.held && this.knobs.onSuspended === 'stop') {
      this.held = false;
      this.recipe.giveUp();
      this.api.note(`zk client: SUSPENDED while holding: giving the lock up (${reason})`);
      this.lost(`suspended: ${reason}`);
      return;
    }
    if (event === 'lost') {
      const wasHeld = this.held;
      this.held = false;
      this.recipe.sessionLost();
      if (wasHeld) this.lost(reason);
    }
  }
}
