/**
 * One Redis server process: the dataset, its AOF, and its role (primary or
 * replica) as Sentinel (or the deployment's configuration) sets it. Shared by
 * `redis` (a primary with async replicas, failed over by the Sentinels in
 * algorithms/redis/sentinel.ts) and `redlock` (N lone primaries).
 *
 * Models:
 * - Commands run only on the primary; a replica refuses them with
 *   `-READONLY`, naming no primary (clients find the primary through
 *   Sentinel or their configured list). Duplicate requests get the cached
 *   first reply (what a TCP connection gives a real client); the cache is
 *   volatile.
 * - Expiry on the chosen clock (wall, as real Redis; or monotonic), lazily on
 *   access and by a 100 ms cron sweep (Redis `hz 10`). Only a primary expires
 *   keys; it emits `expired {owner, key, lease}` for each and replicates a
 *   DEL. `granted` and `expired` carry `lease`, the lock's random value
 *   (unique per acquire call), so an expiry can be matched to its grant.
 * - Async replication (replication.ts): a replica attaches to the primary it
 *   follows with REPLCONF ACK (its history id and offset; again after every
 *   stream, and each second while it hears nothing) and the primary streams
 *   to the replicas attached to it. Replies go out first; the ops follow
 *   `replicationDelayUs` later (default 100 µs: real Redis writes the stream
 *   in the same event-loop pass as the reply, so the window a crash loses is
 *   that small) and on a 1 s heartbeat.
 * - Roles come from outside, as Sentinel sets them: `REPLICAOF NO ONE`
 *   promotes a replica (a new replication id, its offset carrying on; it
 *   emits `elected` with the failover epoch), `REPLICAOF host` demotes a
 *   primary (`stepped-down`) or moves a replica; either resyncs in full from
 *   the new primary, dropping what it had, so a demoted primary loses the
 *   writes it took alone. The role is kept on disk, fsynced (Sentinel sends
 *   CONFIG REWRITE with it); a crash that wipes the disk restarts the server
 *   in its first role, as its deployment configured it. A server never
 *   promotes itself: a primary → replica link that breaks changes nothing.
 * - INFO for Sentinel: role, the primary followed, replication offset, a run
 *   id drawn at each process start, `replica-priority`, and how long the
 *   master link has been down (a replica notices only after `repl-timeout`,
 *   60 s of silence, or until it synced with a newly configured primary).
 * - Delayed restart (`restartDelayUs`, redlock's cure): when the deployment
 *   restarted this process after a crash (`restarted`), it stays down
 *   (answers nothing) for that long on its monotonic clock, whatever the
 *   crash left on the disk: the rule is the operator's, for instances
 *   without persistence (antirez), not something Redis reads from its disk.
 * Does not model: min-replicas-to-write, WAIT, replica chains,
 * replica-serve-stale-data reads, client-side caching.
 */
import type { Message, NodeApi, NodeHandlers, TimerId } from '../../api/index.ts';
import { US_PER_MS, US_PER_S, type Micros } from '../../api/index.ts';
import { Aof } from './aof.ts';
import { Keyspace, type LockEntry, type Op } from './keyspace.ts';
import type { ExpiryClock, Persistence } from './options.ts';
import {
  asCommand,
  type AcquireCmd,
  type Command,
  type ReplAck,
  type ReplicaOfCmd,
  type ReplSnapshot,
  type ReplStream,
  type Reply,
  type ServerInfo,
  type SentinelPing,
  type UnlockCmd,
} from './protocol.ts';
import { localiseOp, localiseSnapshot, ReplicationSource } from './replication.ts';

/** How often the server cron runs (active expiry, everysec fsync, replication heartbeats): Redis `hz 10`. */
export const CRON_US: Micros = 100 * US_PER_MS;
/** How often a primary pings its replicas when it has nothing to send, and a silent replica re-sends its ACK. */
export const HEARTBEAT_US: Micros = US_PER_S;
/** `repl-timeout`: silence after which a replica considers its master link down. */
export const REPL_TIMEOUT_US: Micros = 60 * US_PER_S;
/** `replica-priority` unless told otherwise. */
export const DEFAULT_REPLICA_PRIORITY = 100;
/** Replies remembered for duplicate requests. */
const DEDUP_LIMIT = 1024;

const CONFIG_KEY = 'redis:config';

/** How a server is deployed. */
export interface ServerOptions {
  readonly persistence: Persistence;
  readonly expiryClock: ExpiryClock;
  /** The data servers of this replication group in index order, this one included (`[self]` for a lone instance). */
  readonly group: readonly string[];
  /** The group's primary at first boot (and after a crash that lost the disk). */
  readonly initialPrimary: string;
  /** Lag between a reply and shipping its writes to the replicas (0: in the same instant, after the reply). */
  readonly replicationDelayUs: Micros;
  /** Whether the deployment restarted this process after a crash (the design knows; the disk may not). */
  readonly restarted: boolean;
  /** After a restart, stay down this long (0: serve at once). */
  readonly restartDelayUs: Micros;
  /** `replica-priority` reported to Sentinel (default 100; 0: never promoted). */
  readonly replicaPriority?: number;
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
  /** This process's run id (random per start). */
  readonly runId: string;
  private serving = false;
  private roleNow: Role = 'replica';
  private primaryNow: string;
  private epochNow = 0;
  /** Primary side; null on a replica. */
  private source: ReplicationSource | null = null;
  /** Replica side: the history and offset applied. */
  private replId = '';
  private offset = 0;
  /** Replica side: whether it has synced with the primary it now follows. */
  private synced = false;
  private lastHeardUs: Micros = 0;
  /** Replica side: when the master link went down (configured anew, or silent for repl-timeout). */
  private linkDownSinceUs: Micros = 0;
  private lastAckSentUs: Micros = 0;
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
    if (!(options.replicationDelayUs >= 0)) throw new Error(`replicationDelayUs must be ≥ 0, got ${options.replicationDelayUs}`);
    this.api = api;
    this.options = options;
    this.primaryNow = options.initialPrimary;
    this.runId = api.rng.id('run-');
    this.aof = new Aof(api.disk, options.persistence, api.monotonic());
    if (options.restarted && options.restartDelayUs > 0) {
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

  /** The failover epoch of the last promotion this server took part in (Sentinel's config epoch). */
  get epoch(): number {
    return this.epochNow;
  }

  /** The replication offset: the last op produced (primary) or applied (replica). */
  get replicationOffset(): number {
    return this.source !== null ? this.source.offset : this.offset;
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
    const monoUs = this.api.monotonic();
    this.lastHeardUs = monoUs;
    this.linkDownSinceUs = monoUs;
    if (this.primaryNow === this.api.id) {
      this.becomePrimary();
    } else {
      this.roleNow = 'replica';
      this.sendAck();
    }
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
      case 'repl.detach':
        this.source?.detach(from);
        return;
      case 'sentinel.ping':
        return this.api.send(from, this.info((msg as unknown as SentinelPing).seq));
      case 'sentinel.replicaof':
        return this.replicaOf(msg as unknown as ReplicaOfCmd);
      default:
        throw new Error(`${this.api.id} (redis) got an unexpected message ${msg.type} from ${from}`);
    }
  }

  private command(from: string, cmd: Command): void {
    // Request ids embed the client's name and a random prefix, so they are unique across clients.
    const cacheKey = cmd.reqId;
    const cached = this.replies.get(cacheKey) ?? this.olderReplies.get(cacheKey);
    if (cached !== undefined) return this.api.send(from, cached);
    if (this.roleNow !== 'primary') return this.api.send(from, { type: 'redis.readonly', reqId: cmd.reqId });
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
    const source = this.source;
    if (source === null) return;
    source.push(op);
    if (this.flushTimer === null && source.hasReplicas) {
      this.flushTimer = this.api.setTimer(this.options.replicationDelayUs, () => {
        this.flushTimer = null;
        if (this.source === source) this.replicate();
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
    if (this.synced && monoUs - this.lastHeardUs >= REPL_TIMEOUT_US) {
      this.synced = false;
      this.linkDownSinceUs = monoUs;
      this.api.note(`master link to ${this.primaryNow} down: nothing for repl-timeout`);
    }
    if (monoUs - this.lastHeardUs >= HEARTBEAT_US && monoUs - this.lastAckSentUs >= HEARTBEAT_US) this.sendAck();
  }

  // ---- Sentinel's view and commands ---------------------------------------------------------

  /** INFO replication, as Sentinel reads it. */
  private info(seq: number): ServerInfo {
    const primary = this.roleNow === 'primary';
    return {
      type: 'sentinel.info',
      seq,
      runId: this.runId,
      role: this.roleNow,
      primary: primary ? null : this.primaryNow,
      offset: this.replicationOffset,
      priority: this.options.replicaPriority ?? DEFAULT_REPLICA_PRIORITY,
      linkDownUs: primary || this.synced ? 0 : this.api.monotonic() - this.linkDownSinceUs,
    };
  }

  /** `REPLICAOF NO ONE` (primary null) or `REPLICAOF primary`, with CONFIG REWRITE. Repeats change nothing. */
  private replicaOf(cmd: ReplicaOfCmd): void {
    if (cmd.primary === null || cmd.primary === this.api.id) {
      if (this.roleNow === 'primary') return;
      this.epochNow = cmd.epoch;
      this.api.note(`REPLICAOF NO ONE: promoted at epoch ${cmd.epoch}, offset ${this.offset}`);
      this.primaryNow = this.api.id;
      this.saveConfig();
      this.becomePrimary();
      return;
    }
    if (this.roleNow === 'replica' && this.primaryNow === cmd.primary) return;
    if (!this.options.group.includes(cmd.primary)) throw new Error(`${this.api.id}: REPLICAOF ${cmd.primary}, which is not in the group`);
    const previous = this.primaryNow;
    if (this.roleNow === 'primary') this.stepDown();
    else if (previous !== this.api.id) this.api.send(previous, { type: 'repl.detach' });
    this.api.note(`REPLICAOF ${cmd.primary}: following it from now on (full resync)`);
    this.primaryNow = cmd.primary;
    this.replId = '';
    this.offset = 0;
    this.synced = false;
    const monoUs = this.api.monotonic();
    this.lastHeardUs = monoUs;
    this.linkDownSinceUs = monoUs;
    this.saveConfig();
    this.sendAck();
  }

  // ---- roles --------------------------------------------------------------------------------

  /** Starts a new replication history, its offset carrying on from what this server had applied as a replica. */
  private becomePrimary(): void {
    this.roleNow = 'primary';
    this.primaryNow = this.api.id;
    this.source = new ReplicationSource(this.api.rng.id(`${this.api.id}-`), this.offset);
    this.synced = false;
    if (this.options.announceRole) this.api.emit({ kind: 'elected', term: this.epochNow });
  }

  private stepDown(): void {
    this.roleNow = 'replica';
    this.source = null;
    if (this.flushTimer !== null) this.api.cancelTimer(this.flushTimer);
    this.flushTimer = null;
    if (this.options.announceRole) this.api.emit({ kind: 'stepped-down', term: this.epochNow });
  }

  private saveConfig(): void {
    const config: SavedConfig = { primary: this.primaryNow, epoch: this.epochNow };
    this.api.disk.set(CONFIG_KEY, config);
    this.api.disk.fsync();
  }

  // ---- replication --------------------------------------------------------------------------

  /** Primary: ships what each attached replica lacks. */
  private replicate(): void {
    const source = this.source;
    if (source === null) throw new Error(`${this.api.id}: only a primary replicates`);
    this.lastHeartbeatUs = this.api.monotonic();
    for (const replica of source.replicas()) this.sendTo(replica, source);
  }

  private sendTo(replica: string, source: ReplicationSource): void {
    this.api.send(replica, source.messageFor(replica, this.clock(), () => this.keyspace.snapshot()));
  }

  /** Replica: REPLCONF ACK to the primary it follows (attaches it there). */
  private sendAck(): void {
    this.lastAckSentUs = this.api.monotonic();
    this.api.send(this.primaryNow, { type: 'repl.ack', replId: this.replId, offset: this.offset });
  }

  private onReplication(from: string, msg: ReplStream | ReplSnapshot): void {
    if (this.roleNow === 'primary' || from !== this.primaryNow) {
      // Not our primary (we were moved, or promoted): it should stop streaming to us.
      this.api.send(from, { type: 'repl.detach' });
      return;
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
      this.synced = true;
    } else if (msg.replId === this.replId && msg.fromOffset <= this.offset + 1) {
      if (msg.toOffset - msg.fromOffset + 1 !== msg.ops.length) throw new Error(`repl.stream from ${from} has a wrong op count`);
      for (let i = 0; i < msg.ops.length; i++) {
        if (msg.fromOffset + i <= this.offset) continue;
        const op = localiseOp(msg.ops[i], this.options.expiryClock, msg.clockUs, localUs);
        this.keyspace.apply(op);
        this.aof.append(op);
        this.offset = msg.fromOffset + i;
      }
      this.synced = true;
    }
    this.sendAck();
  }

  private onAck(from: string, msg: ReplAck): void {
    const source = this.source;
    if (source === null) return; // a replica is not streamed from here (no replica chains)
    const attaching = !source.replicas().includes(from);
    source.attach(from);
    if (!source.ack(from, msg.replId, msg.offset) || attaching) this.sendTo(from, source);
  }
}

/** Builds a Redis server node. */
export function createRedisServer(api: NodeApi, options: ServerOptions): RedisServer {
  return new RedisServer(api, options);
}
