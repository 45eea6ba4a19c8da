/**
 * Small retrying operations the recipes share, as Curator runs them in the
 * background: create the parents of a path if missing
 * (`creatingParentsIfNeeded`), delete a node for sure (`guaranteed()`:
 * retried across connection loss until it is gone or the session is), and
 * delete whatever nodes carry a protected guid (a create whose reply was
 * lost). Each gives up only when retrying cannot help: the node is gone
 * (NoNode) or the session expired (its ephemerals are gone with it).
 */
import type { NodeApi } from '../api/index.ts';
import type { ZkConnection } from './connection.ts';
import { childPath, protectedParts } from './paths.ts';
import type { DeleteTag } from './tree.ts';

/** The shared background operations of one client's recipes. */
export class RecipeIo {
  /** The client handle every request goes through. */
  readonly conn: ZkConnection;
  /** Names this client instance in protected node names (its node name: unique, no "-"). */
  readonly owner: string;

  private readonly api: NodeApi;

  constructor(api: NodeApi, conn: ZkConnection) {
    this.api = api;
    this.conn = conn;
    this.owner = api.id;
    if (this.owner.includes('-')) throw new Error(`recipe owner ${this.owner} must not contain "-"`);
  }

  /** Counts a recipe event in the run's metrics (and notes it in the trace). */
  metric(name: string, note?: string): void {
    this.api.emit({ kind: 'metric', name });
    if (note !== undefined) this.api.note(`zk recipe: ${note}`);
  }

  /** Creates every missing ancestor of `path` and `path` itself as persistent nodes, then calls `then`. */
  ensurePath(path: string, then: () => void): void {
    const parts = path.split('/').filter((p) => p !== '');
    const steps = parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
    const step = (i: number): void => {
      if (i === steps.length) {
        then();
        return;
      }
      this.conn.request({ op: 'create', path: steps[i], ephemeral: false, sequential: false }, (r) => {
        switch (r.code) {
          case 'ok':
          case 'NodeExists':
            step(i + 1);
            return;
          case 'ConnectionLoss':
          case 'NoNode': // a parent vanished meanwhile: start over
            step(r.code === 'NoNode' ? 0 : i);
            return;
          case 'SessionExpired':
            return; // the session-lost handler restarts whoever needed this
          default:
            throw new Error(`${this.owner}: creating ${steps[i]} failed with ${r.code}`);
        }
      });
    };
    step(0);
  }

  /** Deletes `path`, retrying after connection loss; stops when it is gone or the session expired. */
  deleteQuietly(path: string, tag: DeleteTag): void {
    this.conn.request({ op: 'delete', path, tag }, (r) => {
      if (r.code === 'ConnectionLoss') this.deleteQuietly(path, tag);
    });
  }

  /** Deletes every child of `parent` whose protected name carries `guid`. */
  sweepGuid(parent: string, guid: string): void {
    this.conn.request({ op: 'getChildren', path: parent, watch: false }, (r) => {
      if (r.code === 'ConnectionLoss') {
        this.sweepGuid(parent, guid);
        return;
      }
      if (r.code !== 'ok') return;
      for (const name of r.children ?? []) if (protectedParts(name)?.guid === guid) this.deleteQuietly(childPath(parent, name), 'cleanup');
    });
  }
}
