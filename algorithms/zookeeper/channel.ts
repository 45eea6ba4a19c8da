/**
 * The receiving end of one client ↔ server connection, as TCP gives it to
 * ZooKeeper: messages are handed over in send order, each once. The network
 * may reorder and duplicate; messages carry `seq` 1, 2, …, so this buffers
 * early ones and drops repeats. A message lost for good leaves a gap: if
 * the gap is not filled within `gapTimeoutUs` the connection is declared
 * broken (TCP would retransmit and, failing that, reset — here the
 * connection just resets, and ZooKeeper's client reconnects).
 * Not modelled: flow control, retransmission.
 */
import type { NodeApi, TimerId } from '../api/index.ts';
import { US_PER_S, type Micros } from '../api/index.ts';

/** How long a hole in a connection's message sequence may stay open before the connection is dropped. */
export const GAP_TIMEOUT_US = 1 * US_PER_S;

/** Restores send order on one connection; see the module header. */
export class InOrderInbox<M> {
  private readonly api: NodeApi;
  private readonly gapTimeoutUs: Micros;
  private readonly deliver: (msg: M) => void;
  private readonly broken: () => void;
  private next = 1;
  private readonly early = new Map<number, M>();
  private gapTimer: TimerId | null = null;
  private closed = false;

  /**
   * @param deliver called once per message, in `seq` order
   * @param broken  called once if a gap stays open for `gapTimeoutUs`
   */
  constructor(api: NodeApi, gapTimeoutUs: Micros, deliver: (msg: M) => void, broken: () => void) {
    if (!(gapTimeoutUs > 0)) throw new Error(`inbox: gap timeout must be positive, got ${gapTimeoutUs}`);
    this.api = api;
    this.gapTimeoutUs = gapTimeoutUs;
    this.deliver = deliver;
    this.broken = broken;
  }

  /** Accepts message number `seq` (from 1). */
  receive(seq: number, msg: M): void {
    if (this.closed) return;
    if (!Number.isInteger(seq) || seq < 1) throw new Error(`inbox: bad sequence number ${seq}`);
    if (seq < this.next || this.early.has(seq)) return; // a duplicate
    this.early.set(seq, msg);
    let progressed = false;
    while (!this.closed && this.early.has(this.next)) {
      const m = this.early.get(this.next)!;
      this.early.delete(this.next);
      this.next++;
      progressed = true;
      this.deliver(m);
    }
    if (this.closed) return;
    // The timer measures how long the current gap (at `next`) has been open.
    if (progressed || this.early.size === 0) this.cancelGapTimer();
    if (this.early.size > 0 && this.gapTimer === null) {
      this.gapTimer = this.api.setTimer(this.gapTimeoutUs, () => {
        this.gapTimer = null;
        if (this.closed || this.early.size === 0) return;
        this.close();
        this.broken();
      }, 'gap timeout');
    }
  }

  /** Stops delivering anything (the connection is over). */
  close(): void {
    this.closed = true;
    this.early.clear();
    this.cancelGapTimer();
  }

  private cancelGapTimer(): void {
    if (this.gapTimer !== null) this.api.cancelTimer(this.gapTimer);
    this.gapTimer = null;
  }
}
