/**
 * A ZooKeeper ensemble member: the consensus core replicating the znode
 * tree, the client connections it serves, its watches, and — on the leader
 * — the session tracker that decides expiry.
 *
 * Models ZooKeeper's server pipeline: a server serves clients only while it
 * is in a working quorum (the leader once its term's no-op committed, a
 * follower while it follows a leader); otherwise it closes connections and
 * clients move on. Each connection's requests are handled in order: reads
 * (getChildren, exists, getData) from this replica's tree, possibly stale
 * but never behind what the client has seen (a client whose last zxid this
 * server has not reached is refused); writes go through the log (a
 * follower forwards them to the leader) and block the connection's later
 * requests until they apply here, then the reply goes out — after the
 * watch notifications the change fired, as ZooKeeper orders them.
 * Sessions: `createSession` / `closeSession` are log entries; pings and
 * requests touch the session (followers report touches to the leader every
 * tick/2); the leader checks at every tick boundary and proposes
 * `closeSession` for sessions past their expiry by its own monotonic
 * clock; a new leader extends every session by its full timeout. When
 * `closeSession` applies, each server closes that session's connections:
 * the client learns of the expiry only when it reconnects.
 *
 * Emits (leader, when the entry applies): `granted {client, token}` when a
 * client's node becomes one of the first `permits` children of the recipe
 * parent, `expired {owner, token}` when such a holder's node goes other
 * than by release (holders.ts), metrics `sessionExpiries` and
 * `watchNotificationsIfHerd`; the core emits `elected` / `stepped-down` /
 * `committed`. Not modelled: observers, quotas, ACLs, the request
 * throttler, session ownership checks (SessionMovedException).
 */
import type { DesignContext, Message, NodeApi, NodeHandlers, TimerId } from '../api/index.ts';
import { RaftNode } from '../raft/core.ts';
import type { LogEntry, Role } from '../raft/types.ts';
import { GAP_TIMEOUT_US, InOrderInbox } from './channel.ts';
import { HolderReporter, type HolderChange } from './holders.ts';
import { negotiateTimeoutUs, type ZkKnobs } from './knobs.ts';
import { RECIPE_PATHS } from './paths.ts';
import {
  isClientMessage,
  type ClientMessage,
  type ServerBody,
  type ZkConnect,
  type ZkForward,
  type ZkOp,
  type ZkTouch,
} from './protocol.ts';
import { SessionTracker } from './sessions.ts';
import { ZnodeTree, type Origin, type ZkResult, type ZkTxn } from './tree.ts';
import { WatchManager, type Firing } from './watches.ts';

/** A duplicated forward is recognised among this many recent ones. */
const FORWARD_MEMORY = 4096;

interface Queued {
  readonly xid: number;
  readonly req: ZkOp;
  submitted: boolean;
}

interface ServerConn {
  readonly id: string;
  readonly client: string;
  session: string | null;
  state: 'opening' | 'open';
  readonly inbox: InOrderInbox<ClientMessage>;
  outSeq: number;
  readonly queue: Queued[];
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
  readonly raft: RaftNode<ZkTxn>;
  // Follower: sessions heard from since the last report to the leader.
  private readonly touched = new Set<string>();
  // Leader-only, volatile:
  private readonly tracker: SessionTracker;
  private readonly forwarded = new Set<string>();
  private expiryTimer: TimerId | null = null;

  constructor(api: NodeApi, ctx: DesignContext<ZkKnobs>) {
    this.api = api;
    this.knobs = ctx.knobs;
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
    if (this.raft.handle(from, msg)) return;
    switch (msg.type) {
      case 'zk.forward':
        this.onForward(msg as ZkForward);
        return;
      case 'zk.touch':
        this.onTouch(msg as ZkTouch);
        return;
      default:
        if (isClientMessage(msg)) this.onClientMessage(from, msg);
    }
  }

  /** Whether this server is in a working quorum and may serve clients. */
  serving(): boolean {
    if (this.raft.panicked !== null) return false;
    if (this.raft.isLeader()) return this.raft.readyForReads();
    return this.raft.role === 'follower' && this.raft.leader !== null;
  }

  // ---- connections ----------------------------------------------------------

  private onClientMessage(from: string, msg: ClientMessage): void {
    let conn = this.conns.get(msg.conn);
    if (conn === undefined) {
      if (msg.type !== 'zk.connect' || msg.seq !== 1) {
        // Not a connection we know (we restarted, or closed it): tell the client to move on.
        this.api.send(from, { type: 'zk.closed', conn: msg.conn, seq: 0, reason: 'unknown connection' });
        return;
      }
      const id = msg.conn;
      const created: ServerConn = {
        id,
        client: from,
        session: null,
        state: 'opening',
        inbox: new InOrderInbox<ClientMessage>(this.api, GAP_TIMEOUT_US, (m) => this.onInOrder(created, m), () => this.close(created, 'message gap')),
        outSeq: 0,
        queue: [],
      };
      conn = created;
      this.conns.set(id, conn);
    }
    if (conn.client !== from) return; // another node reusing a connection id: ignore
    conn.inbox.receive(msg.seq, msg);
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
        this.send(conn, { type: 'zk.pong', zxid: this.tree.zxid });
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

  /** Handles the connection's queue in order: reads at once, one write at a time through the log. */
  private pump(conn: ServerConn): void {
    while (conn.queue.length > 0 && this.conns.get(conn.id) === conn) {
      const head = conn.queue[0];
      const req = head.req;
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
    this.api.send(conn.client, { ...body, conn: conn.id, seq: ++conn.outSeq });
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
    this.api.send(conn.client, { type: 'zk.closed', conn: conn.id, seq: 0, reason });
    this.drop(conn);
  }

  private drop(conn: ServerConn): void {
    conn.inbox.close();
    this.conns.delete(conn.id);
    this.watches.removeConn(conn.id);
  }

  // ---- writes through the log -------------------------------------------------

  /** Proposes (leader) or forwards (follower) a transaction; false when there is no leader to take it. */
  private submit(txn: ZkTxn): boolean {
    if (this.raft.isLeader()) return this.raft.propose(txn) !== null;
    const leader = this.raft.leader;
    if (leader === null || leader === this.api.id) return false;
    const origin = txn.op === 'closeSession' ? null : txn.origin;
    if (origin === null) throw new Error(`${this.api.id}: only the leader closes sessions`);
    this.api.send(leader, { type: 'zk.forward', id: `${origin.server}/${origin.conn}/${origin.xid}`, txn } satisfies ZkForward);
    return true;
  }

  private onForward(msg: ZkForward): void {
    if (!this.raft.isLeader()) return; // the origin's client times out and reconnects
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
    else this.touched.add(session);
  }

  /** Followers report the sessions they heard from to the leader every tick/2 (ZooKeeper piggybacks this on pings). */
  private armTouchReport(): void {
    this.api.setTimer(Math.max(1, Math.floor(this.knobs.tickTimeUs / 2)), () => {
      const leader = this.raft.leader;
      if (!this.raft.isLeader() && leader !== null && this.touched.size > 0) {
        this.api.send(leader, { type: 'zk.touch', sessions: [...this.touched] } satisfies ZkTouch);
      }
      this.touched.clear();
      this.armTouchReport();
    }, 'tick');
  }

  private onTouch(msg: ZkTouch): void {
    if (!this.raft.isLeader()) return;
    const nowUs = this.api.monotonic();
    for (const session of msg.sessions) {
      if (!this.tracker.has(session) && this.tree.isLive(session)) this.tracker.add(session, this.tree.timeoutOf(session)!, nowUs);
      else this.tracker.touch(session, nowUs);
    }
  }

  private onRole(role: Role): void {
    this.tracker.clear();
    this.forwarded.clear();
    if (this.expiryTimer !== null) this.api.cancelTimer(this.expiryTimer);
    this.expiryTimer = null;
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
