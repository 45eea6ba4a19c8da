/**
 * Watches the real etcd cluster the way the simulator watches its leader:
 * one watch on everything under `locksim/` (the lock recipe's keys, the
 * release marks, the cas register), so events arrive in the cluster's own
 * revision order, each stamped with the harness clock on receipt (later
 * than it happened by the loopback hop; history.ts widens expiries back to
 * an interval for that reason).
 *
 * Lock (`raft-lock`): the recipe's state is the set of keys under
 * LOCK_PREFIX, each created by one acquire with its client's name as value
 * and bound to its lease; the keys with the `permits` lowest create
 * revisions hold. The observer keeps that set and reports a `granted` (the
 * create revision is the token; the grant's identity is `<key>@<create
 * revision>`, as the client names it) whenever a key comes to hold, and,
 * when a holding key goes away, a `deleted` if its release mark was written
 * in the same transaction (a release, or a client cancelling an acquire the
 * service had granted: client.ts writes RELEASED_PREFIX + the grant's
 * identity before deleting the key), else an `expired` (only a lease's end
 * deletes a key without a mark). Keys that never held come and go silently.
 *
 * Cas: every put of REGISTER_KEY is a write the service applied, reported
 * as a `granted` whose token is the register's version (kv.version, the
 * register's value in the history) — the simulated cas server reports each
 * applied write the same way.
 *
 * It connects to every member directly, not through a proxy: it is the
 * harness's instrument, outside every partition; etcd3's watch manager
 * resumes on another member after a crash, from the last revision seen.
 * `rewatch()`: after every member lost its data the cluster starts over at
 * revision 1, so the observer forgets what it knew (silently: the
 * simulated service reports nothing of a grant its servers forgot either)
 * and watches again from the start. Not observed: keys outside
 * `locksim/`, anything while no member answers.
 */
import { ConstantBackoff } from 'cockatiel';
import { Etcd3, type IKeyValue, type Watcher } from 'etcd3';
import type { TrueClock } from '../clock.ts';
import type { ServiceEvent } from '../service.ts';
import { grantId, LOCK_PREFIX, REGISTER_KEY, RELEASED_PREFIX } from './deployment.ts';

export interface EtcdObserverOptions {
  /** Every member's client URL. */
  readonly hosts: readonly string[];
  readonly clock: TrueClock;
  /** The server name to put on an event (the leader now, as far as the harness knows). */
  readonly server: () => string;
  readonly mode: { readonly design: 'raft-lock'; readonly permits: number } | { readonly design: 'cas' };
  /** Reconnect pause of the watch stream (ms). */
  readonly backoffMs: number;
  readonly listener: (event: ServiceEvent) => void;
}

interface LockKey {
  readonly key: string;
  readonly createRevision: number;
  readonly client: string;
  holds: boolean;
}

const text = (b: Buffer | string | undefined): string => (b === undefined ? '' : b.toString());

export class EtcdObserver {
  readonly events: ServiceEvent[] = [];
  private readonly keys = new Map<string, LockKey>();
  private watcher: Watcher | null = null;
  private closed = false;
  /** Watch errors seen (reconnects), for the record. */
  errors = 0;

  private constructor(
    private readonly client: Etcd3,
    private readonly options: EtcdObserverOptions,
  ) {}

  static async start(options: EtcdObserverOptions): Promise<EtcdObserver> {
    const client = new Etcd3({
      hosts: [...options.hosts],
      faultHandling: { watchBackoff: new ConstantBackoff(options.backoffMs).next() },
    });
    const observer = new EtcdObserver(client, options);
    try {
      await observer.watch();
    } catch (error) {
      client.close();
      throw error;
    }
    return observer;
  }

  private async watch(): Promise<void> {
    const watcher = await this.client.watch().prefix('locksim/').withPreviousKV().startRevision('1').create();
    if (this.closed) {
      await watcher.cancel();
      return;
    }
    this.watcher = watcher;
    watcher.on('data', (res) => {
      if (this.watcher !== watcher) return;
      const atUs = this.options.clock.nowUs();
      // Events of one revision (one transaction) come together, in the transaction's order.
      const marks = new Set<string>();
      for (const ev of res.events) {
        const key = text(ev.kv.key);
        if (ev.type === 'Put' && key.startsWith(RELEASED_PREFIX)) marks.add(key.slice(RELEASED_PREFIX.length));
      }
      for (const ev of res.events) {
        if (ev.type === 'Put') this.onPut(ev.kv, atUs);
        else this.onDelete(ev.kv, atUs, marks);
      }
    });
    watcher.on('disconnected', () => this.errors++);
    watcher.on('error', () => this.errors++);
  }

  /** The cluster started over empty: forget everything and watch again from revision 1 (resolves once the new watch is up: that needs a quorum of members). */
  async rewatch(): Promise<void> {
    const old = this.watcher;
    this.watcher = null;
    this.keys.clear();
    if (old !== null) void old.cancel().catch(() => {});
    if (!this.closed) await this.watch();
  }

  private onPut(kv: IKeyValue, atUs: number): void {
    const key = text(kv.key);
    if (this.options.mode.design === 'cas') {
      if (key !== REGISTER_KEY) return;
      let client = 'unknown';
      try {
        client = String((JSON.parse(text(kv.value)) as { client?: unknown }).client ?? 'unknown');
      } catch {
        // not a register value the live client wrote: reported with an unknown client
      }
      this.push({ kind: 'granted', atUs, server: this.options.server(), client, key, lease: `${key}@${kv.mod_revision}`, token: Number(kv.version) });
      return;
    }
    if (!key.startsWith(LOCK_PREFIX) || kv.version !== '1') return; // only a key's creation enqueues
    this.keys.set(key, { key, createRevision: Number(kv.create_revision), client: text(kv.value), holds: false });
    this.grantFree(atUs);
  }

  private onDelete(kv: IKeyValue, atUs: number, marks: ReadonlySet<string>): void {
    if (this.options.mode.design !== 'raft-lock') return;
    const key = text(kv.key);
    const state = this.keys.get(key);
    if (state === undefined) return;
    this.keys.delete(key);
    if (state.holds) {
      const lease = grantId(key, state.createRevision);
      this.push({ kind: marks.has(lease) ? 'deleted' : 'expired', atUs, server: this.options.server(), key, owner: state.client, lease, token: state.createRevision });
    }
    this.grantFree(atUs);
  }

  /** Reports every key that now holds and did not (the `permits` lowest create revisions). */
  private grantFree(atUs: number): void {
    if (this.options.mode.design !== 'raft-lock') return;
    const ordered = [...this.keys.values()].sort((a, b) => a.createRevision - b.createRevision);
    for (const state of ordered.slice(0, this.options.mode.permits)) {
      if (state.holds) continue;
      state.holds = true;
      this.push({ kind: 'granted', atUs, server: this.options.server(), client: state.client, key: state.key, lease: grantId(state.key, state.createRevision), token: state.createRevision });
    }
  }

  private push(event: ServiceEvent): void {
    this.events.push(event);
    this.options.listener(event);
  }

  async close(): Promise<void> {
    this.closed = true;
    const watcher = this.watcher;
    this.watcher = null;
    if (watcher !== null) await Promise.race([watcher.cancel().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 200))]);
    this.client.close();
  }
}
