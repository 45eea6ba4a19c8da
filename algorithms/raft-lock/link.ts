/**
 * The client's connection to the Raft lock service: find the leader, send a
 * request, retry until one attempt is answered.
 *
 * Each attempt gets a fresh `rid` and remembers when it was sent, so a reply
 * tells the caller the send time of the attempt it answers (a keep-alive's
 * lease must be counted from there, never from a later retry). A redirect
 * with a leader hint is followed at once (unless it points back where we just
 * were); without one, or after `timeoutUs` of silence, the next server is
 * tried after a short backoff. Retrying is safe because the lock-level ids
 * (`session`, `req`) make every command idempotent. Not modelled: connection
 * state, TCP.
 */
import type { Message, NodeApi, TimerId } from '../../sim/api.ts';
import type { Micros } from '../../sim/time.ts';
import type { LockReplyResult, LockRequest, LockRequestBody } from './protocol.ts';

/** A request in progress; `cancel()` stops its retries and ignores any late reply. */
export interface Call {
  cancel(): void;
}

interface Attempt {
  readonly call: CallState;
  readonly sentAtUs: Micros;
  readonly to: string;
}

interface CallState extends Call {
  readonly body: LockRequestBody;
  readonly onReply: (result: LockReplyResult, sentAtUs: Micros) => void;
  done: boolean;
  timer: TimerId | null;
  rids: string[];
  lastRid: string;
}

export class ServiceLink {
  private readonly api: NodeApi;
  private readonly servers: readonly string[];
  private readonly timeoutUs: Micros;
  private readonly backoffUs: Micros;
  private target: string;
  private seq = 0;
  private readonly attempts = new Map<string, Attempt>();

  /**
   * @param timeoutUs how long to wait for an answer before trying the next server
   * @param backoffUs pause before retrying when no server knows a leader
   */
  constructor(api: NodeApi, servers: readonly string[], timeoutUs: Micros, backoffUs: Micros) {
    if (servers.length === 0) throw new Error('raft-lock client: no servers');
    this.api = api;
    this.servers = servers;
    this.timeoutUs = timeoutUs;
    this.backoffUs = backoffUs;
    this.target = api.rng.pick(servers);
  }

  /** Sends `body` to the leader, retrying until an attempt is answered; calls `onReply` once. */
  call(body: LockRequestBody, onReply: (result: LockReplyResult, sentAtUs: Micros) => void): Call {
    const state: CallState = {
      body,
      onReply,
      done: false,
      timer: null,
      rids: [],
      lastRid: '',
      cancel: () => this.finish(state),
    };
    this.attempt(state);
    return state;
  }

  /** Handles replies and redirects; returns false for other messages. */
  handle(from: string, msg: Message): boolean {
    if (msg.type !== 'lock.reply' && msg.type !== 'lock.redirect') return false;
    const attempt = this.attempts.get(msg.rid as string);
    if (attempt === undefined || attempt.call.done) return true; // late, duplicated or cancelled
    const call = attempt.call;
    if (msg.type === 'lock.reply') {
      this.target = from;
      this.finish(call);
      call.onReply(msg.result as LockReplyResult, attempt.sentAtUs);
      return true;
    }
    if (msg.rid !== call.lastRid) return true; // a redirect for an attempt we already moved past
    const hint = msg.leader as string | null;
    if (hint !== null && hint !== from && hint !== attempt.to && this.servers.includes(hint)) {
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
    const rid = `${this.api.id}.${++this.seq}`;
    call.rids.push(rid);
    call.lastRid = rid;
    const to = this.target;
    this.attempts.set(rid, { call, sentAtUs: this.api.monotonic(), to });
    this.api.send(to, { type: 'lock.request', rid, ...call.body } as LockRequest);
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
    for (const rid of call.rids) this.attempts.delete(rid);
  }

  private after(server: string): string {
    const i = this.servers.indexOf(server);
    return this.servers[(i + 1) % this.servers.length];
  }
}
