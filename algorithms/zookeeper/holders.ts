/**
 * Grant reporting for the simulator: which clients the ensemble's state
 * says hold the lock (or a semaphore permit), and when that changes.
 *
 * Not part of ZooKeeper: the recipes decide holding on the clients, from
 * the children they list. This observer applies the same rule to the
 * replicated tree after every transaction — the first `permits` children
 * of the recipe's parent, by sequence number, hold — on every replica, so
 * any leader can report: a node entering that set is a grant (token = its
 * sequence number); a holder's node leaving it other than by a release
 * (session expired or closed, or the client deleting it while giving up)
 * is the service ending that client's lock (`expired`). It also counts
 * what a herd recipe (every waiter watching the parent's children) would
 * have been woken for the same history: each change to the parent's
 * children wakes every waiter but the node that changed.
 */
import { bySequence, childPath, sequenceOf } from './paths.ts';
import type { ZkTxn, ZnodeTree } from './tree.ts';

/** A client became a holder. */
export interface HolderGrant {
  readonly client: string;
  readonly session: string;
  readonly path: string;
  readonly token: number;
}

/** A holder's node went away other than by its release. */
export interface HolderEnded {
  readonly client: string;
  readonly session: string;
  readonly path: string;
  readonly token: number;
  readonly why: 'expired' | 'closed' | 'gave-up' | 'deleted';
}

/** What one transaction changed about who holds. */
export interface HolderChange {
  readonly grants: readonly HolderGrant[];
  readonly ended: readonly HolderEnded[];
  /** Notifications a herd recipe would have caused by this change. */
  readonly herdWakeups: number;
}

interface Holder {
  readonly client: string;
  readonly session: string;
  readonly token: number;
}

const NO_CHANGE: HolderChange = { grants: [], ended: [], herdWakeups: 0 };

/** Tracks the holders of one recipe parent across transactions, on one replica. */
export class HolderReporter {
  private readonly parent: string;
  private readonly permits: number;
  private children: string[] = [];
  private holders = new Map<string, Holder>();
  /** The parent's pzxid when last observed: every child create or delete (and the parent's own creation) sets it to a new zxid, so while it stands still the children have not changed and `observe` can skip the sort. */
  private seenPzxid: number | undefined = undefined;

  constructor(parent: string, permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new Error(`holder reporter: permits must be ≥ 1, got ${permits}`);
    this.parent = parent;
    this.permits = permits;
  }

  /** Call after `tree` applied `txn`. */
  observe(tree: ZnodeTree, txn: ZkTxn): HolderChange {
    if (txn.op === 'createSession') return NO_CHANGE;
    const pzxid = tree.pzxid(this.parent);
    if (pzxid === this.seenPzxid) return NO_CHANGE;
    this.seenPzxid = pzxid;
    const now = bySequence(tree.children(this.parent) ?? []);
    if (sameList(now, this.children)) return NO_CHANGE;
    const before = this.children;
    const waitersBefore = before.slice(this.permits);
    const nowSet = new Set(now);
    const beforeSet = new Set(before);
    const changed = [...before.filter((n) => !nowSet.has(n)), ...now.filter((n) => !beforeSet.has(n))];
    const herdWakeups = waitersBefore.filter((n) => !changed.includes(n)).length * changed.length;

    const next = new Map<string, Holder>();
    const grants: HolderGrant[] = [];
    for (const name of now.slice(0, this.permits)) {
      const path = childPath(this.parent, name);
      const known = this.holders.get(path);
      if (known !== undefined) {
        next.set(path, known);
        continue;
      }
      const session = tree.ephemeralOwner(path);
      if (typeof session !== 'string') continue; // a persistent child is nobody's lock
      const client = tree.clientOf(session);
      if (client === undefined) throw new Error(`holder reporter: ${path} owned by unknown session ${session}`);
      const holder = { client, session, token: sequenceOf(name)! };
      next.set(path, holder);
      grants.push({ ...holder, path });
    }
    const ended: HolderEnded[] = [];
    for (const [path, holder] of this.holders) {
      if (next.has(path)) continue;
      if (tree.exists(path)) throw new Error(`holder reporter: holder ${path} lost its place while still present`);
      const released = txn.op === 'delete' && txn.path === path && txn.tag === 'release';
      if (released) continue;
      const why = txn.op === 'closeSession' ? txn.why : txn.op === 'delete' && txn.tag === 'cleanup' ? 'gave-up' : 'deleted';
      ended.push({ ...holder, path, why });
    }
    this.children = now;
    this.holders = next;
    return { grants, ended, herdWakeups };
  }

  /** Current holders' paths (for tests). */
  holderPaths(): string[] {
    return [...this.holders.keys()];
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
