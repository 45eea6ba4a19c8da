/**
 * Redis Sentinel (redis.io "High availability with Sentinel"; sentinel.c):
 * the observers that decide a failover for the `redis` design. Each Sentinel
 * is its own process on its own server node (after the data servers: with
 * `replicas: R` and `sentinels: S`, s(R+2)..s(R+S+1)), so a partition can cut
 * Sentinels off from the primary, from the replicas or from each other.
 *
 * Models:
 * - Monitoring: every data server is PINGed once a second (once per
 *   `down-after-milliseconds` when that is shorter); the reply carries INFO
 *   (role, primary followed, replication offset, run id, replica-priority,
 *   master-link state), so INFO is as fresh as the last PING. A server is
 *   subjectively down (SDOWN) once a PING has gone unanswered for
 *   `downAfterUs` (`failoverAfter`).
 * - ODOWN: while it sees the primary SDOWN, a Sentinel asks the others once a
 *   second (`SENTINEL is-master-down-by-addr`); the primary is objectively
 *   down when `quorum` Sentinels (itself included) say so, opinions older
 *   than 5 s not counting. A primary → replica link that breaks alone
 *   therefore changes nothing.
 * - Authorisation: at ODOWN a Sentinel bumps its current epoch and asks the
 *   others for their vote in the same request; each votes for the first
 *   requester of an epoch higher than any it voted in (and, having voted for
 *   another, will not start a failover of its own for 2 × failover-timeout).
 *   The leader needs a majority of all Sentinels and at least `quorum` votes;
 *   a Sentinel not elected within 10 s aborts and may retry only after 2 ×
 *   failover-timeout (6 min). Timers run at a random 10–19 Hz and failover
 *   starts carry up to 1 s of random delay, as Sentinel desynchronises.
 * - Failover by the leader: pick a replica (not SDOWN, answered within 5 s,
 *   priority > 0, master link not down too long; then lowest
 *   replica-priority, largest replication offset, smallest run id), send it
 *   `REPLICAOF NO ONE`, wait until its INFO says primary, then adopt the new
 *   configuration (config epoch = failover epoch), announce it in hellos and
 *   send `REPLICAOF new-primary` to the other replicas until they follow it
 *   (or failover-timeout passes).
 * - Configuration spreads by hellos (every 2 s, to every Sentinel): a higher
 *   config epoch wins. A server that reports primary but is not the
 *   configured one (an old primary back from a partition or a restart) is
 *   told `REPLICAOF` the configured primary once it has been reachable and
 *   reported that role for 8 s (4 × the hello period) and the configured
 *   primary looks sane; until then it keeps serving as a primary. A replica
 *   following another primary is moved after failover-timeout.
 * - Clients ask `get-master` (`SENTINEL get-master-addr-by-name`): the
 *   configured primary, or the promoted replica once the failover reached
 *   reconfiguration, with this Sentinel's down opinion of it.
 * - State that Sentinel writes to its config file (current and config epoch,
 *   primary, vote) is fsynced; a crash that loses it restarts the Sentinel on
 *   its first configuration, and hellos bring it up to date.
 * Does not model: TILT mode, parallel-syncs (every replica is reconfigured at
 * once), Sentinel discovery (every Sentinel knows the others and the data
 * servers from the start), pub/sub transport of hellos, scripts,
 * min-replicas-to-write on the servers.
 */
import type { Message, Micros, NodeApi, NodeHandlers } from '../api/index.ts';
import { majority, US_PER_MS, US_PER_S } from '../api/index.ts';
import type { GetMasterCmd, IsMasterDownCmd, IsMasterDownReply, SentinelHello, ServerInfo } from '../shared/redis/protocol.ts';

/** PING period (at most; `down-after-milliseconds` when shorter). */
export const PING_PERIOD_US: Micros = US_PER_S;
/** How often a Sentinel asks the others about a primary it sees down. */
export const ASK_PERIOD_US: Micros = US_PER_S;
/** Another Sentinel's down opinion counts this long after its reply. */
export const OPINION_VALIDITY_US: Micros = 5 * US_PER_S;
/** Hello period. */
export const HELLO_PERIOD_US: Micros = 2 * US_PER_S;
/** A server reporting the wrong role is reconfigured after this long (SENTINEL_PUBLISH_PERIOD × 4). */
export const ROLE_FIX_WAIT_US: Micros = 4 * HELLO_PERIOD_US;
/** `sentinel failover-timeout` default. */
export const FAILOVER_TIMEOUT_US: Micros = 180 * US_PER_S;
/** How long a failover leader election may take before the candidate gives up. */
export const ELECTION_TIMEOUT_US: Micros = 10 * US_PER_S;
/** Random delay added to a failover's start time (SENTINEL_MAX_DESYNC). */
export const MAX_DESYNC_US: Micros = 1000 * US_PER_MS;
/** A replica whose INFO is older than this is not promoted while the primary is down. */
export const INFO_VALIDITY_US: Micros = 5 * PING_PERIOD_US;
/** Sentinel's INFO period (here INFO rides on every PING; the period still sets its timeouts). */
export const INFO_PERIOD_US: Micros = 10 * US_PER_S;

const STATE_KEY = 'sentinel:state';

/** How a Sentinel is deployed. */
export interface SentinelOptions {
  /** The data servers it monitors (the primary and its replicas). */
  readonly servers: readonly string[];
  /** Every Sentinel, this one included. */
  readonly sentinels: readonly string[];
  /** The primary at first boot (`sentinel monitor`). */
  readonly initialPrimary: string;
  /** Sentinels that must agree the primary is down (ODOWN). */
  readonly quorum: number;
  /** `down-after-milliseconds`. */
  readonly downAfterUs: Micros;
  /** `failover-timeout` (default 3 min). */
  readonly failoverTimeoutUs?: Micros;
}

/** One replica as the promotion rule sees it. */
export interface PromotionCandidate {
  readonly server: string;
  readonly priority: number;
  readonly offset: number;
  readonly runId: string;
}

/**
 * Sentinel's promotion order (`compareSlavesForPromotion`): lower
 * replica-priority first, then the larger replication offset, then the
 * lexicographically smaller run id. Priority 0 is never promoted. Returns the
 * winner, or null.
 */
export function pickReplica(candidates: readonly PromotionCandidate[]): PromotionCandidate | null {
  const eligible = candidates.filter((c) => c.priority > 0);
  eligible.sort((a, b) => a.priority - b.priority || b.offset - a.offset || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  return eligible[0] ?? null;
}

/** What this Sentinel knows of one data server. */
interface ServerView {
  lastPingUs: Micros;
  /** When the oldest unanswered PING went out (`act_ping_time`); null when none is pending. */
  pendingSinceUs: Micros | null;
  /** Last reply (`last_avail_time`). */
  lastOkUs: Micros;
  info: ServerInfo | null;
  infoAtUs: Micros;
  sdown: boolean;
  /** When it last entered SDOWN (never reset, as `s_down_since_time`); null if never. */
  sdownSinceUs: Micros | null;
  /** The role it reports, and since when. */
  roleReported: 'primary' | 'replica';
  roleReportedAtUs: Micros;
  /** When the primary it reports following last changed (`slave_conf_change_time`). */
  confChangeAtUs: Micros;
  /** When we last sent it a REPLICAOF. */
  lastReplicaOfUs: Micros;
}

/** What this Sentinel heard from another one. */
interface PeerView {
  lastAskUs: Micros;
  lastReplyUs: Micros;
  saysDown: boolean;
  leader: string | null;
  leaderEpoch: number;
}

/** What Sentinel keeps in its config file. */
interface SavedState {
  readonly primary: string;
  readonly currentEpoch: number;
  readonly configEpoch: number;
  readonly leader: string | null;
  readonly leaderEpoch: number;
}

type FailoverState = 'none' | 'wait-start' | 'wait-promotion' | 'reconf-replicas';

export class Sentinel implements NodeHandlers {
  private readonly api: NodeApi;
  private readonly options: SentinelOptions;
  private readonly failoverTimeoutUs: Micros;
  private readonly servers = new Map<string, ServerView>();
  private readonly peers = new Map<string, PeerView>();
  private primaryNow: string;
  private currentEpoch = 0;
  private configEpoch = 0;
  /** The leader this Sentinel voted for, and in which epoch. */
  private leader: string | null = null;
  private leaderEpoch = 0;
  private seq = 0;
  private lastHelloUs: Micros;
  private odown = false;
  private failover: FailoverState = 'none';
  private failoverEpoch = 0;
  /** May lie in the future (a start's random desync, or a vote for another). */
  private failoverStartUs: Micros | null = null;
  private failoverStateSinceUs: Micros = 0;
  private promoted: string | null = null;

  constructor(api: NodeApi, options: SentinelOptions) {
    if (!options.sentinels.includes(api.id)) throw new Error(`${api.id} is not among the Sentinels ${options.sentinels.join(',')}`);
    if (!options.servers.includes(options.initialPrimary)) throw new Error(`initial primary ${options.initialPrimary} is not a monitored server`);
    if (!(Number.isInteger(options.quorum) && options.quorum >= 1)) throw new Error(`quorum must be a whole number ≥ 1, got ${options.quorum}`);
    this.api = api;
    this.options = options;
    this.failoverTimeoutUs = options.failoverTimeoutUs ?? FAILOVER_TIMEOUT_US;
    this.primaryNow = options.initialPrimary;
    const saved = api.disk.get<SavedState>(STATE_KEY);
    if (saved !== undefined) {
      this.primaryNow = saved.primary;
      this.currentEpoch = saved.currentEpoch;
      this.configEpoch = saved.configEpoch;
      this.leader = saved.leader;
      this.leaderEpoch = saved.leaderEpoch;
    }
    const nowUs = api.monotonic();
    this.lastHelloUs = nowUs;
    this.resetViews(nowUs);
    for (const peer of options.sentinels) {
      if (peer !== api.id) this.peers.set(peer, { lastAskUs: -Infinity, lastReplyUs: -Infinity, saysDown: false, leader: null, leaderEpoch: 0 });
    }
    this.tick();
  }

  /** The primary in this Sentinel's configuration. */
  get primary(): string {
    return this.primaryNow;
  }

  /** The configuration's epoch. */
  get epoch(): number {
    return this.configEpoch;
  }

  /** Whether this Sentinel sees the primary objectively down now. */
  get isOdown(): boolean {
    return this.odown;
  }

  onMessage(from: string, msg: Message): void {
    switch (msg.type) {
      case 'sentinel.info':
        return this.onInfo(from, msg as unknown as ServerInfo);
      case 'sentinel.is-master-down':
        return this.onIsMasterDown(from, msg as unknown as IsMasterDownCmd);
      case 'sentinel.is-master-down-reply':
        return this.onIsMasterDownReply(from, msg as unknown as IsMasterDownReply);
      case 'sentinel.hello':
        return this.onHello(msg as unknown as SentinelHello);
      case 'sentinel.get-master': {
        const primary = this.currentMasterAddress();
        const down = this.servers.get(primary)?.sdown ?? false;
        return this.api.send(from, { type: 'sentinel.master', reqId: (msg as unknown as GetMasterCmd).reqId, primary, down });
      }
      default:
        throw new Error(`${this.api.id} (sentinel) got an unexpected message ${msg.type} from ${from}`);
    }
  }

  // ---- the timer ----------------------------------------------------------------------------

  /** sentinelTimer: runs at a random 10–19 Hz, redrawn each time. */
  private tick(): void {
    const hz = 10 + this.api.rng.int(0, 9);
    this.api.setTimer(Math.floor(US_PER_S / hz), () => this.tick(), 'sentinel timer');
    const nowUs = this.api.monotonic();
    const pingPeriodUs = Math.min(PING_PERIOD_US, this.options.downAfterUs);
    for (const [server, view] of this.servers) {
      if (nowUs - view.lastPingUs >= pingPeriodUs) {
        view.lastPingUs = nowUs;
        view.pendingSinceUs ??= nowUs;
        this.api.send(server, { type: 'sentinel.ping', seq: ++this.seq });
      }
      this.checkSdown(server, view, nowUs);
    }
    this.checkOdown(nowUs);
    if (this.startFailoverIfNeeded(nowUs)) this.askOthers(nowUs, true);
    this.runFailover(nowUs);
    this.askOthers(nowUs, false);
    if (nowUs - this.lastHelloUs >= HELLO_PERIOD_US) this.sendHellos(nowUs);
  }

  private checkSdown(server: string, view: ServerView, nowUs: Micros): void {
    const silentUs = view.pendingSinceUs === null ? 0 : nowUs - view.pendingSinceUs;
    // A primary that keeps reporting itself a replica is down too (after down-after plus two INFO periods).
    const demoted = server === this.primaryNow && view.roleReported === 'replica' && nowUs - view.roleReportedAtUs > this.options.downAfterUs + 2 * INFO_PERIOD_US;
    const down = silentUs > this.options.downAfterUs || demoted;
    if (down === view.sdown) return;
    view.sdown = down;
    if (down) {
      view.sdownSinceUs = nowUs;
      this.api.note(`sentinel: +sdown ${server}${server === this.primaryNow ? ' (the primary)' : ''}`);
    } else {
      this.api.note(`sentinel: -sdown ${server}`);
    }
  }

  private checkOdown(nowUs: Micros): void {
    const primary = this.view(this.primaryNow);
    let agree = primary.sdown ? 1 : 0;
    if (primary.sdown) {
      for (const peer of this.peers.values()) {
        if (nowUs - peer.lastReplyUs > OPINION_VALIDITY_US) {
          peer.saysDown = false;
          peer.leader = null;
        }
        if (peer.saysDown) agree++;
      }
    }
    const odown = primary.sdown && agree >= this.options.quorum;
    if (odown === this.odown) return;
    this.odown = odown;
    this.api.note(`sentinel: ${odown ? '+' : '-'}odown ${this.primaryNow} (${agree}/${this.options.quorum} agree)`);
    if (odown) this.api.emit({ kind: 'metric', name: 'sentinelOdown' });
  }

  // ---- asking the others: down opinions and votes -------------------------------------------

  private askOthers(nowUs: Micros, forced: boolean): void {
    if (!this.view(this.primaryNow).sdown) return;
    const runId = this.failover !== 'none' ? this.api.id : '*';
    for (const [peer, view] of this.peers) {
      if (!forced && nowUs - view.lastAskUs < ASK_PERIOD_US) continue;
      view.lastAskUs = nowUs;
      const ask: IsMasterDownCmd = { type: 'sentinel.is-master-down', primary: this.primaryNow, currentEpoch: this.currentEpoch, runId };
      this.api.send(peer, ask);
    }
  }

  private onIsMasterDown(from: string, msg: IsMasterDownCmd): void {
    const ours = msg.primary === this.primaryNow;
    const down = ours && this.view(this.primaryNow).sdown;
    let leader: string | null = null;
    let leaderEpoch = 0;
    if (ours && msg.runId !== '*') {
      this.voteLeader(msg.currentEpoch, msg.runId);
      leader = this.leader;
      leaderEpoch = this.leaderEpoch;
    }
    const reply: IsMasterDownReply = { type: 'sentinel.is-master-down-reply', primary: msg.primary, down, leader, leaderEpoch };
    this.api.send(from, reply);
  }

  private onIsMasterDownReply(from: string, msg: IsMasterDownReply): void {
    const peer = this.peers.get(from);
    if (peer === undefined || msg.primary !== this.primaryNow) return;
    peer.lastReplyUs = this.api.monotonic();
    peer.saysDown = msg.down;
    if (msg.leader !== null) {
      peer.leader = msg.leader;
      peer.leaderEpoch = msg.leaderEpoch;
    }
  }

  /** sentinelVoteLeader: the first candidate of an epoch above any voted in gets this Sentinel's vote. */
  private voteLeader(reqEpoch: number, candidate: string): void {
    let changed = false;
    if (reqEpoch > this.currentEpoch) {
      this.currentEpoch = reqEpoch;
      changed = true;
    }
    if (this.leaderEpoch < reqEpoch && this.currentEpoch <= reqEpoch) {
      this.leader = candidate;
      this.leaderEpoch = this.currentEpoch;
      changed = true;
      this.api.note(`sentinel: voted for ${candidate} at epoch ${reqEpoch}`);
      // Having voted for another, do not start a failover of our own for a while.
      if (candidate !== this.api.id) this.failoverStartUs = this.api.monotonic() + this.api.rng.int(0, MAX_DESYNC_US - 1);
    }
    if (changed) this.save();
  }

  /** sentinelGetLeader: the candidate with a majority of all Sentinels (and at least `quorum`) at `epoch`, or null. */
  private electedLeader(epoch: number): string | null {
    const votes = new Map<string, number>();
    let winner: string | null = null;
    let most = 0;
    for (const peer of this.peers.values()) {
      if (peer.leader === null || peer.leaderEpoch !== this.currentEpoch) continue;
      const n = (votes.get(peer.leader) ?? 0) + 1;
      votes.set(peer.leader, n);
      if (n > most) {
        most = n;
        winner = peer.leader;
      }
    }
    this.voteLeader(epoch, winner ?? this.api.id);
    if (this.leader !== null && this.leaderEpoch === epoch) {
      const n = (votes.get(this.leader) ?? 0) + 1;
      votes.set(this.leader, n);
      if (n > most) {
        most = n;
        winner = this.leader;
      }
    }
    const needed = Math.max(majority(this.options.sentinels.length), this.options.quorum);
    return winner !== null && most >= needed ? winner : null;
  }

  // ---- the failover -------------------------------------------------------------------------

  private startFailoverIfNeeded(nowUs: Micros): boolean {
    if (!this.odown || this.failover !== 'none') return false;
    if (this.failoverStartUs !== null && nowUs - this.failoverStartUs < 2 * this.failoverTimeoutUs) return false;
    this.currentEpoch++;
    this.failoverEpoch = this.currentEpoch;
    this.failover = 'wait-start';
    this.failoverStartUs = nowUs + this.api.rng.int(0, MAX_DESYNC_US - 1);
    this.failoverStateSinceUs = nowUs;
    this.save();
    this.api.note(`sentinel: +try-failover of ${this.primaryNow} at epoch ${this.failoverEpoch}`);
    return true;
  }

  private runFailover(nowUs: Micros): void {
    switch (this.failover) {
      case 'none':
        return;
      case 'wait-start': {
        if (this.electedLeader(this.failoverEpoch) !== this.api.id) {
          if (nowUs - this.failoverStartUs! > Math.min(ELECTION_TIMEOUT_US, this.failoverTimeoutUs)) this.abort('not elected');
          return;
        }
        this.api.note(`sentinel: +elected-leader at epoch ${this.failoverEpoch}`);
        const chosen = this.selectReplica(nowUs);
        if (chosen === null) return this.abort('no good replica');
        this.promoted = chosen;
        this.setFailoverState('wait-promotion', nowUs);
        this.api.note(`sentinel: +selected-slave ${chosen}`);
        return this.sendReplicaOf(chosen, null, nowUs);
      }
      case 'wait-promotion':
        if (nowUs - this.failoverStateSinceUs > this.failoverTimeoutUs) return this.abort('promotion timed out');
        if (nowUs - this.view(this.promoted!).lastReplicaOfUs >= PING_PERIOD_US) this.sendReplicaOf(this.promoted!, null, nowUs);
        return;
      case 'reconf-replicas':
        return this.reconfigureReplicas(nowUs);
    }
  }

  private setFailoverState(state: FailoverState, nowUs: Micros): void {
    this.failover = state;
    this.failoverStateSinceUs = nowUs;
  }

  private abort(why: string): void {
    this.api.note(`sentinel: -failover-abort (${why}) at epoch ${this.failoverEpoch}`);
    this.api.emit({ kind: 'metric', name: 'sentinelFailoverAborts' });
    this.failover = 'none';
    this.promoted = null;
  }

  /** sentinelSelectSlave. */
  private selectReplica(nowUs: Micros): string | null {
    const primary = this.view(this.primaryNow);
    const maxLinkDownUs = (primary.sdownSinceUs === null ? 0 : nowUs - primary.sdownSinceUs) + 10 * this.options.downAfterUs;
    const candidates: PromotionCandidate[] = [];
    for (const [server, view] of this.servers) {
      const info = view.info;
      if (server === this.primaryNow || info === null || view.sdown) continue;
      if (info.role !== 'replica' || info.primary !== this.primaryNow) continue;
      if (nowUs - view.lastOkUs > INFO_VALIDITY_US || nowUs - view.infoAtUs > INFO_VALIDITY_US) continue;
      if (info.linkDownUs > maxLinkDownUs) continue;
      candidates.push({ server, priority: info.priority, offset: info.offset, runId: info.runId });
    }
    return pickReplica(candidates)?.server ?? null;
  }

  /** The promoted replica reports primary: the failover succeeded; spread the new configuration. */
  private promotionConfirmed(nowUs: Micros): void {
    this.configEpoch = this.failoverEpoch;
    this.save();
    this.api.note(`sentinel: +promoted-slave ${this.promoted} (config epoch ${this.configEpoch})`);
    this.setFailoverState('reconf-replicas', nowUs);
    this.sendHellos(nowUs);
    this.reconfigureReplicas(nowUs);
  }

  /** REPLICAOF the promoted replica to every other reachable replica until each follows it (or failover-timeout). */
  private reconfigureReplicas(nowUs: Micros): void {
    const promoted = this.promoted!;
    let pending = 0;
    for (const [server, view] of this.servers) {
      if (server === promoted || server === this.primaryNow || view.sdown) continue;
      if (view.info?.primary === promoted && view.info.linkDownUs === 0) continue;
      pending++;
      if (nowUs - view.lastReplicaOfUs >= PING_PERIOD_US) this.sendReplicaOf(server, promoted, nowUs);
    }
    if (pending > 0 && nowUs - this.failoverStateSinceUs <= this.failoverTimeoutUs) return;
    const old = this.primaryNow;
    this.switchPrimary(promoted, nowUs);
    this.api.note(`sentinel: +switch-master ${old} -> ${promoted}`);
    this.api.emit({ kind: 'metric', name: 'sentinelFailovers' });
  }

  private sendReplicaOf(server: string, primary: string | null, nowUs: Micros): void {
    this.view(server).lastReplicaOfUs = nowUs;
    const epoch = primary === null ? this.failoverEpoch : this.configEpoch;
    this.api.send(server, { type: 'sentinel.replicaof', primary, epoch });
  }

  // ---- configuration ------------------------------------------------------------------------

  /** The primary clients are told about: the promoted replica once the failover reached reconfiguration. */
  private currentMasterAddress(): string {
    if (this.failover === 'reconf-replicas' && this.promoted !== null && !this.view(this.promoted).sdown) return this.promoted;
    return this.primaryNow;
  }

  private sendHellos(nowUs: Micros): void {
    this.lastHelloUs = nowUs;
    const hello: SentinelHello = { type: 'sentinel.hello', primary: this.currentMasterAddress(), configEpoch: this.configEpoch, currentEpoch: this.currentEpoch };
    for (const peer of this.peers.keys()) this.api.send(peer, hello);
  }

  private onHello(msg: SentinelHello): void {
    let changed = false;
    if (msg.currentEpoch > this.currentEpoch) {
      this.currentEpoch = msg.currentEpoch;
      changed = true;
    }
    if (msg.configEpoch > this.configEpoch) {
      this.configEpoch = msg.configEpoch;
      changed = true;
      if (msg.primary !== this.primaryNow) {
        this.api.note(`sentinel: +config-update-from hello: primary ${this.primaryNow} -> ${msg.primary} (epoch ${msg.configEpoch})`);
        this.switchPrimary(msg.primary, this.api.monotonic());
      }
    }
    if (changed) this.save();
  }

  /** sentinelResetMasterAndChangeAddress: a new primary; every server is looked at afresh. */
  private switchPrimary(primary: string, nowUs: Micros): void {
    if (!this.options.servers.includes(primary)) throw new Error(`${this.api.id}: ${primary} is not a monitored server`);
    this.primaryNow = primary;
    this.failover = 'none';
    this.failoverStartUs = null; // a new primary may be failed over at once
    this.promoted = null;
    this.odown = false;
    this.resetViews(nowUs);
    for (const peer of this.peers.values()) {
      peer.saysDown = false;
      peer.leader = null;
    }
    this.save();
  }

  private resetViews(nowUs: Micros): void {
    for (const server of this.options.servers) {
      const role = server === this.primaryNow ? 'primary' : 'replica';
      const previous = this.servers.get(server);
      this.servers.set(server, {
        lastPingUs: previous?.lastPingUs ?? -Infinity,
        pendingSinceUs: null,
        lastOkUs: nowUs,
        info: null,
        infoAtUs: -Infinity,
        sdown: false,
        sdownSinceUs: null,
        roleReported: role,
        roleReportedAtUs: nowUs,
        confChangeAtUs: nowUs,
        lastReplicaOfUs: -Infinity,
      });
    }
  }

  private save(): void {
    const state: SavedState = { primary: this.primaryNow, currentEpoch: this.currentEpoch, configEpoch: this.configEpoch, leader: this.leader, leaderEpoch: this.leaderEpoch };
    this.api.disk.set(STATE_KEY, state);
    this.api.disk.fsync();
  }

  private view(server: string): ServerView {
    const view = this.servers.get(server);
    if (view === undefined) throw new Error(`${this.api.id}: ${server} is not a monitored server`);
    return view;
  }

  // ---- INFO ---------------------------------------------------------------------------------

  /** sentinelRefreshInstanceInfo: a PING answered with INFO. */
  private onInfo(from: string, info: ServerInfo): void {
    const view = this.servers.get(from);
    if (view === undefined) return;
    const nowUs = this.api.monotonic();
    view.lastOkUs = nowUs;
    view.pendingSinceUs = null;
    this.checkSdown(from, view, nowUs);
    if (info.role !== view.roleReported) {
      view.roleReported = info.role;
      view.roleReportedAtUs = nowUs;
    }
    if (view.info !== null && view.info.primary !== info.primary) view.confChangeAtUs = nowUs;
    view.info = info;
    view.infoAtUs = nowUs;

    if (this.failover === 'wait-promotion' && from === this.promoted && info.role === 'primary') return this.promotionConfirmed(nowUs);
    if (from === this.primaryNow || from === this.promoted) return;
    if (info.role === 'primary') {
      // A server that should be a replica says it is a primary (an old primary back): give it 8 s, then convert it.
      if (nowUs - view.roleReportedAtUs > ROLE_FIX_WAIT_US && this.noDownFor(view, nowUs, ROLE_FIX_WAIT_US) && this.primaryLooksSane(nowUs)) {
        this.api.note(`sentinel: +convert-to-slave ${from}`);
        this.sendReplicaOf(from, this.primaryNow, nowUs);
      }
      return;
    }
    if (info.primary !== this.primaryNow && this.failover !== 'reconf-replicas') {
      const waitUs = this.failoverTimeoutUs;
      if (nowUs - view.confChangeAtUs > waitUs && this.noDownFor(view, nowUs, waitUs) && this.primaryLooksSane(nowUs) && nowUs - view.lastReplicaOfUs > waitUs) {
        this.api.note(`sentinel: +fix-slave-config ${from}`);
        this.sendReplicaOf(from, this.primaryNow, nowUs);
      }
    }
  }

  private noDownFor(view: ServerView, nowUs: Micros, forUs: Micros): boolean {
    return !view.sdown && (view.sdownSinceUs === null || nowUs - view.sdownSinceUs > forUs);
  }

  /** sentinelMasterLooksSane: the configured primary answers and says it is a primary. */
  private primaryLooksSane(nowUs: Micros): boolean {
    const primary = this.view(this.primaryNow);
    return !primary.sdown && primary.info?.role === 'primary' && nowUs - primary.infoAtUs < 2 * INFO_PERIOD_US;
  }
}

/** Builds a Sentinel node. */
export function createSentinel(api: NodeApi, options: SentinelOptions): Sentinel {
  return new Sentinel(api, options);
}
