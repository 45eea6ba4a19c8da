/**
 * Messages of the cas design: client ↔ server requests, and the primary →
 * replica stream of the async mode (the Raft mode uses ../raft/'s own).
 *
 * A request's `rid` names the operation and stays the same across its
 * retries (the server deduplicates conditional writes by it); `attempt`
 * numbers the retries so a reply or redirect names the attempt it answers.
 */
import type { Message } from '../api/index.ts';
import type { RegisterState } from './register.ts';

/** What a client asks: the register, or a write of `value` if the version is still `from`. */
export type CasRequestBody = { readonly op: 'read' } | { readonly op: 'cas'; readonly from: number; readonly value: number };

/** One attempt of a client operation. */
export type CasRequest = Message & { readonly type: 'cas.req'; readonly rid: string; readonly attempt: number } & CasRequestBody;

/** The answer: the register's value and version, or whether the write swapped. */
export type CasResult = { readonly op: 'read'; readonly value: number; readonly version: number } | { readonly op: 'cas'; readonly ok: boolean };

/** A server's answer to one attempt. */
export interface CasReply extends Message {
  readonly type: 'cas.reply';
  readonly rid: string;
  readonly attempt: number;
  readonly result: CasResult;
}

/** "I do not serve writes; try `leader` (null: I know of none)." */
export interface CasRedirect extends Message {
  readonly type: 'cas.redirect';
  readonly rid: string;
  readonly attempt: number;
  readonly leader: string | null;
}

/** async: the primary's whole register (one record, so the stream is its latest state), sent after writes and as a heartbeat. */
export interface CasSync extends Message {
  readonly type: 'cas.sync';
  readonly epoch: number;
  readonly state: RegisterState;
}

/** async: "a primary of a newer epoch exists" — tells a stale primary to step down. */
export interface CasNewer extends Message {
  readonly type: 'cas.newer';
  readonly epoch: number;
  readonly primary: string;
}

/** Whether a message is a client request of this protocol. */
export function isCasRequest(msg: Message): msg is CasRequest {
  return msg.type === 'cas.req' && typeof msg.rid === 'string' && typeof msg.attempt === 'number' && (msg.op === 'read' || (msg.op === 'cas' && typeof msg.from === 'number' && typeof msg.value === 'number'));
}
