/**
 * The network between nodes: latency, loss, duplication, reordering and
 * link cuts.
 *
 * Every message draws its own latency (uniform in [min, max] µs), so two
 * messages on one link can arrive out of order, like datagrams or separate
 * connections; loss and duplication are per-message draws. Cuts are counted
 * per directed link, so overlapping partitions heal independently; a message
 * is dropped if its link is cut when it is sent or when it would arrive.
 * `network` fault windows add loss, duplication and delay on top. Every
 * drop is attributed to the fault that caused it, so reports can prove a
 * fault took effect. Not modelled: bandwidth, message size, TCP resets.
 */
import type { Rng } from './rng.ts';
import type { RangeUs } from '../../algorithms/api/index.ts';
import type { EffectLedger } from './effects.ts';

/** The network's steady conditions (a scenario's `network`). */
export interface NetworkOptions {
  /** Per-message latency, uniform in [min, max]. */
  readonly latencyUs: RangeUs;
  /** Probability a message is lost. */
  readonly loss: number;
  /** Probability a message is delivered twice. */
  readonly duplicate: number;
}

export interface NetworkWindow {
  readonly faultIndex: number;
  readonly loss: number;
  readonly duplicate: number;
  readonly delayUs: number;
}

const NO_FAULT = -1;

export class Network {
  private readonly n: number;
  private readonly cutCount: Int32Array;
  /** For each directed link, the index of the last fault that cut it (for attribution). */
  private readonly cutBy: Int32Array;
  private readonly rng: Rng;
  private readonly latency: RangeUs;
  private readonly baseLoss: number;
  private readonly baseDuplicate: number;
  private windows: NetworkWindow[] = [];
  private loss: number;
  private duplicate: number;
  private extraDelayUs = 0;
  /** Messages sent (attempted), and dropped by cause. */
  sent = 0;
  droppedByCut = 0;
  droppedByLoss = 0;
  duplicated = 0;
  private readonly effects: EffectLedger;

  constructor(nodeCount: number, rng: Rng, latency: RangeUs, loss: number, duplicate: number, effects: EffectLedger) {
    this.effects = effects;
    this.n = nodeCount;
    this.cutCount = new Int32Array(nodeCount * nodeCount);
    this.cutBy = new Int32Array(nodeCount * nodeCount).fill(NO_FAULT);
    this.rng = rng;
    this.latency = latency;
    this.baseLoss = loss;
    this.baseDuplicate = duplicate;
    this.loss = loss;
    this.duplicate = duplicate;
  }

  /** Whether the directed link from → to is cut now. */
  isCut(from: number, to: number): boolean {
    return this.cutCount[from * this.n + to] > 0;
  }

  /** Cuts the directed link from → to (counted; undo with `restore`). */
  cut(from: number, to: number, faultIndex: number): void {
    if (from === to) return;
    const link = from * this.n + to;
    this.cutCount[link]++;
    this.cutBy[link] = faultIndex;
  }

  restore(from: number, to: number): void {
    if (from === to) return;
    const link = from * this.n + to;
    if (this.cutCount[link] > 0) this.cutCount[link]--;
  }

  /** Heals every cut; returns how many directed links were cut. */
  healAll(): number {
    let healed = 0;
    for (let i = 0; i < this.cutCount.length; i++) {
      if (this.cutCount[i] > 0) healed++;
      this.cutCount[i] = 0;
    }
    return healed;
  }

  /** Number of directed links cut now. */
  cutLinks(): number {
    let cut = 0;
    for (let i = 0; i < this.cutCount.length; i++) if (this.cutCount[i] > 0) cut++;
    return cut;
  }

  openWindow(window: NetworkWindow): void {
    this.windows.push(window);
    this.recompute();
  }

  closeWindow(faultIndex: number): void {
    this.windows = this.windows.filter((w) => w.faultIndex !== faultIndex);
    this.recompute();
  }

  private recompute(): void {
    let keep = 1 - this.baseLoss;
    let single = 1 - this.baseDuplicate;
    let delayUs = 0;
    for (const w of this.windows) {
      keep *= 1 - w.loss;
      single *= 1 - w.duplicate;
      delayUs += w.delayUs;
    }
    this.loss = 1 - keep;
    this.duplicate = 1 - single;
    this.extraDelayUs = delayUs;
  }

  /** Delays (µs) of the copies decided by the last `plan` call. */
  firstDelayUs = 0;
  secondDelayUs = 0;

  /**
   * Decides the fate of one message: returns how many copies to deliver
   * (0 dropped by a cut or loss, 1, or 2 when duplicated), their delays in
   * `firstDelayUs` / `secondDelayUs`. Draws from the network's own stream
   * only, and allocates nothing.
   */
  plan(from: number, to: number): 0 | 1 | 2 {
    this.sent++;
    if (this.cutCount[from * this.n + to] > 0) {
      this.dropByCut(from, to);
      return 0;
    }
    const windowFault = this.windows.length > 0 ? this.windows[this.windows.length - 1].faultIndex : NO_FAULT;
    if (this.rng.chance(this.loss)) {
      this.droppedByLoss++;
      if (windowFault !== NO_FAULT) this.count(windowFault, 'messagesDropped');
      return 0;
    }
    this.firstDelayUs = this.drawLatency();
    if (windowFault !== NO_FAULT && this.extraDelayUs > 0) this.count(windowFault, 'messagesDelayed');
    if (!this.rng.chance(this.duplicate)) return 1;
    this.duplicated++;
    if (windowFault !== NO_FAULT) this.count(windowFault, 'messagesDuplicated');
    this.secondDelayUs = this.drawLatency();
    return 2;
  }

  /** Records a drop at delivery time (the link was cut while the message was in flight). */
  dropByCut(from: number, to: number): void {
    this.droppedByCut++;
    const fault = this.cutBy[from * this.n + to];
    if (fault !== NO_FAULT) this.count(fault, 'messagesDropped');
  }

  private drawLatency(): number {
    const { minUs, maxUs } = this.latency;
    const base = minUs === maxUs ? minUs : this.rng.int(minUs, maxUs);
    return base + this.extraDelayUs;
  }

  private count(faultIndex: number, counter: string): void {
    this.effects.count(faultIndex, counter);
  }
}
