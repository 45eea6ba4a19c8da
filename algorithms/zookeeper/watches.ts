/**
 * A server's watch table (ZooKeeper's WatchManager): one-shot watches that
 * clients connected to THIS server set with `exists` (data/existence
 * watches) and `getChildren` (child watches). Watches are not replicated:
 * they live with the connection, die with it, and the client re-registers
 * them on reconnect (`setWatches`, see `registerAfterReconnect`).
 *
 * Firing rules are ZooKeeper's: a node created fires existence watches on
 * it; a node deleted fires data and child watches on it; a child added or
 * removed fires child watches on the parent. Each watch fires once.
 * Not modelled: persistent/recursive watches (3.6), removeWatches.
 */
import type { WatchTrigger } from './tree.ts';

/** A notification to send: connection `conn` gets `type` for `path`. */
export interface Firing {
  readonly conn: string;
  readonly path: string;
  readonly type: WatchTrigger['type'];
}

/** Watches a client asks a server to (re)register after reconnecting. */
export interface WatchSet {
  /** Set while the node existed (exists/getData): fire on delete. */
  readonly data: readonly string[];
  /** Set while the node was absent: fire on create. */
  readonly exist: readonly string[];
  /** getChildren watches. */
  readonly child: readonly string[];
}

/** What the server's tree tells `registerAfterReconnect` about a path. */
export interface TreeView {
  exists(path: string): boolean;
  pzxid(path: string): number | undefined;
}

/** One server's watches: path → the connections watching it, one-shot. */
export class WatchManager {
  /** path → connections with a data or existence watch on it. */
  private readonly data = new Map<string, Set<string>>();
  /** path → connections with a child watch on it. */
  private readonly child = new Map<string, Set<string>>();

  addData(path: string, conn: string): void {
    add(this.data, path, conn);
  }

  addChild(path: string, conn: string): void {
    add(this.child, path, conn);
  }

  /** The notifications one change causes (each watch fires once and is removed). */
  trigger(t: WatchTrigger): Firing[] {
    const out: Firing[] = [];
    const fire = (table: Map<string, Set<string>>): void => {
      const conns = table.get(t.path);
      if (conns === undefined) return;
      table.delete(t.path);
      for (const conn of conns) out.push({ conn, path: t.path, type: t.type });
    };
    if (t.type === 'created') fire(this.data);
    if (t.type === 'deleted') {
      fire(this.data);
      fire(this.child);
    }
    if (t.type === 'children') fire(this.child);
    return dedupe(out);
  }

  /** Drops every watch of a closed connection. */
  removeConn(conn: string): void {
    for (const table of [this.data, this.child]) {
      for (const [path, conns] of table) {
        conns.delete(conn);
        if (conns.size === 0) table.delete(path);
      }
    }
  }

  /**
   * ZooKeeper's SetWatches: re-registers a reconnecting client's watches,
   * firing at once those whose condition already happened since the
   * client's last seen zxid (a node deleted, created, or its children changed).
   */
  registerAfterReconnect(conn: string, watches: WatchSet, lastZxid: number, tree: TreeView): Firing[] {
    const out: Firing[] = [];
    for (const path of watches.data) {
      if (!tree.exists(path)) out.push({ conn, path, type: 'deleted' });
      else this.addData(path, conn);
    }
    for (const path of watches.exist) {
      if (tree.exists(path)) out.push({ conn, path, type: 'created' });
      else this.addData(path, conn);
    }
    for (const path of watches.child) {
      const pzxid = tree.pzxid(path);
      if (pzxid === undefined) out.push({ conn, path, type: 'deleted' });
      else if (pzxid > lastZxid) out.push({ conn, path, type: 'children' });
      else this.addChild(path, conn);
    }
    return out;
  }

  /** How many watches are registered (for tests). */
  get size(): number {
    let n = 0;
    for (const table of [this.data, this.child]) for (const conns of table.values()) n += conns.size;
    return n;
  }
}

function add(table: Map<string, Set<string>>, path: string, conn: string): void {
  let conns = table.get(path);
  if (conns === undefined) table.set(path, (conns = new Set()));
  conns.add(conn);
}

/** A delete fires both a data and a child watch of one connection on one path: ZooKeeper sends one event. */
function dedupe(firings: Firing[]): Firing[] {
  const seen = new Set<string>();
  return firings.filter((f) => {
    const key = `${f.conn}\u0000${f.path}\u0000${f.type}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
