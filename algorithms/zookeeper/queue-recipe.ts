/**
 * What the lock and the semaphore recipes share (Curator's LockInternals):
 * queue up as a protected EPHEMERAL_SEQUENTIAL child of a parent, and hold
 * once the child's place among the parent's children (ordered by sequence
 * number) allows it; the subclass says what "allows" means and what to
 * watch while waiting.
 *
 * Protected create: the node's name carries a fresh guid per acquire, so
 * when a create's reply is lost (ConnectionLoss: it may or may not have
 * happened) the recipe lists the children and adopts the node with its
 * guid, or creates again if there is none. Every list also deletes this
 * client's stale nodes from earlier attempts (a create that was applied
 * after we gave up on it), before trusting its place. Every callback
 * carries the attempt's epoch, so replies and watches from a superseded
 * step are ignored. Session expiry (the client handle reports it) removes
 * our nodes: a held lock is gone, an acquire starts over. Abandoning
 * deletes our node, including one whose create is still in flight.
 * The fencing token is the node's sequence number.
 * Not modelled: lock re-entrancy, revocation, lock node data.
 */
import type { Rng } from '../api/index.ts';
import { bySequence, childPath, nameOf, protectedParts, protectedPrefix, sequenceOf } from './paths.ts';
import type { ZkOp } from './protocol.ts';
import type { RecipeIo } from './recipe-io.ts';
import type { ZkResult } from './tree.ts';

/** One acquire in progress. */
export interface Attempt {
  readonly guid: string;
  /** Our node, once known. */
  path: string | null;
  /** Bumped by every step; callbacks of older steps are ignored. */
  epoch: number;
  cancelled: boolean;
  readonly done: (token: number) => void;
}

/** A queue of protected sequential nodes under one parent; subclasses decide when a place holds. */
export abstract class QueueRecipe {
  protected readonly io: RecipeIo;
  protected readonly parent: string;
  private readonly label: string;
  private readonly rng: Rng;
  private current: Attempt | null = null;
  private held: { readonly path: string; readonly token: number } | null = null;

  constructor(io: RecipeIo, parent: string, label: string, rng: Rng) {
    this.io = io;
    this.parent = parent;
    this.label = label;
    this.rng = rng;
  }

  /** Whether getChildren during a check sets a child watch (the semaphore waits on it). */
  protected abstract readonly watchChildren: boolean;

  /**
   * Our node is at `index` of the parent's children (by sequence): grant
   * (`this.grant(a)`) or wait, re-running `this.check(a)` when it may have changed.
   */
  protected abstract decide(a: Attempt, epoch: number, sorted: readonly string[], index: number): void;

  /** Starts queueing; `done(token)` once we hold. Retries through connection loss and session expiry. */
  acquire(done: (token: number) => void): void {
    if (this.current !== null) throw new Error(`${this.io.owner}: acquire on ${this.parent} while another acquire is in progress`);
    if (this.held !== null) throw new Error(`${this.io.owner}: acquire on ${this.parent} while holding ${this.held.path}`);
    const a: Attempt = { guid: this.rng.id(), path: null, epoch: 0, cancelled: false, done };
    this.current = a;
    this.create(a);
  }

  /** Stops acquiring; deletes our node (now, or when its create completes). Never calls `done`. */
  abandon(): void {
    const a = this.current;
    if (a === null) return;
    this.current = null;
    a.cancelled = true;
    a.epoch++;
    if (a.path !== null) this.io.deleteQuietly(a.path, 'cleanup');
  }

  /**
   * Deletes our node: `done(true)` when the delete succeeded, `false` when
   * the node or session was already gone, `null` when an earlier attempt's
   * fate is unknown (it may have deleted the node itself).
   */
  release(done: (ok: boolean | null) => void): void {
    const h = this.held;
    this.held = null;
    if (h === null) {
      done(false);
      return;
    }
    let uncertain = false;
    const attempt = (): void => {
      this.io.conn.request({ op: 'delete', path: h.path, tag: 'release' }, (r) => {
        switch (r.code) {
          case 'ok':
            done(true);
            return;
          case 'ConnectionLoss':
            uncertain = true;
            attempt();
            return;
          case 'NoNode':
          case 'SessionExpired':
            done(uncertain ? null : false);
            return;
          default:
            throw new Error(`${this.io.owner}: releasing ${h.path} failed with ${r.code}`);
        }
      });
    };
    attempt();
  }

  /** Gives the held lock up without a release (Curator's advice on SUSPENDED): deletes our node when it can. */
  giveUp(): void {
    const h = this.held;
    this.held = null;
    if (h !== null) this.io.deleteQuietly(h.path, 'cleanup');
  }

  /** The session expired: our nodes are gone. Forget a hold; an acquire starts over (in the next session). */
  sessionLost(): void {
    this.held = null;
    const a = this.current;
    if (a !== null) {
      a.path = null;
      this.create(a);
    }
  }

  isHeld(): boolean {
    return this.held !== null;
  }

  isAcquiring(): boolean {
    return this.current !== null;
  }

  // ---- the steps ---------------------------------------------------------------

  protected live(a: Attempt, epoch: number): boolean {
    return this.current === a && a.epoch === epoch;
  }

  private create(a: Attempt): void {
    const epoch = ++a.epoch;
    const path = childPath(this.parent, protectedPrefix(a.guid, this.io.owner, this.label));
    this.io.conn.request({ op: 'create', path, ephemeral: true, sequential: true }, (r) => {
      if (!this.live(a, epoch)) {
        if (a.cancelled && r.code === 'ok') this.io.deleteQuietly(r.path!, 'cleanup');
        if (a.cancelled && r.code === 'ConnectionLoss') this.io.sweepGuid(this.parent, a.guid);
        return;
      }
      switch (r.code) {
        case 'ok':
          a.path = r.path!;
          this.check(a);
          return;
        case 'NoNode':
          this.io.ensurePath(this.parent, () => {
            if (this.live(a, epoch)) this.create(a);
          });
          return;
        case 'ConnectionLoss':
          this.recover(a);
          return;
        case 'SessionExpired':
          return; // sessionLost() starts over
        default:
          throw new Error(`${this.io.owner}: creating under ${this.parent} failed with ${r.code}`);
      }
    });
  }

  /** The create's reply was lost: find our node by its guid, or create again. */
  private recover(a: Attempt): void {
    const epoch = ++a.epoch;
    this.io.conn.request({ op: 'getChildren', path: this.parent, watch: false }, (r) => {
      if (!this.live(a, epoch)) {
        if (a.cancelled && a.path === null) this.io.sweepGuid(this.parent, a.guid);
        return;
      }
      switch (r.code) {
        case 'ok': {
          const name = (r.children ?? []).find((n) => protectedParts(n)?.guid === a.guid);
          if (name === undefined) this.create(a);
          else {
            a.path = childPath(this.parent, name);
            this.io.metric('createsRecoveredByGuid', `create reply lost; found our node ${a.path} by its guid`);
            this.check(a);
          }
          return;
        }
        case 'NoNode':
          this.create(a);
          return;
        case 'ConnectionLoss':
          this.recover(a);
          return;
        case 'SessionExpired':
          return;
        default:
          throw new Error(`${this.io.owner}: listing ${this.parent} failed with ${r.code}`);
      }
    });
  }

  /** Lists the children and decides our place. */
  protected check(a: Attempt): void {
    const epoch = ++a.epoch;
    this.lookup(a, epoch, { op: 'getChildren', path: this.parent, watch: this.watchChildren }, `listing ${this.parent}`, {
      ok: (r) => this.place(a, epoch, r.children ?? []),
      noNode: () => {
        a.path = null;
        this.create(a);
      },
    });
  }

  /**
   * Sends read `req` as step `epoch` of `a` (`what` names it in errors): a
   * reply to a superseded step is ignored; `ok` and `NoNode` go to `on`;
   * after ConnectionLoss we check again; SessionExpired waits for
   * `sessionLost()`; any other code is a bug. A watch the request sets
   * checks again when it fires, unless the step was superseded meanwhile.
   */
  protected lookup(
    a: Attempt,
    epoch: number,
    req: Extract<ZkOp, { readonly watch: boolean }>,
    what: string,
    on: { readonly ok: (r: ZkResult) => void; readonly noNode: () => void },
  ): void {
    const watcher = req.watch
      ? (): void => {
          if (this.live(a, epoch)) this.check(a);
        }
      : null;
    this.io.conn.request(
      req,
      (r) => {
        if (!this.live(a, epoch)) return;
        switch (r.code) {
          case 'ok':
            on.ok(r);
            return;
          case 'NoNode':
            on.noNode();
            return;
          case 'ConnectionLoss':
            this.check(a);
            return;
          case 'SessionExpired':
            return; // sessionLost() starts over
          default:
            throw new Error(`${this.io.owner}: ${what} failed with ${r.code}`);
        }
      },
      watcher,
    );
  }

  private place(a: Attempt, epoch: number, children: readonly string[]): void {
    if (a.path === null) throw new Error(`${this.io.owner}: placing an attempt without a node`);
    const sorted = bySequence(children);
    const index = sorted.indexOf(nameOf(a.path));
    if (index < 0) {
      // Our node is gone (its session ended before this one began): queue again.
      a.path = null;
      this.create(a);
      return;
    }
    const stale = sorted.filter((n) => {
      const parts = protectedParts(n);
      return parts !== undefined && parts.owner === this.io.owner && parts.guid !== a.guid;
    });
    for (const n of stale) this.io.deleteQuietly(childPath(this.parent, n), 'cleanup');
    if (stale.some((n) => sorted.indexOf(n) < index)) {
      this.check(a); // our own stale node was ahead of us: look again once it is gone (requests run in order)
      return;
    }
    this.decide(a, epoch, sorted, index);
  }

  /** We hold: report it with our node's sequence number as the fencing token. */
  protected grant(a: Attempt): void {
    if (this.current !== a || a.path === null) throw new Error(`${this.io.owner}: granting a dead attempt`);
    const token = sequenceOf(nameOf(a.path));
    if (token === undefined) throw new Error(`${this.io.owner}: ${a.path} has no sequence number`);
    this.current = null;
    this.held = { path: a.path, token };
    a.done(token);
  }
}
