/**
 * A ZooKeeper ensemble member: the consensus core replicating the znode
 * tree, the client connections it serves, its watches, and — on the leader
 * — the session tracker that decides expiry.
 *
 * Models ZooKeeper's server pipeline. A server serves clients while it is
 * in an epoch: the leader once its term's no-op committed, a follower once
 * it follows a leader (the epoch is the Raft term). A follower that stops
 * hearing its leader keeps serving — it answers pings and reads itself,
 * its writes wait — until nothing has come from the leader for
 * `tickTime × syncLimit` (ZooKeeper's Learner reads the leader socket with
 * that timeout), then it gives up and closes every client connection at
 * once (metric `leaderTimeouts`); a leader deposed for want of a quorum
 * keeps its clients the same way (ZooKeeper's leader shuts down when no
 * quorum acknowledged it for syncLimit ticks). A server that moves to
 * another epoch (a new leader, or a new term) has been through an
 * election: it closes every client connection first, so on leader loss
 * every client sees Disconnected. A server in no epoch closes
 * connections and clients move on.
 * Each connection is a TCP stream (channel.ts) whose requests are handled
 * in order: reads (getChildren, exists, getData) and pings from this
 * replica's tree, possibly stale but never behind what the client has seen
 * (a client whose last zxid this server has not reached is refused);
 * writes go through the log (a follower forwards them to the leader) and
 * block the connection's later requests and pings until they apply here
 * (ZooKeeper's CommitProcessor keeps a session's order), then the reply
 * goes out — after the watch notifications the change fired, as ZooKeeper
 * orders them. Server ↔ server traffic that ZooKeeper sends over TCP is
 * retransmitted until acknowledged: forwards (until the write applies
 * here) and touch reports.
 * Sessions: `createSession` / `closeSession` are log entries; pings and
 * requests touch the session (followers report touches to the leader every
 * tick/2); the leader checks at every tick boundary and proposes
 * `closeSession` for sessions past their expiry by its own monotonic
 * clock; a new leader extends every session by its full timeout. When
 * `closeSession` applies, each server closes that session's connections:
 * the client learns of the expiry only when it reconnects (or by its own
 * clock, connection.ts).
 *
 * Emits (leader, when the entry applies): `granted {client, token}` when a
 * client's node becomes one of the first `permits` children of the recipe
 * parent, `expired {owner, token}` when such a holder's node goes other
 * than by release (holders.ts), metrics `sessionExpiries` and
 * `watchNotificationsIfHerd`; `leaderTimeouts`, `tcpRetransmits`; the core
 * emits `elected` / `stepped-down` / `committed`. Not modelled: observers,
 * quotas, ACLs, the request throttler, session ownership checks
 * (SessionMovedException), a session's revalidation with the leader on
 * reconnect (a follower in an epoch answers it from its own tree; one
 * whose consensus core has no leader lets it wait).
 */
import type { DesignContext, Message, Micros, NodeApi, NodeHandlers, TimerId } from '../api/index.ts';
import { formatUs } from '../api/index.ts';
import { RaftNode } from '../raft/core.ts';
import type { LogEntry, Role } from '../raft/types.ts';
import { ACK_TYPE, TCP_TIMING, TcpChannel } from './channel.ts';
import { HolderReporter, type HolderChange } from './holders.ts';
import { negotiateTimeoutUs, type ZkKnobs } from './knobs.ts';
import { RECIPE_PATHS } from './paths.ts';
import {
  isClientMessage,
  type ChannelAck,
  type ClientMessage,
  type ServerBody,
  type ZkConnect,
  type ZkForward,
  type ZkOp,
  type ZkTouch,
  type ZkTouchAck,
} from './protocol.ts';
import { SessionTracker } from './sessions.ts';
import { ZnodeTree, type Origin, type ZkResult, type ZkTxn } from './tree.ts';
import { WatchManager, type Firing } from './watches.ts';

/** A duplicated forward is recognised among this many recent ones. */
const FORWARD_MEMORY = 4096;

interface Queued {
  readonly xid: number;
  /** null: a ping. */
  readonly req: ZkOp | null;
  submitted: boolean;
}

interface ServerConn {
  readonly id: string;
  readonly client: string;
  session: string | null;
  state: 'opening' | 'open';
  readonly channel: TcpChannel<ClientMessage>;
  readonly queue: Queued[];
}

/** The epoch a server serves in (ZAB's): whom it follows (itself when leading), the term, and when it last heard that leader. */
interface Epoch {
  readonly leader: string;
  readonly term: number;
  heardUs: Micros;
}

/** A write handed to the leader, resent until it applies here. */
interface Forward {
  readonly msg: ZkForward;
  rtoUs: Micros;
  timer: TimerId | null;
}

/** Builds server `index`; called at start and after every restart (the log comes back from disk). */
export function createZkServer(api: NodeApi, ctx: DesignContext<ZkKnobs>): NodeHandlers {
  return new ZkServer(api, ctx);
}

/** One ensemble member; see the module header. */
export class ZkServer implements NodeHandlers {
  private readonly api: NodeApi;
  private readonly knobs: ZkKnobs;
  readonly tree = new ZnodeTree();
  private readonly watches = new WatchManager();
  private readonly reporter: HolderReporter;
  private readonly conns = new Map<string, ServerConn>();
  /** Per client incarnation (`<client>.<tag>`), the highest connection number seen: an older connection's stray connect is refused. */
  private readonly connsSeen = new Map<string, number>();
  readonly raft: RaftNode<ZkTxn>;
  /** The epoch this server serves in; null while it is in none (looking). */
  private epoch: Epoch | null = null;
  private epochTimer: TimerId | null = null;
  /** tickTime × syncLimit. */
  private readonly leaderTimeoutUs: Micros;
  // Follower: sessions heard from and not yet in an acknowledged report, each with the number of the first report to carry it.
  private readonly touched = new Map<string, number>();
  private touchReports = 0;
  // Follower: writes handed to the leader, by forward id.
  private readonly forwards = new Map<string, Forward>();
  // Leader-only, volatile:
  private readonly tracker: SessionTracker;
  private readonly forwarded = new Set<string>();
  private expiryTimer: TimerId | null = null;

  constructor(api: NodeApi, ctx: DesignContext<ZkKnobs>) {
    this.api = api;
    this.knobs = ctx.knobs;
    this.leaderTimeoutUs = ctx.knobs.tickTimeUs * ctx.knobs.syncLimit;
    const permits = ctx.knobs.permits;
    this.reporter = new HolderReporter(permits === 1 ? RECIPE_PATHS.lock : RECIPE_PATHS.semaphoreLeases, permits);
    this.tracker = new SessionTracker(ctx.knobs.tickTimeUs);
    this.raft = new RaftNode<ZkTxn>(api, {
      members: ctx.servers,
      timing: { electionTimeoutUs: ctx.knobs.electionTimeoutUs, heartbeatUs: ctx.knobs.heartbeatUs },
      diskPrefix: 'zab',
      hooks: {
        apply: (index, entry, asLeader) => this.onApply(index, entry, asLeader),
        roleChanged: (role) => this.onRole(role),
      },
    });
    this.raft.start();
    this.armTouchReport();
  }

  onMessage(from: string, msg: Message): void {
    if (this.raft.handle(from, msg)) {
      this.followRaft(from);
      return;
    }
    switch (msg.type) {
      case 'zk.forward':
        this.onForward(msg as ZkForward);
        return;
      case 'zk.touch':
        this.onTouch(from, msg as ZkTouch);
        return;
      case 'zk.touch-ack':
        this.onTouchAck(msg as ZkTouchAck);
        return;
      default:
        if (isClientMessage(msg)) this.onClientMessage(from, msg);
    }
  }

  /** Whether this server may serve clients: the leader once ready; otherwise while in an epoch whose leader was heard within tickTime × syncLimit. */
  serving(): boolean {
    if (this.raft.panicked !== null) return false;
    if (this.raft.isLeader()) return this.raft.readyForReads();
    return this.epoch !== null && this.api.monotonic() < this.epoch.heardUs + this.leaderTimeoutUs;
  }

  // ---- the epoch: whom this server follows ------------------------------------

  /**
   * Follows the consensus core after it handled a message from `from` (or
   * changed role): a leader, or a follower with a leader, is in that
   * leader's epoch; a message from the leader refreshes it. A core that
   * lost its leader (campaigning) leaves the epoch as it was: ZooKeeper's
   * learner waits for its leader until the timeout.
   */
  private followRaft(from: string | null): void {
    if (this.raft.panicked !== null) return;
    const leader = this.raft.isLeader() ? this.api.id : this.raft.role === 'follower' ? this.raft.leader : null;
    if (leader === null) return;
    const term = this.raft.term;
    const epoch = this.epoch;
    if (epoch === null || epoch.leader !== leader || epoch.term !== term) this.enterEpoch(leader, term);
    else if (from === leader || leader === this.api.id) epoch.heardUs = this.api.monotonic();
  }

  private enterEpoch(leader: string, term: number): void {
    const before = this.epoch;
    this.epoch = { leader, term, heardUs: this.api.monotonic() };
    this.dropForwards();
    if (before !== null) {
      const now = leader === this.api.id ? 'leading' : `following ${leader}`;
      this.closeAll(`${this.api.id} went through an election: now ${now} in term ${term} (was ${before.leader === this.api.id ? 'leading' : `following ${before.leader}`} in term ${before.term})`);
    }
    this.armEpochTimer();
  }

  /** The leader socket's read timeout: lazily re-armed for `heardUs + tickTime × syncLimit`. */
  private armEpochTimer(): void {
    if (this.epochTimer !== null || this.epoch === null) return;
    const delayUs = Math.max(1, this.epoch.heardUs + this.leaderTimeoutUs - this.api.monotonic());
    this.epochTimer = this.api.setTimer(delayUs, () => {
      this.epochTimer = null;
      const epoch = this.epoch;
      if (epoch === null) return;
      const nowUs = this.api.monotonic();
      if (this.raft.isLeader() && epoch.leader === this.api.id) epoch.heardUs = nowUs; // still leading: CheckQuorum vouches for it
      if (nowUs < epoch.heardUs + this.leaderTimeoutUs) {
        this.armEpochTimer();
        return;
      }
      this.epoch = null;
      this.dropForwards();
      this.api.emit({ kind: 'metric', name: 'leaderTimeouts' });
      const whom = epoch.leader === this.api.id ? 'a quorum of followers' : `leader ${epoch.leader}`;
      this.closeAll(`nothing from ${whom} for tickTime × syncLimit (${formatUs(this.leaderTimeoutUs)}): ${this.api.id} gives up its epoch`);
    }, 'leader timeout');
  }

  /** Closes every client connection at once (the server left its epoch). */
  private closeAll(reason: string): void {
    if (this.conns.size > 0) this.api.note(`zk: closing ${this.conns.size} client connection(s): ${reason}`);
    for (const conn of [...this.conns.values()]) this.close(conn, reason);
  }

  // ---- connections ----------------------------------------------------------

  private onClientMessage(from: string, msg: ClientMessage | ChannelAck): void {
    let conn = this.conns.get(msg.conn);
    if (conn === undefined) {
      if (msg.type === ACK_TYPE) return; // a late acknowledgement on a connection that is over
      if (msg.type !== 'zk.connect' || msg.seq !== 1 || !this.isNewConnection(msg.conn)) {
        // Not a connection we know (we restarted, or closed it): tell the client to move on (TCP's reset).
        this.api.send(from, { type: 'zk.closed', conn: msg.conn, seq: 0, ack: 0, reason: 'unknown connection' });
        return;
      }
      const id = msg.conn;
      const created: ServerConn = {
        id,
        client: from,
        session: null,
        state: 'opening',
        channel: new TcpChannel<ClientMessage>(this.api, from, id, (m) => this.onInOrder(created, m), (why) => this.close(created, `TCP gave up: ${why}`)),
        queue: [],
      };
      conn = created;
      this.conns.set(id, conn);
    }
    if (conn.client !== from) return; // another node reusing a connection id: ignore
    conn.channel.receive(msg);
  }

  /** Whether `conn` (`<client>.<tag>.<n>`) is newer than every connection seen from that client incarnation; records it. */
  private isNewConnection(conn: string): boolean {
    const dot = conn.lastIndexOf('.');
    const n = Number(conn.slice(dot + 1));
    if (dot < 0 || !Number.isInteger(n)) return true;
    const incarnation = conn.slice(0, dot);
    if (n <= (this.connsSeen.get(incarnation) ?? 0)) return false;
    this.connsSeen.set(incarnation, n);
    return true;
  }

  private onInOrder(conn: ServerConn, msg: ClientMessage): void {
    if (this.conns.get(conn.id) !== conn) return;
    if (!this.serving()) {
      this.close(conn, 'server not serving (no quorum)');
      return;
    }
    switch (msg.type) {
      case 'zk.connect':
        this.onConnect(conn, msg);
        return;
      case 'zk.ping':
        if (conn.state !== 'open' || conn.session === null) return;
        this.touch(conn.session);
        conn.queue.push({ xid: 0, req: null, submitted: false });
        this.pump(conn);
        return;
      case 'zk.request':
        if (conn.state !== 'open' || conn.session === null) {
          this.close(conn, 'request before the session was established');
          return;
        }
        this.touch(conn.session);
        conn.queue.push({ xid: msg.xid, req: msg.req, submitted: false });
        this.pump(conn);
        return;
    }
  }

  private onConnect(conn: ServerConn, msg: ZkConnect): void {
    if (msg.lastZxid > this.tree.zxid) {
      this.close(conn, `server behind the client (client saw zxid ${msg.lastZxid}, server has ${this.tree.zxid})`);
      return;
    }
    if (msg.session === null) {
      const session = `${this.api.id}x${this.api.rng.id()}`;
      const timeoutUs = negotiateTimeoutUs(msg.timeoutUs, this.knobs.tickTimeUs);
      const ok = this.submit({ op: 'createSession', session, client: conn.client, timeoutUs, origin: { server: this.api.id, conn: conn.id, xid: 0 } });
      if (!ok) this.close(conn, 'no leader');
      return;
    }
    const session = msg.session;
    if (!this.raft.isLeader() && this.raft.leader === null) return; // the leader must revalidate the session: the connect waits (the client's connect timeout)
    if (!this.tree.isLive(session) || (this.raft.isLeader() && this.tracker.isClosing(session))) {
      this.send(conn, { type: 'zk.expired' });
      this.drop(conn);
      return;
    }
    for (const other of this.conns.values()) if (other !== conn && other.session === session) this.close(other, 'session moved to a new connection');
    this.open(conn, session);
    this.sendFirings(this.watches.registerAfterReconnect(conn.id, msg.watches, msg.lastZxid, this.tree));
  }

  private open(conn: ServerConn, session: string): void {
    conn.session = session;
    conn.state = 'open';
    this.touch(session);
    this.send(conn, { type: 'zk.connected', session, timeoutUs: this.tree.timeoutOf(session)!, zxid: this.tree.zxid });
  }

  /** Handles the connection's queue in order: pings and reads at once, one write at a time through the log. */
  private pump(conn: ServerConn): void {
    while (conn.queue.length > 0 && this.conns.get(conn.id) === conn) {
      const head = conn.queue[0];
      const req = head.req;
      if (req === null) {
        conn.queue.shift();
        this.send(conn, { type: 'zk.pong', zxid: this.tree.zxid });
        continue;
      }
      if (req.op === 'getChildren' || req.op === 'exists' || req.op === 'getData') {
        conn.queue.shift();
        this.send(conn, { type: 'zk.reply', xid: head.xid, zxid: this.tree.zxid, result: this.read(conn, req) });
        continue;
      }
      if (head.submitted) return; // wait for it to apply
      head.submitted = true;
      const origin: Origin = { server: this.api.id, conn: conn.id, xid: head.xid };
      const session = conn.session!;
      const txn: ZkTxn =
        req.op === 'create'
          ? { op: 'create', session, path: req.path, ephemeral: req.ephemeral, sequential: req.sequential, origin }
          : { op: 'delete', session, path: req.path, tag: req.tag, origin };
      if (!this.submit(txn)) this.close(conn, 'no leader to take the write');
      return;
    }
  }

  private read(conn: ServerConn, req: Extract<ZkOp, { op: 'getChildren' | 'exists' | 'getData' }>): ZkResult {
    const exists = this.tree.exists(req.path);
    switch (req.op) {
      case 'getChildren': {
        const children = this.tree.children(req.path);
        if (children === undefined) return { code: 'NoNode' };
        if (req.watch) this.watches.addChild(req.path, conn.id);
        return { code: 'ok', children };
      }
      case 'exists':
        if (req.watch) this.watches.addData(req.path, conn.id);
        return { code: 'ok', exists };
      case 'getData':
        if (!exists) return { code: 'NoNode' };
        if (req.watch) this.watches.addData(req.path, conn.id);
        return { code: 'ok', exists };
    }
  }

  private send(conn: ServerConn, body: ServerBody): void {
    conn.channel.send(body);
  }

  private sendFirings(firings: readonly Firing[]): void {
    for (const f of firings) {
      const conn = this.conns.get(f.conn);
      if (conn !== undefined) this.send(conn, { type: 'zk.watch', zxid: this.tree.zxid, path: f.path, event: f.type });
    }
  }

  /** Ends a connection and tells the client (out of band: it need not wait for earlier messages). */
  private close(conn: ServerConn, reason: string): void {
    if (this.conns.get(conn.id) !== conn) return;
    this.api.send(conn.client, { type: 'zk.closed', conn: conn.id, seq: 0, ack: 0, reason });
    this.drop(conn);
  }

  private drop(conn: ServerConn): void {
    conn.channel.close();
    this.conns.delete(conn.id);
    this.watches.removeConn(conn.id);
  }

  // ---- writes through the log -------------------------------------------------

  /**
   * Proposes (leader) or forwards (in another's epoch) a transaction; false
   * when there is no epoch to take it. In its own epoch but deposed (no
   * quorum), the write just waits, as a ZooKeeper leader's uncommittable
   * proposal does, until the server gives up the epoch.
   */
  private submit(txn: ZkTxn): boolean {
    if (this.raft.isLeader()) return this.raft.propose(txn) !== null;
    const epoch = this.epoch;
    if (epoch === null) return false;
    if (epoch.leader === this.api.id) return true;
    const origin = txn.op === 'closeSession' ? null : txn.origin;
    if (origin === null) throw new Error(`${this.api.id}: only the leader closes sessions`);
    const msg: ZkForward = { type: 'zk.forward', id: forwardId(origin), term: epoch.term, txn };
    const forward: Forward = { msg, rtoUs: TCP_TIMING.minRtoUs, timer: null };
    this.forwards.set(msg.id, forward);
    this.sendForward(forward);
    return true;
  }

  /** Sends a forward to the epoch's leader and resends it (RTO doubling) until the write applies here or the epoch ends. */
  private sendForward(forward: Forward): void {
    const epoch = this.epoch;
    if (epoch === null || epoch.leader === this.api.id || epoch.term !== forward.msg.term) return;
    this.api.send(epoch.leader, forward.msg);
    forward.timer = this.api.setTimer(forward.rtoUs, () => {
      forward.timer = null;
      if (this.forwards.get(forward.msg.id) !== forward) return;
      forward.rtoUs = Math.min(TCP_TIMING.maxRtoUs, forward.rtoUs * 2);
      this.api.emit({ kind: 'metric', name: 'tcpRetransmits' });
      this.sendForward(forward);
    }, 'forward retransmit');
  }

  private forwardDone(id: string): void {
    const forward = this.forwards.get(id);
    if (forward === undefined) return;
    if (forward.timer !== null) this.api.cancelTimer(forward.timer);
    this.forwards.delete(id);
  }

  private dropForwards(): void {
    for (const id of [...this.forwards.keys()]) this.forwardDone(id);
  }

  private onForward(msg: ZkForward): void {
    if (!this.raft.isLeader() || msg.term !== this.raft.term) return; // not ours to propose: the origin leaves this epoch and closes its connections
    if (this.forwarded.has(msg.id)) return; // a duplicate
    this.forwarded.add(msg.id);
    if (this.forwarded.size > FORWARD_MEMORY) this.forwarded.delete(this.forwarded.values().next().value!);
    this.raft.propose(msg.txn);
  }

  private onApply(index: number, entry: LogEntry<ZkTxn>, asLeader: boolean): void {
    const txn = entry.cmd;
    if (txn === null) return;
    const outcome = this.tree.apply(index, txn);
    const change = this.reporter.observe(this.tree, txn);
    if (asLeader) this.report(change, index);

    if (txn.op === 'createSession' && asLeader && outcome.result.code === 'ok') this.tracker.add(txn.session, txn.timeoutUs, this.api.monotonic());
    if (txn.op === 'closeSession') {
      this.tracker.remove(txn.session);
      if (asLeader && txn.why === 'expired' && outcome.result.code === 'ok') this.api.emit({ kind: 'metric', name: 'sessionExpiries' });
    }
    for (const trigger of outcome.triggers) this.sendFirings(this.watches.trigger(trigger));
    if (txn.op === 'closeSession') {
      for (const conn of [...this.conns.values()]) if (conn.session === txn.session) this.close(conn, 'session closed');
      return;
    }
    if (txn.origin.server !== this.api.id) return;
    this.forwardDone(forwardId(txn.origin));
    const conn = this.conns.get(txn.origin.conn);
    if (conn === undefined) return;
    if (txn.op === 'createSession') {
      if (conn.state !== 'opening') return;
      if (outcome.result.code === 'ok') this.open(conn, txn.session);
      else this.close(conn, 'session could not be created');
      return;
    }
    const head = conn.queue[0];
    if (head === undefined || head.xid !== txn.origin.xid || !head.submitted) return;
    conn.queue.shift();
    this.send(conn, { type: 'zk.reply', xid: head.xid, zxid: index, result: outcome.result });
    this.pump(conn);
  }

  private report(change: HolderChange, index: number): void {
    for (const g of change.ended) {
      this.api.emit({ kind: 'expired', owner: g.client, token: g.token, session: g.session, path: g.path, why: g.why, index });
    }
    for (const g of change.grants) this.api.emit({ kind: 'granted', client: g.client, token: g.token, session: g.session, path: g.path, index, grant: `${g.path}@${g.token}` });
    if (change.herdWakeups > 0) this.api.emit({ kind: 'metric', name: 'watchNotificationsIfHerd', by: change.herdWakeups });
  }

  // ---- sessions ---------------------------------------------------------------

  private touch(session: string): void {
    if (this.raft.isLeader()) this.tracker.touch(session, this.api.monotonic());
    else this.touched.set(session, this.touchReports + 1);
  }

  /**
   * Followers report the sessions they heard from to their leader every
   * tick/2 (ZooKeeper piggybacks this on its pings over TCP): each report
   * carries every touch not yet in an acknowledged one, so a lost report
   * only delays the touch to the next.
   */
  private armTouchReport(): void {
    this.api.setTimer(Math.max(1, Math.floor(this.knobs.tickTimeUs / 2)), () => {
      const leader = this.epoch?.leader ?? null;
      if (this.raft.isLeader()) this.touched.clear();
      else if (leader !== null && leader !== this.api.id && this.touched.size > 0) {
        this.api.send(leader, { type: 'zk.touch', id: ++this.touchReports, sessions: [...this.touched.keys()] } satisfies ZkTouch);
      }
      this.armTouchReport();
    }, 'tick');
  }

  private onTouch(from: string, msg: ZkTouch): void {
    if (!this.raft.isLeader()) return;
    const nowUs = this.api.monotonic();
    for (const session of msg.sessions) {
      if (!this.tracker.has(session) && this.tree.isLive(session)) this.tracker.add(session, this.tree.timeoutOf(session)!, nowUs);
      else this.tracker.touch(session, nowUs);
    }
    this.api.send(from, { type: 'zk.touch-ack', id: msg.id } satisfies ZkTouchAck);
  }

  private onTouchAck(msg: ZkTouchAck): void {
    for (const [session, first] of [...this.touched]) if (first <= msg.id) this.touched.delete(session);
  }

  private onRole(role: Role): void {
    this.tracker.clear();
    this.forwarded.clear();
    if (this.expiryTimer !== null) this.api.cancelTimer(this.expiryTimer);
    this.expiryTimer = null;
    if (role !== 'leader' && this.epoch?.leader === this.api.id) {
      // Deposed by CheckQuorum (or by a higher term): it last had a quorum about electionTimeout.max ago.
      this.epoch.heardUs = Math.min(this.epoch.heardUs, this.api.monotonic() - this.knobs.electionTimeoutUs.maxUs);
      if (this.epochTimer !== null) this.api.cancelTimer(this.epochTimer);
      this.epochTimer = null;
      this.armEpochTimer();
    }
    this.followRaft(null);
    if (role !== 'leader') return;
    // A new leader cannot know when sessions were last heard from: it extends every one by its full timeout.
    const nowUs = this.api.monotonic();
    for (const session of this.tree.liveSessions()) this.tracker.add(session, this.tree.timeoutOf(session)!, nowUs);
    this.armExpiryCheck();
  }

  /** The leader checks for expired sessions at every tick boundary of its monotonic clock. */
  private armExpiryCheck(): void {
    const nowUs = this.api.monotonic();
    this.expiryTimer = this.api.setTimer(this.tracker.roundUp(nowUs) - nowUs, () => {
      this.expiryTimer = null;
      if (!this.raft.isLeader()) return;
      this.expireDue();
      this.armExpiryCheck();
    }, 'session expiry');
  }

  private expireDue(): void {
    if (!this.raft.readyForReads()) return; // applied state may still lack sessions
    const nowUs = this.api.monotonic();
    for (const session of this.tree.liveSessions()) {
      if (!this.tracker.has(session)) this.tracker.add(session, this.tree.timeoutOf(session)!, nowUs);
    }
    for (const session of this.tracker.takeExpired(nowUs)) {
      if (!this.tree.isLive(session)) {
        this.tracker.remove(session);
        continue;
      }
      this.api.note(`zk: session ${session} of ${this.tree.clientOf(session)} expired by the leader's clock`);
      this.raft.propose({ op: 'closeSession', session, why: 'expired' });
    }
  }
}

/** A forward's id: its origin, unique per request. */
function forwardId(origin: Origin): string {
  return `${origin.server}/${origin.conn}/${origin.xid}`;
}
