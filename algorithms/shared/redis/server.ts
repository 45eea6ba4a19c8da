/**
 * One Redis server process: the dataset, its AOF, its role (primary or
 * replica) and, inside each replica, the Sentinel's failover decision.
 * Shared by `redis` (a primary with async replicas) and `redlock` (N lone
 * primaries).
 *
 * Models:
 * - Commands run only on the primary; a replica answers MOVED naming the
 *   primary it follows, which is how clients find a promoted replica.
 *   Duplicate requests get the cached first reply (what a TCP connection
 *   gives a real client); the cache is volatile.
 * - Expiry on the chosen clock (wall, as real Redis; or monotonic), lazily on
 *   access and by a 100 ms cron sweep (Redis `hz 10`). Only a primary expires
 *   keys; it emits `expired {owner, key, lease}` for each and replicates a
 *   DEL. `granted` and `expired` carry `lease`, the lock's random value
 *   (unique per acquire call), so an expiry can be matched to its grant.
 * - Async replication (replication.ts): replies go out first; ops are shipped
 *   10 ms later (the replica link's lag) and on a 1 s heartbeat, so a primary
 *   that crashes right after granting loses the tail.
 * - Sentinel, folded into the replicas: a replica that has heard nothing from
 *   its primary for `failoverAfter` (its own monotonic clock) promotes itself
 *   with a higher epoch and emits `elected`; a replica ranked r-th among the
 *   servers below it waits r more seconds, so the lowest-numbered live replica
 *   goes first. A primary that hears of a higher epoch (or the same epoch
 *   from a lower-numbered server) steps down, emits `stepped-down` and resyncs
 *   from the winner, dropping its own writes, as a demoted Redis master does.
 *   The role and epoch are kept on disk (fsynced, as Sentinel rewrites its
 *   config); a crash that wipes the disk restarts the server in its first
 *   role.
 * - Delayed restart (`restartDelayUs`, redlock's cure): a server that finds
 *   its boot marker on disk knows it restarted after a crash, and stays down
 *   (answers nothing) for that long on its monotonic clock. A crash with
 *   `durable: none` loses the disk and with it the marker: the node cannot
 *   tell a restart from a first boot, so the delay does not apply then.
 * Does not model: Sentinel quorum among sentinels (two partitioned replicas
 * can both promote; the lower-numbered wins when they meet),
 * min-replicas-to-write, WAIT, client-side caching.
 */
import type { Message, NodeApi, NodeHandlers, TimerId } from '../../api/index.ts';
import { US_PER_MS, US_PER_S, type Micros } from '../../api/index.ts';
import { Aof } from './aof.ts';
import { Keyspace, type LockEntry, type Op } from './keyspace.ts';
import type { ExpiryClock, Persistence } from './options.ts';
import { asCommand, type AcquireCmd, type Command, type ReplAck, type ReplSnapshot, type ReplStream, type Reply, type UnlockCmd } from './protocol.ts';
import { localiseOp, localiseSnapshot, ReplicationSource } from './replication.ts';

/** How often the server cron runs (active expiry, everysec fsync, failure detection): Redis `hz 10`. */
export const CRON_US: Micros = 100 * US_PER_MS;
/** How often a primary pings its replicas when it has nothing to send. */
export const HEARTBEAT_US: Micros = US_PER_S;
/** Lag between a write's reply and its shipping to replicas: the window a crash loses. */
export const REPL_FLUSH_US: Micros = 10 * US_PER_MS;
/** Extra wait per rank before a replica promotes itself (lower-numbered replicas first). */
export const PROMOTION_STAGGER_US: Micros = US_PER_S;
/** Replies remembered for duplicate requests. */
const DEDUP_LIMIT = 1024;

const CONFIG_KEY = 'redis:config';
const BOOT_KEY = 'redis:booted';

/** How a server is deployed. */
export interface ServerOptions {
  readonly persistence: Persistence;
  readonly expiryClock: ExpiryClock;
  /** The servers of this replication group in index order, this one included (`[self]` for a lone instance). */
  readonly group: readonly string[];
  /** The group's primary at first boot. */
  readonly initialPrimary: string;
  readonly failover: 'none' | 'sentinel';
  readonly failoverAfterUs: Micros;
  /** Stay down this long after a restart that kept the disk (0: restart at once). */
  readonly restartDelayUs: Micros;
  /** Emit `elected` / `stepped-down` (so the `leader` fault target names the primary). */
  readonly announceRole: boolean;
}

interface SavedConfig {
  readonly primary: string;
  readonly epoch: number;
}

export type Role = 'primary' | 'replica';

export class RedisServer implements NodeHandlers {
  private readonly api: NodeApi;
  private readonly options: ServerOptions;
  private readonly aof: Aof;
  /** The dataset (read it in tests; mutate it only through commands). */
  readonly keyspace = new Keyspace();
  private serving = false;
  private roleNow: Role = 'replica';
  private primaryNow: string;
  private epochNow = 0;
  /** Primary side; null on a replica. */
  private source: ReplicationSource | null = null;
  /** Replica side: the history and offset applied. */
  private replId = '';
  private offset = 0;
  private lastHeardUs: Micros = 0;
  private lastHeartbeatUs: Micros = 0;
  private flushTimer: TimerId | null = null;
  /** Replies by request id, in two generations: at most 2·DEDUP_LIMIT remembered, O(1) to age out. */
  private replies = new Map<string, Reply>();
  private olderReplies = new Map<string, Reply>();
  private readonly log = (op: Op): void => this.record(op);
  private readonly onExpire = (key: string, entry: LockEntry): void => this.expired(key, entry);

  constructor(api: NodeApi, options: ServerOptions) {
    if (!options.group.includes(api.id)) throw new Error(`${api.id} is not in its replication group ${options.group.join(',')}`);
    if (!options.group.includes(options.initialPrimary)) throw new Error(`initial primary ${options.initialPrimary} is not in the group`);
    this.api = api;
    this.options = options;
    this.primaryNow = options.initialPrimary;
    this.aof = new Aof(api.disk, options.persistence, api.monotonic());
    const restarted = api.disk.get(BOOT_KEY) === true;
    api.disk.set(BOOT_KEY, true);
    api.disk.fsync();
    if (restarted && options.restartDelayUs > 0) {
      api.note(`restarted after a crash: staying down for ${options.restartDelayUs}us (delayed restart)`);
      api.setTimer(options.restartDelayUs, () => this.boot(), 'restart delay');
    } else {
      this.boot();
    }
  }

  /** primary or replica. */
  get role(): Role {
    return this.roleNow;
  }

  /** The primary this server follows (itself when primary). */
  get primary(): string {
    return this.primaryNow;
  }

  /** The failover epoch (Sentinel's config epoch). */
  get epoch(): number {
    return this.epochNow;
  }

  /** False while a delayed restart keeps the process down. */
  get isServing(): boolean {
    return this.serving;
  }

  private clock(): Micros {
    return this.options.expiryClock === 'wall' ? this.api.now() : this.api.monotonic();
  }

  private boot(): void {
    this.serving = true;
    const saved = this.api.disk.get<SavedConfig>(CONFIG_KEY);
    if (saved !== undefined) {
      this.primaryNow = saved.primary;
      this.epochNow = saved.epoch;
    }
    for (const op of this.aof.load()) this.keyspace.apply(op);
    this.lastHeardUs = this.api.monotonic();
    if (this.primaryNow === this.api.id) this.becomePrimary();
    else this.roleNow = 'replica';
    this.api.setTimer(CRON_US, () => this.cron(), 'cron');
  }

  // ---- messages ----------------------------------------------------------------------------

  onMessage(from: string, msg: Message): void {
    if (!this.serving) return;
    const command = asCommand(msg);
    if (command !== undefined) return this.command(from, command);
    switch (msg.type) {
      case 'repl.stream':
      case 'repl.snapshot':
        return this.onReplication(from, msg as unknown as ReplStream | ReplSnapshot);
      case 'repl.ack':
        return this.onAck(from, msg as unknown as ReplAck);
      default:
        throw new Error(`${this.api.id} (redis) got an unexpected message ${msg.type} from ${from}`);
    }
  }

  private command(from: string, cmd: Command): void {
    // Request ids embed the client's name and a random prefix, so they are unique across clients.
    const cacheKey = cmd.reqId;
    const cached = this.replies.get(cacheKey) ?? this.olderReplies.get(cacheKey);
    if (cached !== undefined) return this.api.send(from, cached);
    if (this.roleNow !== 'primary') {
      return this.api.send(from, { type: 'redis.moved', reqId: cmd.reqId, primary: this.primaryNow === this.api.id ? null : this.primaryNow });
    }
    const reply = cmd.type === 'redis.acquire' ? this.acquire(from, cmd) : this.unlock(cmd);
    this.replies.set(cacheKey, reply);
    if (this.replies.size >= DEDUP_LIMIT) {
      this.olderReplies = this.replies;
      this.replies = new Map();
    }
    this.api.send(from, reply);
  }

  /** The acquire script: SET NX PX on the first free key, then INCR the token counter. */
  private acquire(from: string, cmd: AcquireCmd): Reply {
    const nowUs = this.clock();
    for (const key of cmd.keys) {
      if (!this.keyspace.setNx(key, cmd.value, from, cmd.ttlUs, nowUs, this.onExpire, this.log)) continue;
      const token = cmd.counter === null ? null : this.keyspace.incr(cmd.counter, this.log);
      this.api.emit(token === null ? { kind: 'granted', client: from, key, lease: cmd.value } : { kind: 'granted', client: from, key, lease: cmd.value, token });
      return { type: 'redis.acquired', reqId: cmd.reqId, ok: true, key, token };
    }
    return { type: 'redis.acquired', reqId: cmd.reqId, ok: false, key: null, token: null };
  }

  private unlock(cmd: UnlockCmd): Reply {
    const nowUs = this.clock();
    const victim = this.keyspace.lookup(cmd.key, nowUs, this.onExpire, this.log);
    const deleted =
      cmd.mode === 'compare-and-delete'
        ? this.keyspace.compareAndDelete(cmd.key, cmd.value, nowUs, this.onExpire, this.log)
        : this.keyspace.del(cmd.key, nowUs, this.onExpire, this.log);
    // Tell the simulator whose lease ended by deletion (not expiry), so a quorum-held lease is tracked right.
    if (deleted) this.api.emit({ kind: 'deleted', owner: victim?.owner, key: cmd.key, lease: victim?.value });
    return { type: 'redis.unlocked', reqId: cmd.reqId, deleted };
  }

  private expired(key: string, entry: LockEntry): void {
    if (this.roleNow !== 'primary') throw new Error(`${this.api.id}: a replica expired ${key}; only primaries expire keys`);
    this.api.emit({ kind: 'expired', owner: entry.owner, key, lease: entry.value });
  }

  /** Every mutation: to the AOF (fsynced first under `always`), then queued for the replicas. */
  private record(op: Op): void {
    this.aof.append(op);
    if (this.source === null) return;
    this.source.push(op);
    if (this.flushTimer === null && this.options.group.length > 1) {
      this.flushTimer = this.api.setTimer(REPL_FLUSH_US, () => {
        this.flushTimer = null;
        this.replicate();
      }, 'replication flush');
    }
  }

  // ---- cron ---------------------------------------------------------------------------------

  private cron(): void {
    this.api.setTimer(CRON_US, () => this.cron(), 'cron');
    const monoUs = this.api.monotonic();
    this.aof.tick(monoUs);
    if (this.roleNow === 'primary') {
      this.keyspace.sweep(this.clock(), this.onExpire, this.log);
      if (monoUs - this.lastHeartbeatUs >= HEARTBEAT_US) this.replicate();
      return;
    }
    if (this.options.failover === 'sentinel' && monoUs - this.lastHeardUs >= this.options.failoverAfterUs + this.rank() * PROMOTION_STAGGER_US) {
      this.promote();
    }
  }

  /** How many servers numbered below this one could promote first (every one but the primary). */
  private rank(): number {
    const group = this.options.group;
    const me = group.indexOf(this.api.id);
    let rank = 0;
    for (let i = 0; i < me; i++) if (group[i] !== this.primaryNow) rank++;
    return rank;
  }

  // ---- roles --------------------------------------------------------------------------------

  private becomePrimary(): void {
    this.roleNow = 'primary';
    this.primaryNow = this.api.id;
    this.source = new ReplicationSource(this.api.rng.id(`${this.api.id}-`));
    if (this.options.announceRole) this.api.emit({ kind: 'elected', term: this.epochNow });
    this.replicate();
  }

  private promote(): void {
    this.epochNow++;
    this.api.note(`sentinel: no word from primary ${this.primaryNow}; promoting myself (epoch ${this.epochNow})`);
    this.primaryNow = this.api.id;
    this.saveConfig();
    this.becomePrimary();
  }

  private stepDown(): void {
    this.roleNow = 'replica';
    this.source = null;
    if (this.flushTimer !== null) this.api.cancelTimer(this.flushTimer);
    this.flushTimer = null;
    this.replId = '';
    this.offset = 0;
    if (this.options.announceRole) this.api.emit({ kind: 'stepped-down', term: this.epochNow });
  }

  private saveConfig(): void {
    const config: SavedConfig = { primary: this.primaryNow, epoch: this.epochNow };
    this.api.disk.set(CONFIG_KEY, config);
    this.api.disk.fsync();
  }

  /**
   * Whether `from`, claiming to be primary at `epoch`, is the primary to
   * follow: a higher epoch wins, and at equal epochs the lower-numbered server.
   */
  private outranks(from: string, epoch: number): boolean {
    if (epoch !== this.epochNow) return epoch > this.epochNow;
    if (from === this.primaryNow) return true;
    const group = this.options.group;
    return group.indexOf(from) < group.indexOf(this.primaryNow);
  }

  // ---- replication --------------------------------------------------------------------------

  /** Primary: ships what each replica lacks. */
  private replicate(): void {
    const source = this.source;
    if (source === null) throw new Error(`${this.api.id}: only a primary replicates`);
    this.lastHeartbeatUs = this.api.monotonic();
    for (const peer of this.options.group) {
      if (peer !== this.api.id) this.sendTo(peer, source);
    }
  }

  private sendTo(peer: string, source: ReplicationSource): void {
    this.api.send(peer, source.messageFor(peer, this.epochNow, this.clock(), () => this.keyspace.snapshot()));
  }

  private onReplication(from: string, msg: ReplStream | ReplSnapshot): void {
    if (!this.outranks(from, msg.epoch)) {
      // A stale primary: if we lead, tell it at once so it steps down.
      if (this.source !== null) this.sendTo(from, this.source);
      return;
    }
    if (this.roleNow === 'primary') this.stepDown();
    if (this.primaryNow !== from || this.epochNow !== msg.epoch) {
      this.primaryNow = from;
      this.epochNow = msg.epoch;
      this.saveConfig();
    }
    this.lastHeardUs = this.api.monotonic();
    const localUs = this.clock();
    if (msg.type === 'repl.snapshot') {
      if (msg.replId !== this.replId || msg.offset > this.offset) {
        this.keyspace.load(localiseSnapshot(msg.snapshot, this.options.expiryClock, msg.clockUs, localUs));
        this.replId = msg.replId;
        this.offset = msg.offset;
        this.aof.rewrite(this.keyspace.toOps());
      }
    } else if (msg.replId === this.replId && msg.fromOffset <= this.offset + 1) {
      if (msg.toOffset - msg.fromOffset + 1 !== msg.ops.length) throw new Error(`repl.stream from ${from} has a wrong op count`);
      for (let i = 0; i < msg.ops.length; i++) {
        if (msg.fromOffset + i <= this.offset) continue;
        const op = localiseOp(msg.ops[i], this.options.expiryClock, msg.clockUs, localUs);
        this.keyspace.apply(op);
        this.aof.append(op);
        this.offset = msg.fromOffset + i;
      }
    }
    this.api.send(from, { type: 'repl.ack', epoch: this.epochNow, replId: this.replId, offset: this.offset });
  }

  private onAck(from: string, msg: ReplAck): void {
    const source = this.source;
    if (source === null || msg.epoch !== this.epochNow) return;
    if (!source.ack(from, msg.replId, msg.offset)) this.sendTo(from, source);
  }
}

/** Builds a Redis server node. */
export function createRedisServer(api: NodeApi, options: ServerOptions): RedisServer {
  return new RedisServer(api, options);
}
