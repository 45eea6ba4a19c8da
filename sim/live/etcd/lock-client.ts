/**
 * The live `raft-lock` client: etcd's concurrency.Mutex recipe (Go
 * clientv3/concurrency, as the simulated client models it) over the etcd3
 * client's leases, key-value transactions and watches.
 *
 * - Session: one etcd3 `Lease` (TTL `ttlS`) kept alive by the library
 *   (LeaseKeepAlive every TTL/3 on a stream; a reply saying TTL 0, or no
 *   reply for 2 × TTL once it tries to reconnect, is the lease's `lost`).
 *   The session outlives sections, as a Go `concurrency.Session` does.
 * - Acquire: put `<prefix><lease id in hex>` (value: our client's name)
 *   bound to the lease if it does not exist yet (Txn on create_revision =
 *   0, else read it: idempotent, so etcd3's retries are harmless); our
 *   create revision is the fencing token. Then wait while `permits` or more
 *   keys under the prefix have a lower create revision: for a mutex, watch
 *   for the deletion of the newest of them (the recipe's waitDeletes), for
 *   a semaphore for any deletion under the prefix; re-check after each
 *   (and every TTL, in case a watch event was missed). Each check also
 *   reads our own key (one read-only transaction): before reporting the
 *   grant, our key must still exist with our revision (etcd 3.5's
 *   Mutex.Lock checks; 3.4's did not): if not, our lease ran out while we
 *   waited — start over with a fresh session, as ErrSessionExpired does.
 * - Abandon (acquireTimeout; Mutex.Lock with a cancelled context): delete
 *   our own key, and only ours; the next acquire waits for that delete.
 * - Release (Mutex.Unlock): one Txn — if our key still has our create
 *   revision, write the release mark (RELEASED_PREFIX + `<key>@<rev>`,
 *   read only by the harness's observer, to tell a release from an expiry)
 *   and delete the key; else read the mark (a retry of a release that had
 *   applied finds it). true if released, false if the key was already gone
 *   (the lease ended), null when unknown (the session is then dropped, so
 *   an unreleased key expires with its lease).
 * - Loss: the lease's `lost` while holding is `onLost`; the session is
 *   dropped and the next acquire opens a new one. `stillValid` is the Go
 *   client's own deadline: the last keep-alive reply's receipt + TTL.
 * Not modelled (as in simulation): several locks per session.
 */
import type { Etcd3, Lease } from 'etcd3';
import type { EtcdLockChildConfig } from '../child-protocol.ts';
import type { LiveGrant, LiveLockClient } from '../live-client.ts';
import { connectedEtcdClient, monotonicUs, pause } from './connect.ts';
import { grantId } from './deployment.ts';

interface Session {
  readonly lease: Lease;
  readonly id: string;
  /** The recipe's key for this session. */
  readonly key: string;
  /** Monotonic µs of the latest keep-alive reply (or the grant's). */
  renewedUs: number;
  lost: boolean;
}

interface Held extends LiveGrant {
  readonly session: Session;
  readonly rev: number;
}

interface Attempt {
  live: boolean;
  /** Wakes a wait in progress (a deletion, an abandon, the session's loss). */
  wake: (() => void) | null;
  /** Our key once enqueued in this attempt. */
  enqueued: { readonly session: Session; readonly key: string; readonly rev: number } | null;
}

const buf = (s: string): Buffer => Buffer.from(s);
/** The end of a prefix range (etcd's `WithPrefix`). */
function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1]++;
  return end;
}

export class EtcdLockLiveClient implements LiveLockClient {
  private etcdClient: Etcd3 | null = null;
  private session: Session | null = null;
  private opening: Promise<Session> | null = null;
  private attempt: Attempt | null = null;
  private held: Held | null = null;
  /** The delete of an abandoned acquire's key, which the next acquire waits for. */
  private cancelling: Promise<void> | null = null;
  private lostListener: (reason: string) => void = () => {};
  private closed = false;
  requests = 0;

  constructor(
    private readonly client: string,
    private readonly config: EtcdLockChildConfig,
    private readonly permits: number,
  ) {}

  /** The etcd3 client (made by `connect`). */
  private get etcd(): Etcd3 {
    if (this.etcdClient === null) throw new Error('etcd lock client: used before connect()');
    return this.etcdClient;
  }

  async connect(): Promise<void> {
    this.etcdClient ??= await connectedEtcdClient(
      this.config.servers.map((s) => s.port),
      this.config.timing,
      (etcd) => etcd.kv.range({ key: buf(this.config.lockPrefix), limit: 1 }),
    );
  }

  onLost(listener: (reason: string) => void): void {
    this.lostListener = listener;
  }

  private ttlUs(): number {
    return this.config.ttlS * 1_000_000;
  }

  /** The open session, or a new one. */
  private async ensureSession(): Promise<Session> {
    if (this.session !== null && !this.session.lost) return this.session;
    this.opening ??= this.openSession().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async openSession(): Promise<Session> {
    this.requests++;
    const lease = this.etcd.lease(this.config.ttlS);
    let id: string;
    try {
      id = await lease.grant();
    } catch (error) {
      lease.release();
      throw error;
    }
    const session: Session = { lease, id, key: `${this.config.lockPrefix}${BigInt(id).toString(16)}`, renewedUs: monotonicUs(), lost: false };
    lease.on('keepaliveFired', () => this.requests++);
    lease.on('keepaliveSucceeded', () => {
      session.renewedUs = monotonicUs();
    });
    lease.on('lost', (error: Error) => this.sessionLost(session, `lease ${id} lost: ${error.message}`));
    if (this.closed) lease.release();
    this.session = session;
    return session;
  }

  /** The session is gone (its lease ended, or we gave it up): a holder learns it lost the lock. */
  private sessionLost(session: Session, reason: string): void {
    if (session.lost) return;
    session.lost = true;
    session.lease.release(); // stop keeping it alive (a no-op once the library closed it)
    if (this.session === session) this.session = null;
    if (this.attempt?.enqueued?.session === session) this.attempt.wake?.();
    if (this.held !== null && this.held.session === session) {
      this.held = null;
      this.lostListener(reason);
    }
  }

  async acquire(): Promise<LiveGrant | null> {
    const attempt: Attempt = { live: true, wake: null, enqueued: null };
    this.attempt = attempt;
    if (this.cancelling !== null) await this.cancelling;
    while (attempt.live) {
      try {
        const session = await this.ensureSession();
        if (!attempt.live) break;
        const rev = await this.enqueue(session);
        attempt.enqueued = { session, key: session.key, rev };
        if (!attempt.live) break;
        const holds = await this.waitTurn(attempt, session, rev);
        if (!attempt.live) break;
        if (!holds) continue; // our lease ran out while we waited: a fresh session
        attempt.live = false;
        this.attempt = null;
        const held: Held = { key: session.key, token: rev, lease: grantId(session.key, rev), session, rev };
        this.held = held;
        return held;
      } catch {
        if (!attempt.live) break;
        const wait = pause(this.config.timing.retryPauseMs);
        attempt.wake = wait.wake;
        await wait.done;
        attempt.wake = null;
      }
    }
    // Abandoned (Mutex.Lock's context cancelled): delete our own key, and only ours — also when
    // the put's outcome is unknown (it timed out), since a key left behind would hold the queue.
    const session = attempt.enqueued?.session ?? this.session;
    if (session !== null && !session.lost) {
      this.cancelling = this.cancelKey(session)
        .catch(() => {})
        .finally(() => {
          this.cancelling = null;
        });
    }
    return null;
  }

  abandon(): void {
    const attempt = this.attempt;
    if (attempt === null) return;
    attempt.live = false;
    this.attempt = null;
    attempt.wake?.();
  }

  /** Puts our key if it is not there yet; returns its create revision. */
  private async enqueue(session: Session): Promise<number> {
    this.requests++;
    const key = buf(session.key);
    const res = await this.etcd.kv.txn({
      compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key, value: buf(this.client), lease: session.id } }],
      failure: [{ request_range: { key } }],
    });
    if (res.succeeded) return Number(res.header.revision);
    const kv = res.responses[0]?.response_range?.kvs[0];
    if (kv === undefined) throw new Error(`etcd: ${session.key} neither created nor found`);
    return Number(kv.create_revision);
  }

  /** Waits until fewer than `permits` keys precede ours; true when we hold, false when our key is gone. */
  private async waitTurn(attempt: Attempt, session: Session, rev: number): Promise<boolean> {
    const prefix = buf(this.config.lockPrefix);
    const end = prefixEnd(this.config.lockPrefix);
    for (;;) {
      if (!attempt.live || session.lost) return false;
      // One read-only transaction (one linearizable read): the keys before ours, and ours.
      this.requests++;
      const res = await this.etcd.kv.txn({
        compare: [],
        success: [
          { request_range: { key: prefix, range_end: end, max_create_revision: rev - 1, sort_target: 'Create', sort_order: 'Ascend' } },
          { request_range: { key: buf(session.key) } },
        ],
        failure: [],
      });
      if (!attempt.live || session.lost) return false;
      const lower = res.responses[0].response_range.kvs;
      const own = res.responses[1].response_range.kvs;
      if (own.length === 0 || Number(own[0].create_revision) !== rev) {
        this.sessionLost(session, `our key ${session.key} is gone: the lease ran out while we waited`);
        return false;
      }
      if (lower.length < this.permits) return true;
      await this.waitDelete(attempt, session, this.permits === 1 ? lower[lower.length - 1].key : null, Number(res.header.revision) + 1);
    }
  }

  /** Waits for the deletion of `key` (null: of any key under the prefix) from `fromRev`, the attempt's end, or a poll period. */
  private async waitDelete(attempt: Attempt, session: Session, key: Buffer | null, fromRev: number): Promise<void> {
    const wait = pause(this.config.ttlS * 1000);
    attempt.wake = wait.wake;
    this.requests++;
    const builder = this.etcd.watch();
    const ranged = key === null ? builder.prefix(this.config.lockPrefix) : builder.key(key);
    const watcher = ranged.only('delete').startRevision(String(fromRev)).watcher();
    watcher.on('delete', () => wait.wake());
    watcher.on('error', () => wait.wake());
    try {
      if (attempt.live && !session.lost) await wait.done;
    } finally {
      attempt.wake = null;
      void watcher.cancel().catch(() => {});
    }
  }

  stillValid(grant: LiveGrant): boolean {
    const held = grant as Held;
    return !held.session.lost && monotonicUs() < held.session.renewedUs + this.ttlUs();
  }

  /** Mutex.Unlock with the release mark: true released, false our key was gone; throws when unanswered. */
  private async releaseOnce(key: string, rev: number): Promise<boolean> {
    this.requests++;
    const mark = buf(`${this.config.releasedPrefix}${grantId(key, rev)}`);
    const res = await this.etcd.kv.txn({
      compare: [{ key: buf(key), target: 'Create', result: 'Equal', create_revision: rev }],
      success: [{ request_put: { key: mark, value: buf(this.client) } }, { request_delete_range: { key: buf(key) } }],
      failure: [{ request_range: { key: mark, count_only: true } }],
    });
    if (res.succeeded) return true;
    return Number(res.responses[0]?.response_range?.count ?? 0) > 0;
  }

  /** Deletes this session's key, whatever its revision, with the mark (it may have been granted); gives the session up if unanswered. */
  private async cancelKey(session: Session): Promise<void> {
    const deadlineMs = Date.now() + this.config.ttlS * 1000;
    for (;;) {
      try {
        this.requests++;
        const found = await this.etcd.kv.range({ key: buf(session.key) });
        if (found.kvs.length === 0) return;
        if (await this.releaseOnce(session.key, Number(found.kvs[0].create_revision))) return;
      } catch {
        if (Date.now() >= deadlineMs || this.closed) {
          this.sessionLost(session, 'cancel unanswered: the session is given up');
          return;
        }
        await pause(this.config.timing.retryPauseMs).done;
      }
    }
  }

  /** Releases `key`, retrying until answered or `deadlineMs` (wall) passes: null then. */
  private async releaseKey(session: Session, key: string, rev: number, deadlineMs: number): Promise<boolean | null> {
    for (;;) {
      try {
        return await this.releaseOnce(key, rev);
      } catch {
        if (Date.now() >= deadlineMs || this.closed) {
          this.sessionLost(session, 'release unanswered: the session is given up');
          return null;
        }
        await pause(this.config.timing.retryPauseMs).done;
      }
    }
  }

  async release(grant: LiveGrant): Promise<boolean | null> {
    const held = grant as Held;
    if (this.held === held) this.held = null;
    // Try while the lease could still be alive (its deadline by our own clock, or one TTL from now after a pause).
    const leftMs = Math.max(held.session.renewedUs + this.ttlUs() - monotonicUs(), this.ttlUs()) / 1000;
    return this.releaseKey(held.session, held.key, held.rev, Date.now() + leftMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abandon();
    const session = this.session;
    this.session = null;
    if (session !== null && !session.lost) {
      session.lost = true;
      await Promise.race([session.lease.revoke().catch(() => {}), pause(500).done]);
    }
    this.etcdClient?.close();
  }
}
