/**
 * The cas client's connection to its servers: send an operation to the
 * server believed to lead (primary or Raft leader), follow redirects, and
 * retry until one attempt is answered.
 *
 * An operation keeps its `rid` across attempts (servers deduplicate a
 * conditional write by it) and numbers its attempts. A redirect naming
 * another server is followed at once; one naming no leader, or pointing back
 * at the server that sent it, moves to the next server after `backoffUs`;
 * `timeoutUs` of silence moves to the next server too. A reply to any
 * attempt of the current operation ends it. Not modelled: connections, TCP.
 */
import type { Message, NodeApi, TimerId } from '../../sim/api.ts';
import type { Micros } from '../../sim/time.ts';
import type { CasRequest, CasRequestBody, CasResult } from './protocol.ts';

/** An operation in progress; `cancel()` stops its retries and ignores any late answer. */
export interface Call {
  cancel(): void;
}

interface CallState extends Call {
  readonly rid: string;
  readonly body: CasRequestBody;
  readonly onReply: (result: CasResult) => void;
  done: boolean;
  attempt: number;
  timer: TimerId | null;
}

/** One client's link to the servers; one operation at a time. */
export class ServerLink {
  private readonly api: NodeApi;
  private readonly servers: readonly string[];
  private readonly timeoutUs: Micros;
  private readonly backoffUs: Micros;
  private target: string;
  private current: CallState | null = null;

  /**
   * @param timeoutUs how long to wait for an answer before trying the next server
   * @param backoffUs pause before retrying when no server names a leader
   */
  constructor(api: NodeApi, servers: readonly string[], timeoutUs: Micros, backoffUs: Micros) {
    if (servers.length === 0) throw new Error('cas client: no servers');
    this.api = api;
    this.servers = servers;
    this.timeoutUs = timeoutUs;
    this.backoffUs = backoffUs;
    this.target = servers[0];
  }

  /** Sends `body` to the leader, retrying until an attempt is answered; calls `onReply` once. One call at a time. */
  call(body: CasRequestBody, onReply: (result: CasResult) => void): Call {
    if (this.current !== null && !this.current.done) throw new Error(`${this.api.id}: a second cas call while one is in flight`);
    const state: CallState = {
      rid: this.api.rng.id(`${this.api.id}-`),
      body,
      onReply,
      done: false,
      attempt: 0,
      timer: null,
      cancel: () => this.finish(state),
    };
    this.current = state;
    this.attempt(state);
    return state;
  }

  /** Handles replies and redirects; returns false for other messages. */
  handle(from: string, msg: Message): boolean {
    if (msg.type !== 'cas.reply' && msg.type !== 'cas.redirect') return false;
    const call = this.current;
    if (call === null || call.done || msg.rid !== call.rid) return true; // late, duplicated or cancelled
    if (msg.type === 'cas.reply') {
      this.target = from;
      this.finish(call);
      call.onReply(msg.result as CasResult);
      return true;
    }
    if (msg.attempt !== call.attempt) return true; // a redirect for an attempt we already moved past
    const hint = msg.leader as string | null;
    if (hint !== null && hint !== from && this.servers.includes(hint)) {
      this.target = hint;
      this.attempt(call);
    } else {
      this.target = this.after(from);
      this.retryLater(call, this.backoffUs);
    }
    return true;
  }

  private attempt(call: CallState): void {
    if (call.done) return;
    call.attempt++;
    const to = this.target;
    this.api.send(to, { type: 'cas.req', rid: call.rid, attempt: call.attempt, ...call.body } as CasRequest);
    this.retryLater(call, this.timeoutUs, () => {
      if (this.target === to) this.target = this.after(to);
    });
  }

  private retryLater(call: CallState, delayUs: Micros, before?: () => void): void {
    if (call.timer !== null) this.api.cancelTimer(call.timer);
    call.timer = this.api.setTimer(delayUs, () => {
      call.timer = null;
      if (call.done) return;
      before?.();
      this.attempt(call);
    });
  }

  private finish(call: CallState): void {
    if (call.done) return;
    call.done = true;
    if (call.timer !== null) this.api.cancelTimer(call.timer);
    call.timer = null;
  }

  private after(server: string): string {
    const i = this.servers.indexOf(server);
    return this.servers[(i + 1) % this.servers.length];
  }
}
