/**
 * Request/reply over the lossy network for the Redis clients: each request
 * gets a random id, a timeout and exactly one outcome (its first reply, or
 * the timeout). A reply that comes after its timeout goes to the request's
 * `late` handler, so a client can undo a lock it no longer wants; duplicate
 * replies are ignored.
 *
 * Models: a client library's per-command timeout. Does not model: connection
 * pools, reconnect backoff, pipelining.
 */
import type { Message, NodeApi, TimerId } from '../../api/index.ts';
import type { Micros } from '../../api/index.ts';
import { asReply, type Reply } from './protocol.ts';

/** The outcome handlers of one request. */
export interface CallHandlers {
  reply(reply: Reply): void;
  timeout(): void;
  /** A reply that arrived after the timeout (optional). */
  late?(reply: Reply): void;
}

interface Pending {
  readonly handlers: CallHandlers;
  timer: TimerId | null;
}

/** Requests whose late replies are still wanted; older ones are forgotten. */
const LATE_LIMIT = 256;

export class Rpc {
  private readonly api: NodeApi;
  /** Random per client process, so request ids never repeat across restarts. */
  private readonly prefix: string;
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly timedOut = new Map<string, CallHandlers>();

  constructor(api: NodeApi) {
    this.api = api;
    this.prefix = api.rng.id(`${api.id}-`);
  }

  /** Sends `build(reqId)` to `to`; exactly one of `reply` / `timeout` follows. Returns the request id. */
  call(to: string, build: (reqId: string) => Message, timeoutUs: Micros, handlers: CallHandlers): string {
    const reqId = `${this.prefix}.${++this.seq}`;
    const entry: Pending = { handlers, timer: null };
    this.pending.set(reqId, entry);
    entry.timer = this.api.setTimer(timeoutUs, () => {
      if (this.pending.get(reqId) !== entry) return;
      this.pending.delete(reqId);
      if (handlers.late !== undefined) {
        this.timedOut.set(reqId, handlers);
        if (this.timedOut.size > LATE_LIMIT) this.timedOut.delete(this.timedOut.keys().next().value!);
      }
      handlers.timeout();
    }, 'request timeout');
    this.api.send(to, build(reqId));
    return reqId;
  }

  /** Routes a reply; false if `msg` is not a reply at all. */
  onMessage(msg: Message): boolean {
    const reply = asReply(msg);
    if (reply === undefined) return false;
    const entry = this.pending.get(reply.reqId);
    if (entry !== undefined) {
      this.pending.delete(reply.reqId);
      if (entry.timer !== null) this.api.cancelTimer(entry.timer);
      entry.handlers.reply(reply);
      return true;
    }
    const late = this.timedOut.get(reply.reqId);
    if (late !== undefined) {
      this.timedOut.delete(reply.reqId);
      late.late!(reply);
    }
    return true;
  }
}
