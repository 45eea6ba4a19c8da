/**
 * The znode tree: ZooKeeper's replicated state machine (DataTree plus the
 * session table), applied in log order on every server.
 *
 * Models: persistent and ephemeral znodes, the sequential flag (the suffix is
 * the parent's cversion, which every child create and delete bumps, so
 * sequence numbers under a parent strictly increase), czxid / pzxid (zxid =
 * log index), sessions with their negotiated timeout and their ephemerals;
 * `closeSession` (expiry, or a client closing) deletes the session's
 * ephemerals. Every change reports the watch triggers it causes (node
 * created / deleted, parent's children changed); which watches exist is
 * each server's own business (watches.ts). Errors are ZooKeeper's:
 * NoNode, NodeExists, NotEmpty, NoChildrenForEphemerals, SessionExpired.
 *
 * Deterministic and clock-free: when a session expires is decided by the
 * leader's clock (sessions.ts) and arrives here as a `closeSession`.
 * Not modelled: node data and setData, versions, ACLs, containers/TTL nodes,
 * multi-ops, snapshots.
 */
import { nameOf, parentOf, sequentialName } from './paths.ts';

/** Where the reply to a client's request goes (the server and connection it came in on). */
export interface Origin {
  readonly server: string;
  readonly conn: string;
  readonly xid: number;
}

/**
 * Why a client deletes a node. Not part of ZooKeeper's protocol: the
 * simulator's grant reporting (holders.ts) uses it to tell a lock release
 * from a client giving a lock up without a release.
 */
export type DeleteTag = 'release' | 'cleanup';

/** A transaction in the log. */
export type ZkTxn =
  | { readonly op: 'createSession'; readonly session: string; readonly client: string; readonly timeoutUs: number; readonly origin: Origin }
  | { readonly op: 'closeSession'; readonly session: string; readonly why: 'expired' | 'closed' }
  | { readonly op: 'create'; readonly session: string; readonly path: string; readonly ephemeral: boolean; readonly sequential: boolean; readonly origin: Origin }
  | { readonly op: 'delete'; readonly session: string; readonly path: string; readonly tag: DeleteTag | null; readonly origin: Origin };

/** A result code: `ok` or one of ZooKeeper's errors (`ConnectionLoss` is the client's own, never the tree's). */
export type ZkCode = 'ok' | 'NoNode' | 'NodeExists' | 'NotEmpty' | 'NoChildrenForEphemerals' | 'SessionExpired' | 'ConnectionLoss';

/** The answer to one client operation. */
export interface ZkResult {
  readonly code: ZkCode;
  /** create: the created path. */
  readonly path?: string;
  /** getChildren: child names, sorted. */
  readonly children?: readonly string[];
  /** exists: whether the node exists. */
  readonly exists?: boolean;
}

/** A change watches may fire on: `created`/`deleted` at `path`, or `children` of `path` changed. */
export interface WatchTrigger {
  readonly path: string;
  readonly type: 'created' | 'deleted' | 'children';
}

/** What applying one transaction did. */
export interface TxnOutcome {
  readonly result: ZkResult;
  readonly triggers: readonly WatchTrigger[];
}

interface Znode {
  readonly path: string;
  readonly ephemeralOwner: string | null;
  readonly czxid: number;
  /** Child names in creation order. */
  readonly children: Set<string>;
  /** Bumped by every child create and delete; the next sequential suffix. */
  cversion: number;
  /** Zxid of the last child change. */
  pzxid: number;
}

interface Session {
  readonly client: string;
  readonly timeoutUs: number;
  readonly ephemerals: Set<string>;
}

/** The replicated tree plus the session table. */
export class ZnodeTree {
  private readonly nodes = new Map<string, Znode>();
  private readonly sessions = new Map<string, Session>();
  private readonly closed = new Set<string>();
  private lastZxid = 0;

  constructor() {
    this.nodes.set('/', { path: '/', ephemeralOwner: null, czxid: 0, children: new Set(), cversion: 0, pzxid: 0 });
  }

  /** Applies the entry at log index `zxid` (indexes must increase). */
  apply(zxid: number, txn: ZkTxn): TxnOutcome {
    if (zxid <= this.lastZxid) throw new Error(`znode tree: zxid ${zxid} applied after ${this.lastZxid}`);
    this.lastZxid = zxid;
    switch (txn.op) {
      case 'createSession':
        if (!this.closed.has(txn.session) && !this.sessions.has(txn.session)) {
          this.sessions.set(txn.session, { client: txn.client, timeoutUs: txn.timeoutUs, ephemerals: new Set() });
        }
        return { result: { code: this.sessions.has(txn.session) ? 'ok' : 'SessionExpired' }, triggers: [] };
      case 'closeSession':
        return this.closeSession(zxid, txn.session);
      case 'create':
        return this.create(zxid, txn.session, txn.path, txn.ephemeral, txn.sequential);
      case 'delete':
        if (!this.sessions.has(txn.session)) return { result: { code: 'SessionExpired' }, triggers: [] };
        return this.remove(zxid, txn.path);
    }
  }

  private create(zxid: number, session: string, requested: string, ephemeral: boolean, sequential: boolean): TxnOutcome {
    const owner = this.sessions.get(session);
    if (owner === undefined) return { result: { code: 'SessionExpired' }, triggers: [] };
    const parent = this.nodes.get(parentOf(requested));
    if (parent === undefined) return { result: { code: 'NoNode' }, triggers: [] };
    if (parent.ephemeralOwner !== null) return { result: { code: 'NoChildrenForEphemerals' }, triggers: [] };
    const path = sequential ? sequentialName(requested, parent.cversion) : requested;
    if (this.nodes.has(path)) return { result: { code: 'NodeExists' }, triggers: [] };
    this.nodes.set(path, { path, ephemeralOwner: ephemeral ? session : null, czxid: zxid, children: new Set(), cversion: 0, pzxid: zxid });
    parent.children.add(nameOf(path));
    parent.cversion++;
    parent.pzxid = zxid;
    if (ephemeral) owner.ephemerals.add(path);
    return { result: { code: 'ok', path }, triggers: [{ path, type: 'created' }, { path: parent.path, type: 'children' }] };
  }

  private remove(zxid: number, path: string): TxnOutcome {
    const node = path === '/' ? undefined : this.nodes.get(path);
    if (node === undefined) return { result: { code: 'NoNode' }, triggers: [] };
    if (node.children.size > 0) return { result: { code: 'NotEmpty' }, triggers: [] };
    const parent = this.nodes.get(parentOf(path));
    if (parent === undefined) throw new Error(`znode tree: ${path} exists without its parent`);
    this.nodes.delete(path);
    parent.children.delete(nameOf(path));
    parent.cversion++;
    parent.pzxid = zxid;
    if (node.ephemeralOwner !== null) this.sessions.get(node.ephemeralOwner)?.ephemerals.delete(path);
    return { result: { code: 'ok' }, triggers: [{ path, type: 'deleted' }, { path: parent.path, type: 'children' }] };
  }

  private closeSession(zxid: number, session: string): TxnOutcome {
    const s = this.sessions.get(session);
    if (s === undefined) return { result: { code: 'SessionExpired' }, triggers: [] };
    const triggers: WatchTrigger[] = [];
    // Deepest first, in a fixed order, so every replica deletes identically.
    for (const path of [...s.ephemerals].sort().reverse()) triggers.push(...this.remove(zxid, path).triggers);
    if (s.ephemerals.size !== 0) throw new Error(`znode tree: session ${session} kept ephemerals after closing`);
    this.sessions.delete(session);
    this.closed.add(session);
    return { result: { code: 'ok' }, triggers };
  }

  // ---- reads (this replica's state, as fresh as its applied zxid) ---------

  /** Zxid of the last applied transaction. */
  get zxid(): number {
    return this.lastZxid;
  }

  exists(path: string): boolean {
    return this.nodes.has(path);
  }

  /** Child names sorted, or undefined when the node does not exist. */
  children(path: string): string[] | undefined {
    const node = this.nodes.get(path);
    return node === undefined ? undefined : [...node.children].sort();
  }

  /** Zxid of the node's last child change, or undefined. */
  pzxid(path: string): number | undefined {
    return this.nodes.get(path)?.pzxid;
  }

  /** The session owning an ephemeral node (null for a persistent one), or undefined when absent. */
  ephemeralOwner(path: string): string | null | undefined {
    const node = this.nodes.get(path);
    return node === undefined ? undefined : node.ephemeralOwner;
  }

  isLive(session: string): boolean {
    return this.sessions.has(session);
  }

  hasClosed(session: string): boolean {
    return this.closed.has(session);
  }

  /** The client node a live session belongs to. */
  clientOf(session: string): string | undefined {
    return this.sessions.get(session)?.client;
  }

  timeoutOf(session: string): number | undefined {
    return this.sessions.get(session)?.timeoutUs;
  }

  /** Live session ids, in creation order. */
  liveSessions(): string[] {
    return [...this.sessions.keys()];
  }
}
