/**
 * A cas server for `replication: "sync"`: the versioned register as a state
 * machine on the Raft core (../raft/, unchanged), like etcd's transactions
 * comparing a key's mod revision.
 *
 * Models: only the leader serves; others redirect to the leader they believe
 * in. A compare-and-set goes through the log and is answered when its entry
 * applies on the leader that proposed it (so it is acknowledged only once a
 * majority stores it and survives any single crash); retries of one request
 * are deduplicated when applied. A read is answered from applied state after
 * a ReadIndex round confirms leadership. The leader emits `granted {client,
 * token: newVersion, index}` for each write of its own term it applies (a
 * write a deposed leader proposed and its successor committed goes
 * unreported rather than risk reporting one write twice); the core emits
 * `elected`, `stepped-down`, `committed`. Election timing is fixed
 * (150–300 ms, 50 ms heartbeats), as raft-lock's defaults.
 * Not modelled: lease-based reads, snapshots, request batching.
 */
import type { DesignContext, Message, NodeApi, NodeHandlers } from '../api/index.ts';
import { US_PER_MS } from '../api/index.ts';
import type { RaftNode } from '../raft/core.ts';
import { RaftService } from '../raft/service.ts';
import type { LogEntry, RaftTiming } from '../raft/types.ts';
import type { CasKnobs } from './knobs.ts';
import { isCasRequest, type CasRedirect, type CasReply, type CasRequest, type CasResult } from './protocol.ts';
import { applyCas, INITIAL_REGISTER, type CasCommand, type RegisterState } from './register.ts';

/** Raft timing for the sync mode. */
export const CAS_RAFT_TIMING: RaftTiming = { electionTimeoutUs: { minUs: 150 * US_PER_MS, maxUs: 300 * US_PER_MS }, heartbeatUs: 50 * US_PER_MS };

interface ReplyTo {
  readonly client: string;
  readonly rid: string;
  readonly attempt: number;
}

/** Builds server `index` for the sync mode; called at start and after every restart (the log comes back from disk). */
export function createRaftServer(api: NodeApi, ctx: DesignContext<CasKnobs>, index: number): NodeHandlers {
  if (ctx.servers[index] !== api.id) throw new Error(`cas: server index ${index} is ${ctx.servers[index]}, not ${api.id}`);
  return new RaftCasServer(api, ctx.servers);
}

class RaftCasServer implements NodeHandlers {
  private readonly api: NodeApi;
  /** The Raft member and the answers it promised (forgotten on every role change: the client's retry finds the new leader). */
  private readonly service: RaftService<CasCommand, ReplyTo>;
  private readonly raft: RaftNode<CasCommand>;
  private state: RegisterState = INITIAL_REGISTER;

  constructor(api: NodeApi, members: readonly string[]) {
    this.api = api;
    this.service = new RaftService<CasCommand, ReplyTo>(api, {
      members,
      timing: CAS_RAFT_TIMING,
      apply: (index, entry, asLeader) => this.onApply(index, entry, asLeader),
    });
    this.raft = this.service.raft;
    this.service.start();
  }

  onMessage(from: string, msg: Message): void {
    if (this.raft.handle(from, msg)) return;
    if (isCasRequest(msg)) {
      this.onRequest(from, msg);
      return;
    }
    throw new Error(`cas ${this.api.id}: unexpected message ${msg.type} from ${from}`);
  }

  private onRequest(from: string, req: CasRequest): void {
    if (!this.raft.isLeader()) {
      this.redirect(from, req);
      return;
    }
    if (req.op === 'read') {
      this.raft.confirmLeadership((ok) => {
        if (ok) this.reply(from, req, { op: 'read', value: this.state.value, version: this.state.version });
        else this.redirect(from, req);
      });
      return;
    }
    const cmd: CasCommand = { client: from, rid: req.rid, from: req.from, value: req.value };
    if (!this.service.propose(cmd, { client: from, rid: req.rid, attempt: req.attempt })) this.redirect(from, req);
  }

  private onApply(index: number, entry: LogEntry<CasCommand>, asLeader: boolean): void {
    const cmd = entry.cmd;
    if (cmd === null) return;
    const applied = applyCas(this.state, cmd);
    this.state = applied.state;
    if (!asLeader) return;
    // Only the leader of the entry's own term reports it: a successor re-applying as leader an entry its
    // deposed predecessor may already have applied and reported would report the same write twice.
    if (applied.ok && !applied.duplicate && entry.term === this.raft.term) this.api.emit({ kind: 'granted', client: cmd.client, token: applied.state.version, index });
    const to = this.service.answerFor(index, entry);
    if (to !== undefined) this.api.send(to.client, { type: 'cas.reply', rid: to.rid, attempt: to.attempt, result: { op: 'cas', ok: applied.ok } } satisfies CasReply);
  }

  private reply(to: string, req: CasRequest, result: CasResult): void {
    this.api.send(to, { type: 'cas.reply', rid: req.rid, attempt: req.attempt, result } satisfies CasReply);
  }

  private redirect(to: string, req: CasRequest): void {
    this.api.send(to, { type: 'cas.redirect', rid: req.rid, attempt: req.attempt, leader: this.service.leaderHint() } satisfies CasRedirect);
  }
}
