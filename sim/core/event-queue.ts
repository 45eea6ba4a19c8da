/**
 * The event queue: a binary min-heap keyed by (time, seq).
 *
 * Ties at the same true time break by insertion sequence, so the order of
 * events never depends on anything but the order they were scheduled in.
 * Keys live in parallel typed arrays and items in a plain array, so a
 * push/pop allocates nothing in steady state. Does not support removal:
 * cancelled events are skipped by their owner when popped.
 */

export class EventQueue<T> {
  private times: Float64Array;
  private seqs: Float64Array;
  private items: (T | undefined)[];
  private count = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.items = new Array<T | undefined>(initialCapacity);
  }

  /** Number of queued items. */
  get size(): number {
    return this.count;
  }

  /** Queues `item` at `timeUs`; among equal times, earlier pushes pop first. */
  push(timeUs: number, item: T): void {
    if (this.count === this.times.length) this.grow();
    const seq = this.nextSeq++;
    // Sift up: move parents down until the slot for the new key is found.
    let i = this.count++;
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < timeUs || (pt === timeUs && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      items[i] = items[parent];
      i = parent;
    }
    times[i] = timeUs;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Time of the earliest item, or Infinity when empty. */
  peekTime(): number {
    return this.count === 0 ? Infinity : this.times[0];
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const top = items[0];
    const last = --this.count;
    const t = times[last];
    const s = seqs[last];
    const item = items[last];
    items[last] = undefined;
    if (last > 0) {
      // Sift down the former last element from the root.
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        const right = child + 1;
        if (right < last && (times[right] < times[child] || (times[right] === times[child] && seqs[right] < seqs[child]))) {
          child = right;
        }
        const ct = times[child];
        if (t < ct || (t === ct && s < seqs[child])) break;
        times[i] = ct;
        seqs[i] = seqs[child];
        items[i] = items[child];
        i = child;
      }
      times[i] = t;
      seqs[i] = s;
      items[i] = item;
    }
    return top;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    const seqs = new Float64Array(capacity);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
    this.items.length = capacity;
  }
}
