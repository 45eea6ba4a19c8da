/**
 * One end of a client ↔ server connection, as TCP gives it to ZooKeeper: a
 * reliable, ordered byte stream, so a lost packet costs a retransmission
 * delay, never the connection. The simulated network may drop, duplicate
 * and reorder messages; this layer turns it back into a stream.
 *
 * Models (RFC 793 / 6298 and Linux defaults): every data message carries a
 * per-direction sequence number `seq` (1, 2, …) and a cumulative `ack` (every
 * message up to it arrived); the receiver hands messages over in `seq`
 * order, each once, buffering early ones and dropping repeats. An
 * acknowledgement rides on the next data message going back, or goes alone
 * (`zk.ack`, seq 0) after the delayed-ACK time (40 ms, Linux's minimum);
 * a repeat or an out-of-order message is acknowledged at once (a duplicate
 * ACK). The sender keeps what is not acknowledged and retransmits the
 * oldest when the retransmission timer runs out: RTO from the smoothed
 * round trip (SRTT + 4·RTTVAR; every acknowledgement of new data is a
 * sample, as with Linux's default TCP timestamps, which also resets the
 * backoff), at least 200 ms (Linux's TCP_RTO_MIN), 1 s before the first
 * sample, doubling on every timeout up to 120 s; an acknowledgement that
 * covers part of what was outstanding after a timeout retransmits the next
 * hole at once (NewReno's partial ACK). After 15 timeouts of the same
 * message (`tcp_retries2`, about 15 minutes) the connection is broken.
 * Each retransmission is counted in the metric `tcpRetransmits`.
 *
 * Not modelled: flow and congestion control (windows, slow start), fast
 * retransmit on three duplicate ACKs, SACK, the handshake as separate
 * packets (the first data message opens the connection), FIN/RST (the
 * protocol's own `zk.closed` stands for both), keep-alive probes.
 */
import type { Message, NodeApi, TimerId } from '../api/index.ts';
import { US_PER_MS, US_PER_S, type Micros } from '../api/index.ts';

/** The type of a pure acknowledgement (no data; `seq` 0). */
export const ACK_TYPE = 'zk.ack';

/** TCP's timing, Linux defaults. */
export const TCP_TIMING = {
  /** RTO before any round trip was measured (RFC 6298). */
  initialRtoUs: 1 * US_PER_S,
  /** TCP_RTO_MIN. */
  minRtoUs: 200 * US_PER_MS,
  /** TCP_RTO_MAX. */
  maxRtoUs: 120 * US_PER_S,
  /** How long an acknowledgement waits for data to ride on (TCP_DELACK_MIN). */
  delayedAckUs: 40 * US_PER_MS,
  /** Timeouts of one message before the connection is given up (net.ipv4.tcp_retries2). */
  maxRetransmits: 15,
} as const;

/** The fields the channel adds to every message of a connection. */
export type ChannelFields = {
  readonly conn: string;
  /** 1, 2, … per direction for data; 0 for a pure acknowledgement or an out-of-band message. */
  readonly seq: number;
  /** Every data message up to this `seq` arrived (0: none yet). */
  readonly ack: number;
};

/** What goes on a connection: a typed message body (the channel adds `conn`, `seq`, `ack`). */
export type Body = Message;

interface Outstanding {
  readonly seq: number;
  readonly body: Body;
  /** When it was last (re)transmitted (monotonic): the timestamp its acknowledgement echoes. */
  lastSentUs: Micros;
}

/** One end of a connection; see the module header. `In` is what the other end sends (data only). */
export class TcpChannel<In extends Message & ChannelFields> {
  private readonly api: NodeApi;
  private readonly peer: string;
  readonly conn: string;
  private readonly deliver: (msg: In) => void;
  private readonly broken: (reason: string) => void;
  private closed = false;

  // Sending.
  private nextSeq = 1;
  private readonly unacked: Outstanding[] = [];
  private rtoUs: Micros = TCP_TIMING.initialRtoUs;
  private srttUs: number | null = null;
  private rttvarUs = 0;
  private rtxTimer: TimerId | null = null;
  /** Consecutive timeouts of the oldest outstanding message. */
  private timeouts = 0;
  /** After a timeout: the highest seq outstanding then (NewReno's recovery point); 0 when not recovering. */
  private recoverSeq = 0;

  // Receiving.
  private rcvNext = 1;
  private readonly early = new Map<number, In>();
  private ackOwed = false;
  private ackTimer: TimerId | null = null;

  /**
   * @param peer    the node at the other end
   * @param conn    the connection's id (carried by every message)
   * @param deliver called once per data message from the peer, in `seq` order
   * @param broken  called once if the connection gives up retransmitting
   */
  constructor(api: NodeApi, peer: string, conn: string, deliver: (msg: In) => void, broken: (reason: string) => void) {
    this.api = api;
    this.peer = peer;
    this.conn = conn;
    this.deliver = deliver;
    this.broken = broken;
  }

  /** Whether the channel was closed (by `close()` or by giving up). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Messages sent but not yet acknowledged. */
  get outstanding(): number {
    return this.unacked.length;
  }

  /** The current retransmission timeout. */
  get currentRtoUs(): Micros {
    return this.rtoUs;
  }

  /** Sends `body` as the next data message: it arrives once, in order, unless the connection ends first. */
  send(body: Body): void {
    if (this.closed) return;
    const seq = this.nextSeq++;
    this.unacked.push({ seq, body, lastSentUs: this.api.monotonic() });
    this.transmit(seq, body);
    if (this.rtxTimer === null) this.armRtx();
  }

  /** Takes a message of this connection from the peer: its acknowledgement, then its data (if any). */
  receive(msg: In | (Body & ChannelFields)): void {
    if (this.closed) return;
    if (!Number.isInteger(msg.seq) || msg.seq < 0) throw new Error(`channel ${this.conn}: bad sequence number ${String(msg.seq)}`);
    this.onAck(msg.ack);
    if (this.closed || msg.seq === 0) return;
    const seq = msg.seq;
    if (seq < this.rcvNext || this.early.has(seq)) {
      this.sendAck(); // a repeat: our acknowledgement was lost or late; say again what we have
      return;
    }
    this.early.set(seq, msg as In);
    while (!this.closed && this.early.has(this.rcvNext)) {
      const m = this.early.get(this.rcvNext)!;
      this.early.delete(this.rcvNext);
      this.rcvNext++;
      this.ackOwed = true;
      this.deliver(m); // may send a reply, which carries the acknowledgement
    }
    if (this.closed) return;
    if (this.early.size > 0) this.sendAck(); // a hole: duplicate ACK at once
    else if (this.ackOwed && this.ackTimer === null) {
      this.ackTimer = this.api.setTimer(TCP_TIMING.delayedAckUs, () => {
        this.ackTimer = null;
        if (!this.closed && this.ackOwed) this.sendAck();
      }, 'delayed ack');
    }
  }

  /** Ends the connection here: nothing more is delivered, sent or retransmitted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.early.clear();
    this.unacked.length = 0;
    this.cancelTimers();
  }

  // ---- sending ----------------------------------------------------------------

  private transmit(seq: number, body: Body): void {
    this.ackOwed = false;
    if (this.ackTimer !== null) this.api.cancelTimer(this.ackTimer);
    this.ackTimer = null;
    const msg: Message = { ...body, conn: this.conn, seq, ack: this.rcvNext - 1 };
    this.api.send(this.peer, msg);
  }

  private sendAck(): void {
    this.transmit(0, { type: ACK_TYPE });
  }

  private onAck(ack: number): void {
    if (!Number.isInteger(ack) || ack < 0) throw new Error(`channel ${this.conn}: bad acknowledgement ${String(ack)}`);
    if (ack >= this.nextSeq) return; // acknowledges what we never sent (as TCP, ignore it)
    // The timestamp echoed is that of the latest transmission the acknowledgement covers.
    let echoedUs: Micros | null = null;
    while (this.unacked.length > 0 && this.unacked[0].seq <= ack) {
      const done = this.unacked.shift()!;
      echoedUs = echoedUs === null ? done.lastSentUs : Math.max(echoedUs, done.lastSentUs);
    }
    if (echoedUs === null) return;
    this.sampleRtt(this.api.monotonic() - echoedUs);
    this.timeouts = 0;
    if (this.rtxTimer !== null) this.api.cancelTimer(this.rtxTimer);
    this.rtxTimer = null;
    if (this.unacked.length === 0) {
      this.recoverSeq = 0;
      return;
    }
    if (this.recoverSeq !== 0 && ack < this.recoverSeq) {
      // A partial acknowledgement after a timeout: the next message was lost too; resend it now.
      this.retransmit(this.unacked[0]);
    } else {
      this.recoverSeq = 0;
    }
    this.armRtx();
  }

  /** RFC 6298 §2: SRTT, RTTVAR and RTO from a round-trip sample. */
  private sampleRtt(rttUs: Micros): void {
    if (this.srttUs === null) {
      this.srttUs = rttUs;
      this.rttvarUs = rttUs / 2;
    } else {
      this.rttvarUs = 0.75 * this.rttvarUs + 0.25 * Math.abs(this.srttUs - rttUs);
      this.srttUs = 0.875 * this.srttUs + 0.125 * rttUs;
    }
    this.rtoUs = clampRto(Math.round(this.srttUs + Math.max(1, 4 * this.rttvarUs)));
  }

  private armRtx(): void {
    this.rtxTimer = this.api.setTimer(this.rtoUs, () => {
      this.rtxTimer = null;
      if (this.closed || this.unacked.length === 0) return;
      this.timeouts++;
      if (this.timeouts > TCP_TIMING.maxRetransmits) {
        const reason = `no acknowledgement after ${TCP_TIMING.maxRetransmits} retransmissions`;
        this.close();
        this.broken(reason);
        return;
      }
      this.rtoUs = clampRto(this.rtoUs * 2);
      this.recoverSeq = this.unacked[this.unacked.length - 1].seq;
      this.retransmit(this.unacked[0]);
      this.armRtx();
    }, 'retransmit');
  }

  private retransmit(o: Outstanding): void {
    o.lastSentUs = this.api.monotonic();
    this.api.emit({ kind: 'metric', name: 'tcpRetransmits' });
    this.transmit(o.seq, o.body);
  }

  private cancelTimers(): void {
    if (this.rtxTimer !== null) this.api.cancelTimer(this.rtxTimer);
    this.rtxTimer = null;
    if (this.ackTimer !== null) this.api.cancelTimer(this.ackTimer);
    this.ackTimer = null;
    this.ackOwed = false;
  }
}

function clampRto(us: number): Micros {
  return Math.min(TCP_TIMING.maxRtoUs, Math.max(TCP_TIMING.minRtoUs, us));
}
