/**
 * The client-facing half of a server that runs a service on the Raft core
 * (the cas register in `sync` mode, the Raft lock): the core itself, wired
 * to the server's state machine, plus the leader's book of whom to answer
 * when an entry it proposed for a client applies.
 *
 * Models: a request that goes through the log is answered when its entry
 * applies on the leader that proposed it, and only if that entry is still
 * the one proposed (same term); every role change forgets the promised
 * answers (the client's retry finds the new leader). A redirect names the
 * leader this node believes in, or none.
 *
 * Does not model: what the service answers or when it redirects (the
 * server's business), request batching, answering from a follower.
 */
import type { NodeApi } from '../api/index.ts';
import { RaftNode } from './core.ts';
import type { LogEntry, RaftHooks, RaftTiming } from './types.ts';

/** What a service server plugs into its Raft member. */
export interface RaftServiceOptions<C> {
  /** Every member of the cluster, this node included. */
  readonly members: readonly string[];
  readonly timing: RaftTiming;
  /** Applies a committed entry to the server's state machine (see `RaftHooks.apply`). */
  readonly apply: RaftHooks<C>['apply'];
  /** Called after every role change, once the promised answers are forgotten. */
  readonly roleChanged?: RaftHooks<C>['roleChanged'];
}

/** A server's Raft member and its pending client answers; `C` is the command type, `To` whom (and how) to answer. */
export class RaftService<C, To> {
  /** The Raft member, for everything this class does not wrap. */
  readonly raft: RaftNode<C>;
  private readonly api: NodeApi;
  /** Leader-only: whom to answer when the entry at an index (proposed in `term`) applies. */
  private readonly replies = new Map<number, { readonly term: number; readonly to: To }>();

  /** Builds the member (it reloads from disk); call `start()` once the server's own state exists. */
  constructor(api: NodeApi, options: RaftServiceOptions<C>) {
    this.api = api;
    const roleChanged = options.roleChanged;
    this.raft = new RaftNode<C>(api, {
      members: options.members,
      timing: options.timing,
      hooks: {
        apply: options.apply,
        roleChanged: (role, term) => {
          this.replies.clear();
          roleChanged?.(role, term);
        },
      },
    });
  }

  /** Starts the member (see `RaftNode.start`). */
  start(): void {
    this.raft.start();
  }

  /** The leader a redirect names: the one this node believes in, or null when it knows none or believes in itself. */
  leaderHint(): string | null {
    return this.raft.leader === this.api.id ? null : this.raft.leader;
  }

  /** Proposes `cmd` and remembers to answer `to` when it applies; false (nothing proposed) when this node cannot propose. */
  propose(cmd: C, to: To): boolean {
    const index = this.raft.propose(cmd);
    if (index === null) return false;
    this.replies.set(index, { term: this.raft.term, to });
    return true;
  }

  /** Whom to answer now that entry `index` applied as leader: the `to` of its `propose` if the entry is the one proposed, else undefined. Forgets it either way. */
  answerFor(index: number, entry: LogEntry<C>): To | undefined {
    const pending = this.replies.get(index);
    if (pending === undefined) return undefined;
    this.replies.delete(index);
    return pending.term === entry.term ? pending.to : undefined;
  }
}
