/**
 * What the live lock and semaphore recipes share — Curator's LockInternals,
 * as the simulated recipes model it (algorithms/zookeeper/queue-recipe.ts)
 * — on node-zookeeper-client: queue up as a protected EPHEMERAL_SEQUENTIAL
 * child of a parent (`_c_<guid>-<client>-<label>-<seq>`) and wait until the
 * child's place among the parent's children (by sequence number) holds.
 * The rule says what holds and what a waiter watches:
 *
 * - `lowest` (InterProcessMutex, lock-recipe.ts): the lowest node holds;
 *   a waiter sets a data watch on the next-lower node (getData, which sets
 *   nothing when that node is gone already: then it lists again) — no herd.
 * - `among` n (InterProcessSemaphoreV2's leases, semaphore-recipe.ts): a
 *   node among the first n holds; a waiter waits on the child watch its
 *   listing set.
 *
 * A create whose reply was lost (ConnectionLoss) is found again by its
 * guid, or made again. Every listing deletes this client's stale nodes
 * under the parent from earlier attempts and earlier lives (other guids),
 * and looks again if one was ahead of ours. Requests wait through a lost
 * connection (ZooKeeper has no request timeout by default); a session that
 * ends (LOST) takes the node with it, and the queueing starts over in a new
 * session — or, for a step that may only run within one session (the
 * semaphore's leases, created under its internal lock), stops with
 * SESSION_ENDED. An abandoned acquire (Cancellation) stops at once; what a
 * create still in flight makes is deleted when its reply comes.
 * Not modelled (as in simulation): re-entrancy, revocation, node data.
 */
import { CreateMode } from 'node-zookeeper-client';
import type { Rng } from '../../core/rng.ts';
import type { ZkConnection } from './connection.ts';
import type { ZkResult } from './handle.ts';
import { bySequence, nameOf, protectedParts, protectedPrefix, sequenceOf } from './names.ts';

export const CANCELLED = Symbol('cancelled');
export const SESSION_ENDED = Symbol('session ended');

/** One acquire, as its steps see it: abandoned or not. */
export class Cancellation {
  cancelled = false;
  private fire: () => void = () => {};
  private readonly signal = new Promise<typeof CANCELLED>((resolve) => (this.fire = () => resolve(CANCELLED)));

  cancel(): void {
    this.cancelled = true;
    this.fire();
  }

  /** `p`, or CANCELLED as soon as the acquire is abandoned; `late` gets what `p` brings after that. */
  async step<T>(p: Promise<T>, late?: (value: T) => void): Promise<T | typeof CANCELLED> {
    const r = await Promise.race([p, this.signal]);
    if (r === CANCELLED) {
      if (late !== undefined) void p.then(late);
      return CANCELLED;
    }
    if (this.cancelled && late !== undefined) late(r);
    return this.cancelled ? CANCELLED : r;
  }
}

/** One node's queueing: its guid, and the node once known with the session (generation) it belongs to. */
export interface QueueAttempt {
  readonly guid: string;
  path: string | null;
  generation: number;
}

/** A fresh attempt (the guid: the client's random id without dashes). */
export function newAttempt(rng: Rng): QueueAttempt {
  return { guid: rng.id().replace(/-/g, ''), path: null, generation: 0 };
}

/** A place that holds. */
export interface Place {
  readonly path: string;
  readonly name: string;
  readonly token: number;
  readonly generation: number;
}

export type QueueRule = { readonly kind: 'lowest' } | { readonly kind: 'among'; readonly permits: number };

/** What the queues of one client share. */
export interface QueueContext {
  readonly client: string;
  readonly conn: ZkConnection;
  /** Waiters to wake on a session event (a watch may never fire once the session is gone). */
  readonly wakers: Set<() => void>;
}

/** Deletes `path` (a plain delete), retrying after ConnectionLoss; stops once it or its session (`generation`) is gone. */
export function deleteQuietly(conn: ZkConnection, path: string, generation: number): void {
  const attempt = (): void => {
    if (conn.generation !== generation) return;
    void conn
      .handle()
      .remove(path)
      .then((r) => {
        if (r.code === 'ConnectionLoss') attempt();
      });
  };
  attempt();
}

/** Deletes every child of `parent` that carries `guid` (a create whose reply was lost). */
function sweepGuid(conn: ZkConnection, parent: string, guid: string, generation: number): void {
  if (conn.generation !== generation) return;
  void conn
    .handle()
    .getChildren(parent)
    .then((r) => {
      if (r.code === 'ConnectionLoss') sweepGuid(conn, parent, guid, generation);
      if (r.code !== 'ok') return;
      for (const n of r.value.children) if (protectedParts(n)?.guid === guid) deleteQuietly(conn, `${parent}/${n}`, generation);
    });
}

/** A queue of protected sequential nodes under one parent. */
export class NodeQueue {
  constructor(
    private readonly ctx: QueueContext,
    readonly parent: string,
    private readonly label: string,
    private readonly rule: QueueRule,
  ) {
    if (rule.kind === 'among' && (!Number.isInteger(rule.permits) || rule.permits < 1)) throw new Error(`zookeeper queue: permits must be ≥ 1, got ${rule.permits}`);
  }

  /**
   * Queues `a` until its place holds. CANCELLED once `c` is abandoned;
   * SESSION_ENDED when `within` is a session (generation) and it ended.
   */
  async hold(c: Cancellation, a: QueueAttempt, within: number | null): Promise<Place | typeof CANCELLED | typeof SESSION_ENDED> {
    const conn = this.ctx.conn;
    for (;;) {
      if (c.cancelled) return CANCELLED;
      if (within !== null && conn.generation !== within) return SESSION_ENDED;
      if (a.path !== null && a.generation !== conn.generation) a.path = null; // its session ended, and the node with it
      if (a.path === null) {
        if ((await this.create(c, a)) === CANCELLED) return CANCELLED;
        continue;
      }
      const mine = a.path;
      const handle = conn.handle();
      let wake: () => void = () => {};
      const woken = new Promise<void>((resolve) => (wake = resolve));
      this.ctx.wakers.add(wake);
      try {
        const listed = await c.step(handle.getChildren(this.parent, this.rule.kind === 'among' ? () => wake() : undefined));
        if (listed === CANCELLED) return CANCELLED;
        if (listed.code === 'NoNode') a.path = null;
        if (listed.code !== 'ok') continue; // ConnectionLoss: look again (it waits for the reconnect); SessionExpired: start over
        const sorted = bySequence(listed.value.children);
        const ours = nameOf(mine);
        const index = sorted.indexOf(ours);
        if (index < 0) {
          a.path = null; // our node is gone (its session ended): queue again
          continue;
        }
        const stale = sorted.filter((n) => {
          const parts = protectedParts(n);
          return parts !== undefined && parts.owner === this.ctx.client && parts.guid !== a.guid;
        });
        for (const n of stale) deleteQuietly(conn, `${this.parent}/${n}`, conn.generation);
        if (stale.some((n) => sorted.indexOf(n) < index)) continue; // our own stale node was ahead: look again once it is gone
        if (this.holds(index)) {
          if (a.generation !== conn.generation) continue; // the session ended while we looked
          return { path: mine, name: ours, token: sequenceOf(ours)!, generation: a.generation };
        }
        if (this.rule.kind === 'lowest') {
          const watched = await c.step(handle.getData(`${this.parent}/${sorted[index - 1]}`, () => wake()));
          if (watched === CANCELLED) return CANCELLED;
          if (watched.code !== 'ok') continue; // NoNode: gone already, look again; ConnectionLoss / SessionExpired: look again
        }
        if ((await c.step(woken)) === CANCELLED) return CANCELLED;
      } finally {
        this.ctx.wakers.delete(wake);
      }
    }
  }

  private holds(index: number): boolean {
    return this.rule.kind === 'lowest' ? index === 0 : index < this.rule.permits;
  }

  /** Creates our node (or finds it after a lost reply); CANCELLED if abandoned meanwhile. */
  private async create(c: Cancellation, a: QueueAttempt): Promise<void | typeof CANCELLED> {
    const conn = this.ctx.conn;
    const handle = conn.handle();
    const generation = conn.generation;
    const prefix = `${this.parent}/${protectedPrefix(a.guid, this.ctx.client, this.label)}`;
    const late = (r: ZkResult<string>): void => {
      if (r.code === 'ok') deleteQuietly(conn, r.value, generation);
      else if (r.code === 'ConnectionLoss') sweepGuid(conn, this.parent, a.guid, generation);
    };
    const created = await c.step(handle.create(prefix, CreateMode.EPHEMERAL_SEQUENTIAL), late);
    if (created === CANCELLED) return CANCELLED;
    switch (created.code) {
      case 'ok':
        a.path = created.value;
        a.generation = generation;
        return;
      case 'NoNode': {
        const made = await c.step(handle.mkdirp(this.parent));
        return made === CANCELLED ? CANCELLED : undefined;
      }
      case 'ConnectionLoss':
        return this.recover(c, a, generation);
      case 'SessionExpired':
        return; // the next create opens a new session
      default:
        throw new Error(`${this.ctx.client}: creating under ${this.parent} failed with ${created.code}${created.detail === undefined ? '' : `: ${created.detail}`}`);
    }
  }

  /** The create's reply was lost: find our node by its guid, or leave the path unset so it is created again. */
  private async recover(c: Cancellation, a: QueueAttempt, generation: number): Promise<void | typeof CANCELLED> {
    const conn = this.ctx.conn;
    for (;;) {
      if (conn.generation !== generation) return; // that session is gone, and whatever it created
      const listed = await c.step(conn.handle().getChildren(this.parent), (r) => {
        if (r.code !== 'SessionExpired') sweepGuid(conn, this.parent, a.guid, generation);
      });
      if (listed === CANCELLED) return CANCELLED;
      if (listed.code === 'ConnectionLoss') continue;
      if (listed.code !== 'ok') return;
      const name = listed.value.children.find((n) => protectedParts(n)?.guid === a.guid);
      if (name !== undefined) {
        a.path = `${this.parent}/${name}`;
        a.generation = generation;
      }
      return;
    }
  }
}

/** What the client needs of a recipe (lock-recipe.ts, semaphore-recipe.ts). */
export interface LiveRecipe {
  /** The parent whose children hold (the node a release deletes is one of them). */
  readonly holdersPath: string;
  /** Queues until a place holds; CANCELLED once `c` is abandoned. One acquire at a time. */
  acquire(c: Cancellation): Promise<Place | typeof CANCELLED>;
  /** The acquire in progress was abandoned: delete its nodes (now, or when their creates complete). */
  abandon(): void;
}
