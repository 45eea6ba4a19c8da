/**
 * A client's link to a replicated service that only its leader serves (the
 * cas primary or Raft leader, the Raft lock service): send a request to the
 * server believed to lead, follow redirects, and retry until one attempt is
 * answered.
 *
 * Models: a redirect naming another server is followed at once; one naming
 * no leader, or pointing back at the server just tried, moves to the next
 * server after `backoffUs`; `timeoutUs` of silence moves to the next server
 * too. A reply to any attempt of a call ends it (and makes its sender the
 * server tried first next time); a redirect for an attempt the call already
 * moved past is ignored. Attempts are named per the design's protocol (see
 * `LeaderLinkOptions.ids`), and each remembers when it was sent, so a reply
 * tells the caller the send time of the attempt it answers.
 *
 * Does not model: connections, TCP, back-off growth, or deduplication on the
 * server side (that is the design's business: request ids that stay the same
 * across retries, or idempotent commands).
 */
import type { Message, NodeApi, TimerId } from '../api/index.ts';
import type { Micros } from '../api/index.ts';

/** A call in progress; `cancel()` stops its retries and ignores any late answer. */
export interface Call {
  cancel(): void;
}

/** How a design's protocol talks to its leader. */
export interface LeaderLinkOptions {
  /** The design's name, for error messages. */
  readonly design: string;
  /** The servers, in the order they are tried. */
  readonly servers: readonly string[];
  /** How long to wait for an answer before trying the next server. */
  readonly timeoutUs: Micros;
  /** Pause before retrying when no server names a leader. */
  readonly backoffUs: Micros;
  /** Message types: what is sent, and the two answers a server may give (both carry `rid`; a redirect carries `leader: string | null`, a reply `result`). */
  readonly types: { readonly request: string; readonly reply: string; readonly redirect: string };
  /**
   * How attempts are named. `per-call`: one random `rid` per call (drawn from
   * the node's rng when the call starts) kept across its retries, plus an
   * `attempt` number that answers echo (servers deduplicate by `rid`).
   * `per-attempt`: a fresh `rid` per attempt, `<node>.<n>`, and no number.
   */
  readonly ids: 'per-call' | 'per-attempt';
  /** The server tried first: the first listed, or one drawn from the node's rng when the link is built. */
  readonly firstTarget: 'first' | 'random';
  /** Whether a second call while one is in flight is a bug (throws) rather than allowed. */
  readonly oneCallAtATime: boolean;
}

interface Attempt<Body, Result> {
  readonly call: CallState<Body, Result>;
  readonly key: string;
  readonly to: string;
  readonly sentAtUs: Micros;
}

interface CallState<Body, Result> extends Call {
  readonly body: Body;
  readonly onReply: (result: Result, sentAtUs: Micros) => void;
  /** `per-call` ids: the call's `rid`. */
  readonly rid: string | null;
  done: boolean;
  timer: TimerId | null;
  /** Attempts sent so far; the last is the one a redirect must answer. */
  readonly attempts: Array<Attempt<Body, Result>>;
}

/** One client's link to the servers of one service; `Body` is what a request asks, `Result` what a reply answers. */
export class LeaderLink<Body extends object, Result> {
  private readonly api: NodeApi;
  private readonly options: LeaderLinkOptions;
  private readonly servers: readonly string[];
  private target: string;
  private seq = 0;
  private inFlight = 0;
  /** The unanswered attempts of unfinished calls, by `attemptKey`. */
  private readonly open = new Map<string, Attempt<Body, Result>>();

  constructor(api: NodeApi, options: LeaderLinkOptions) {
    if (options.servers.length === 0) throw new Error(`${options.design} client: no servers`);
    this.api = api;
    this.options = options;
    this.servers = options.servers;
    this.target = options.firstTarget === 'first' ? options.servers[0] : api.rng.pick(options.servers);
  }

  /** Sends `body` to the leader, retrying until an attempt is answered; calls `onReply` once, with the answered attempt's send time (monotonic). */
  call(body: Body, onReply: (result: Result, sentAtUs: Micros) => void): Call {
    if (this.options.oneCallAtATime && this.inFlight > 0) throw new Error(`${this.api.id}: a second ${this.options.design} call while one is in flight`);
    const state: CallState<Body, Result> = {
      body,
      onReply,
      rid: this.options.ids === 'per-call' ? this.api.rng.id(`${this.api.id}-`) : null,
      done: false,
      timer: null,
      attempts: [],
      cancel: () => this.finish(state),
    };
    this.inFlight++;
    this.attempt(state);
    return state;
  }

  /** Handles replies and redirects; returns false for other messages. */
  handle(from: string, msg: Message): boolean {
    const types = this.options.types;
    if (msg.type !== types.reply && msg.type !== types.redirect) return false;
    const attempt = this.open.get(this.attemptKey(msg.rid as string, msg.attempt as number));
    if (attempt === undefined || attempt.call.done) return true; // late, duplicated or cancelled
    const call = attempt.call;
    if (msg.type === types.reply) {
      this.target = from;
      this.finish(call);
      call.onReply(msg.result as Result, attempt.sentAtUs);
      return true;
    }
    if (attempt !== call.attempts[call.attempts.length - 1]) return true; // a redirect for an attempt we already moved past
    const hint = msg.leader as string | null;
    if (hint !== null && hint !== from && hint !== attempt.to && this.servers.includes(hint)) {
      this.target = hint;
      this.attempt(call);
    } else {
      this.target = this.after(from);
      this.retryLater(call, this.options.backoffUs);
    }
    return true;
  }

  /** The key an attempt is found by: its `rid`, with its number for `per-call` ids. */
  private attemptKey(rid: string, attempt: number): string {
    return this.options.ids === 'per-call' ? `${rid}#${attempt}` : rid;
  }

  private attempt(call: CallState<Body, Result>): void {
    if (call.done) return;
    const to = this.target;
    let key: string;
    let request: Message;
    if (call.rid !== null) {
      const attempt = call.attempts.length + 1;
      key = this.attemptKey(call.rid, attempt);
      request = { type: this.options.types.request, rid: call.rid, attempt, ...call.body };
    } else {
      const rid = `${this.api.id}.${++this.seq}`;
      key = rid;
      request = { type: this.options.types.request, rid, ...call.body };
    }
    const sent: Attempt<Body, Result> = { call, key, to, sentAtUs: this.api.monotonic() };
    call.attempts.push(sent);
    this.open.set(key, sent);
    this.api.send(to, request);
    this.retryLater(call, this.options.timeoutUs, () => {
      if (this.target === to) this.target = this.after(to);
    });
  }

  private retryLater(call: CallState<Body, Result>, delayUs: Micros, before?: () => void): void {
    if (call.timer !== null) this.api.cancelTimer(call.timer);
    call.timer = this.api.setTimer(delayUs, () => {
      call.timer = null;
      if (call.done) return;
      before?.();
      this.attempt(call);
    }, 'call timeout');
  }

  private finish(call: CallState<Body, Result>): void {
    if (call.done) return;
    call.done = true;
    this.inFlight--;
    if (call.timer !== null) this.api.cancelTimer(call.timer);
    call.timer = null;
    for (const attempt of call.attempts) this.open.delete(attempt.key);
  }

  private after(server: string): string {
    const i = this.servers.indexOf(server);
    return this.servers[(i + 1) % this.servers.length];
  }
}
