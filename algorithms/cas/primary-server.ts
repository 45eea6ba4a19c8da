/**
 * A cas server for `replication: "none"` (s1 alone) and `"async"` (s1 the
 * first primary, the rest replicas): a versioned register with
 * compare-and-set, like a single-leader database or a Redis key with
 * WATCH/MULTI.
 *
 * Models:
 * - Only the primary serves; a replica answers a redirect naming the
 *   primary it follows. The primary applies a compare-and-set, fsyncs it,
 *   emits `granted {client, token: newVersion}`, answers — and only then
 *   ships it: the whole register (one record) goes to every other server
 *   `REPL_FLUSH_US` after a write and every `HEARTBEAT_US`. A primary that
 *   crashes inside that window has acknowledged a write no replica has.
 * - Failover folded into the replicas (like Sentinel, without its quorum): a
 *   replica that has heard nothing from its primary for `failoverAfter` (its
 *   own monotonic clock, checked every `CRON_US`; the r-th replica in server
 *   order waits r·`PROMOTION_STAGGER_US` more) promotes itself with a higher
 *   epoch, emits `elected` and serves what it has. A server hearing of a
 *   higher epoch (or the same epoch from a lower-numbered primary) follows
 *   it, takes its register wholesale (a demoted primary drops its own
 *   writes) and, if it was primary, emits `stepped-down`.
 * - Disk: the register and `{primary, epoch}` are fsynced on every change. A
 *   crash that wipes the disk restarts the server in its first role with an
 *   empty register — s1 then serves as primary of epoch 1 until it hears of
 *   a newer one, and wipes replicas still following epoch 1 (the documented
 *   hazard of a Redis master restarting without persistence).
 * Not modelled: replica acknowledgements / WAIT, partial resync, reads from
 * replicas, several keys.
 */
import type { DesignContext, Message, NodeApi, NodeHandlers, TimerId } from '../api/index.ts';
import { US_PER_MS, US_PER_S, type Micros } from '../api/index.ts';
import type { CasKnobs } from './knobs.ts';
import { isCasRequest, type CasNewer, type CasRedirect, type CasReply, type CasRequest, type CasResult, type CasSync } from './protocol.ts';
import { applyCas, INITIAL_REGISTER, isRegisterState, type RegisterState } from './register.ts';

/** Lag between a write's acknowledgement and its shipping to replicas: the window a primary crash loses. */
export const REPL_FLUSH_US: Micros = 10 * US_PER_MS;
/** How often a primary sends its register to the other servers when nothing changed. */
export const HEARTBEAT_US: Micros = 100 * US_PER_MS;
/** How often a replica checks whether its primary has gone silent. */
export const CRON_US: Micros = 100 * US_PER_MS;
/** Extra wait per rank before a replica promotes itself (lower-numbered replicas first). */
export const PROMOTION_STAGGER_US: Micros = US_PER_S;

const REGISTER_KEY = 'cas:register';
const CONFIG_KEY = 'cas:config';

interface SavedConfig {
  readonly primary: string;
  readonly epoch: number;
}

/** Builds server `index` for modes none and async; called at start and after every restart (state comes back from disk). */
export function createPrimaryServer(api: NodeApi, ctx: DesignContext<CasKnobs>, index: number): NodeHandlers {
  if (ctx.servers[index] !== api.id) throw new Error(`cas: server index ${index} is ${ctx.servers[index]}, not ${api.id}`);
  return new PrimaryServer(api, ctx.servers, ctx.knobs.failoverAfterUs);
}

class PrimaryServer implements NodeHandlers {
  private readonly api: NodeApi;
  private readonly group: readonly string[];
  private readonly failoverAfterUs: Micros;
  private state: RegisterState;
  private primary: string;
  private epoch: number;
  /** Monotonic time the primary was last heard (replicas). */
  private lastHeardUs: Micros;
  private flushTimer: TimerId | null = null;
  private heartbeatTimer: TimerId | null = null;

  constructor(api: NodeApi, group: readonly string[], failoverAfterUs: Micros) {
    this.api = api;
    this.group = group;
    this.failoverAfterUs = failoverAfterUs;
    const saved = api.disk.get<SavedConfig>(CONFIG_KEY);
    this.primary = saved?.primary ?? group[0];
    this.epoch = saved?.epoch ?? 1;
    const register = api.disk.get(REGISTER_KEY);
    if (register !== undefined && !isRegisterState(register)) throw new Error(`cas ${api.id}: a corrupt register on disk`);
    this.state = register ?? INITIAL_REGISTER;
    this.lastHeardUs = api.monotonic();
    if (group.length > 1) {
      this.cron();
      if (this.isPrimary()) {
        // Announce at once: a restarted primary that was replaced learns of the newer epoch within a round trip.
        this.broadcast();
        this.heartbeat();
      }
    }
  }

  private isPrimary(): boolean {
    return this.primary === this.api.id;
  }

  onMessage(from: string, msg: Message): void {
    if (isCasRequest(msg)) {
      this.onRequest(from, msg);
      return;
    }
    switch (msg.type) {
      case 'cas.sync':
        this.onSync(from, msg as CasSync);
        return;
      case 'cas.newer':
        this.onNewer(msg as CasNewer);
        return;
      default:
        throw new Error(`cas ${this.api.id}: unexpected message ${msg.type} from ${from}`);
    }
  }

  // ---- clients ------------------------------------------------------------------------------

  private onRequest(from: string, req: CasRequest): void {
    if (!this.isPrimary()) {
      this.api.send(from, { type: 'cas.redirect', rid: req.rid, attempt: req.attempt, leader: this.primary } satisfies CasRedirect);
      return;
    }
    let result: CasResult;
    if (req.op === 'read') {
      result = { op: 'read', value: this.state.value, version: this.state.version };
    } else {
      const applied = applyCas(this.state, { client: from, rid: req.rid, from: req.from, value: req.value });
      if (applied.ok && !applied.duplicate) {
        this.setState(applied.state);
        this.api.emit({ kind: 'granted', client: from, token: applied.state.version });
        this.scheduleFlush();
      }
      result = { op: 'cas', ok: applied.ok };
    }
    this.api.send(from, { type: 'cas.reply', rid: req.rid, attempt: req.attempt, result } satisfies CasReply);
  }

  private setState(state: RegisterState): void {
    this.state = state;
    this.api.disk.set(REGISTER_KEY, state);
    this.api.disk.fsync();
  }

  // ---- replication --------------------------------------------------------------------------

  private scheduleFlush(): void {
    if (this.group.length === 1 || this.flushTimer !== null) return;
    this.flushTimer = this.api.setTimer(REPL_FLUSH_US, () => {
      this.flushTimer = null;
      if (this.isPrimary()) this.broadcast();
    }, 'replication flush');
  }

  private heartbeat(): void {
    if (this.heartbeatTimer !== null) this.api.cancelTimer(this.heartbeatTimer);
    this.heartbeatTimer = this.api.setTimer(HEARTBEAT_US, () => {
      this.heartbeatTimer = null;
      if (!this.isPrimary()) return;
      this.broadcast();
      this.heartbeat();
    }, 'heartbeat');
  }

  private broadcast(): void {
    if (!this.isPrimary()) throw new Error(`cas ${this.api.id}: only a primary ships its register`);
    const msg: CasSync = { type: 'cas.sync', epoch: this.epoch, state: this.state };
    for (const peer of this.group) if (peer !== this.api.id) this.api.send(peer, msg);
  }

  private onSync(from: string, msg: CasSync): void {
    if (!isRegisterState(msg.state)) throw new Error(`cas ${this.api.id}: ${from} sent a malformed register`);
    if (!this.outranks(from, msg.epoch)) {
      // A stale primary: tell it who leads now.
      this.api.send(from, { type: 'cas.newer', epoch: this.epoch, primary: this.primary } satisfies CasNewer);
      return;
    }
    this.follow(from, msg.epoch);
    if (msg.state !== this.state) this.setState(msg.state);
  }

  private onNewer(msg: CasNewer): void {
    if (msg.primary === this.api.id || !this.outranks(msg.primary, msg.epoch)) return;
    this.follow(msg.primary, msg.epoch);
  }

  /** Follows `primary` of `epoch` (which outranks what we follow), stepping down if we led. */
  private follow(primary: string, epoch: number): void {
    const wasPrimary = this.isPrimary() && primary !== this.api.id;
    if (this.primary !== primary || this.epoch !== epoch) {
      this.primary = primary;
      this.epoch = epoch;
      this.saveConfig();
    }
    this.lastHeardUs = this.api.monotonic();
    if (wasPrimary) {
      if (this.flushTimer !== null) this.api.cancelTimer(this.flushTimer);
      this.flushTimer = null;
      this.api.note(`cas: ${primary} leads epoch ${epoch}; stepping down (unshipped writes are dropped)`);
      this.api.emit({ kind: 'stepped-down', term: epoch });
    }
  }

  /** Whether `from`, claiming to lead `epoch`, is the primary to follow: a higher epoch, or the same from a lower-numbered server. */
  private outranks(from: string, epoch: number): boolean {
    if (epoch !== this.epoch) return epoch > this.epoch;
    if (from === this.primary) return true;
    return this.group.indexOf(from) < this.group.indexOf(this.primary);
  }

  // ---- failover -----------------------------------------------------------------------------

  private cron(): void {
    this.api.setTimer(CRON_US, () => {
      this.cron();
      if (this.isPrimary()) return;
      if (this.api.monotonic() - this.lastHeardUs >= this.failoverAfterUs + this.rank() * PROMOTION_STAGGER_US) this.promote();
    }, 'cron');
  }

  /** How many servers numbered below this one could promote first (every one but the primary). */
  private rank(): number {
    const me = this.group.indexOf(this.api.id);
    let rank = 0;
    for (let i = 0; i < me; i++) if (this.group[i] !== this.primary) rank++;
    return rank;
  }

  private promote(): void {
    const silent = this.primary;
    this.epoch++;
    this.primary = this.api.id;
    this.saveConfig();
    this.api.note(`cas: no word from primary ${silent}; promoting myself (epoch ${this.epoch}, version ${this.state.version})`);
    this.api.emit({ kind: 'elected', term: this.epoch });
    this.broadcast();
    this.heartbeat();
  }

  private saveConfig(): void {
    this.api.disk.set(CONFIG_KEY, { primary: this.primary, epoch: this.epoch } satisfies SavedConfig);
    this.api.disk.fsync();
  }
}
