/**
 * The messages of the ZooKeeper-style ensemble.
 *
 * Client ↔ server messages belong to one connection (`conn`, chosen by the
 * client) and carry a per-direction sequence number `seq` starting at 1 and
 * a cumulative `ack`, so each side can retransmit what was lost, restore
 * the order and drop duplicates the way TCP does (channel.ts); `zk.ack` is
 * a bare acknowledgement. A connection begins with `zk.connect`; requests
 * carry a client-chosen `xid` their reply names. Server ↔ server (TCP in
 * ZooKeeper too, so made reliable here by retransmission until
 * acknowledged): `zk.forward` (a follower hands a write to the leader; the
 * leader's commit acknowledges it) and `zk.touch` (a follower reports which
 * sessions it heard from; `zk.touch-ack`). Raft's own messages are the core's.
 */
import type { Message } from '../api/index.ts';
import { ACK_TYPE, type ChannelFields } from './channel.ts';
import type { DeleteTag, ZkResult, ZkTxn } from './tree.ts';
import type { WatchSet } from './watches.ts';

/** An operation a client asks for. Reads are answered by the server it is connected to. */
export type ZkOp =
  | { readonly op: 'create'; readonly path: string; readonly ephemeral: boolean; readonly sequential: boolean }
  | { readonly op: 'delete'; readonly path: string; readonly tag: DeleteTag | null }
  | { readonly op: 'getChildren'; readonly path: string; readonly watch: boolean }
  | { readonly op: 'exists'; readonly path: string; readonly watch: boolean }
  /** Nodes hold no data here: answers whether the node exists (NoNode if not) and sets a data watch only if it does. */
  | { readonly op: 'getData'; readonly path: string; readonly watch: boolean };

/** Fields every connection message carries (added by the sending side's channel). */
export type OnConn = ChannelFields;

/** A bare acknowledgement on a connection, either way (channel.ts). */
export type ChannelAck = { readonly type: typeof ACK_TYPE } & OnConn;

// ---- client → server ------------------------------------------------------

/** What a client sends on a connection, before the channel adds `conn` and `seq`. */
export type ClientBody =
  | {
      readonly type: 'zk.connect';
      /** null: open a new session. */
      readonly session: string | null;
      readonly timeoutUs: number;
      /** The highest zxid the client has seen; a server that has not seen it refuses. */
      readonly lastZxid: number;
      /** Watches to re-register (SetWatches), for a reconnect. */
      readonly watches: WatchSet;
    }
  /** Answered by the server the client is connected to, after the connection's earlier requests (ZooKeeper's CommitProcessor keeps a session's order). */
  | { readonly type: 'zk.ping' }
  | { readonly type: 'zk.request'; readonly xid: number; readonly req: ZkOp };

/** A client → server message as sent. */
export type ClientMessage = ClientBody & OnConn;
/** The message that opens a connection (and a session, or resumes one). */
export type ZkConnect = Extract<ClientBody, { type: 'zk.connect' }> & OnConn;

// ---- server → client ------------------------------------------------------

/** What a server sends on a connection, before the channel adds `conn` and `seq`. */
export type ServerBody =
  /** The session is open (new or resumed); `timeoutUs` is the negotiated timeout. */
  | { readonly type: 'zk.connected'; readonly session: string; readonly timeoutUs: number; readonly zxid: number }
  /** The session expired: the client learns it only here, on (re)connecting. */
  | { readonly type: 'zk.expired' }
  /** The server will not (or no longer) serve this connection: try another server within the session. Sent with seq 0, out of band. */
  | { readonly type: 'zk.closed'; readonly reason: string }
  | { readonly type: 'zk.pong'; readonly zxid: number }
  | { readonly type: 'zk.reply'; readonly xid: number; readonly zxid: number; readonly result: ZkResult }
  | { readonly type: 'zk.watch'; readonly zxid: number; readonly path: string; readonly event: 'created' | 'deleted' | 'children' };

/** A server → client message as sent. */
export type ServerMessage = ServerBody & OnConn;

// ---- server ↔ server --------------------------------------------------------

/** A follower hands a client's write (or a session creation) to the leader. */
export interface ZkForward extends Message {
  readonly type: 'zk.forward';
  /** Unique per request, so a duplicated forward is proposed once. */
  readonly id: string;
  /** The epoch (term) it was sent in: a leader of another term ignores it. */
  readonly term: number;
  readonly txn: ZkTxn;
}

/** A follower reports the sessions it heard from since its last acknowledged report. */
export interface ZkTouch extends Message {
  readonly type: 'zk.touch';
  /** Numbers the follower's reports, for the acknowledgement. */
  readonly id: number;
  readonly sessions: readonly string[];
}

/** The leader took touch report `id`. */
export interface ZkTouchAck extends Message {
  readonly type: 'zk.touch-ack';
  readonly id: number;
}

const CLIENT_TYPES = new Set(['zk.connect', 'zk.ping', 'zk.request', ACK_TYPE]);
const SERVER_TYPES = new Set(['zk.connected', 'zk.expired', 'zk.closed', 'zk.pong', 'zk.reply', 'zk.watch', ACK_TYPE]);

function onConnection(msg: Message): boolean {
  return typeof msg.conn === 'string' && typeof msg.seq === 'number' && typeof msg.ack === 'number';
}

/** Whether a message is a client → server connection message (or a bare acknowledgement, as a server receives it). */
export function isClientMessage(msg: Message): msg is Message & (ClientMessage | ChannelAck) {
  return CLIENT_TYPES.has(msg.type) && onConnection(msg);
}

/** Whether a message is a server → client connection message (or a bare acknowledgement, as a client receives it). */
export function isServerMessage(msg: Message): msg is Message & (ServerMessage | ChannelAck) {
  return SERVER_TYPES.has(msg.type) && onConnection(msg);
}
