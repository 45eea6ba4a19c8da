/**
 * The search's configuration set: the current set of linearized operations
 * (a compact bitset with an incremental Zobrist hash) and Lowe's memo of
 * (linearized set, model state) configurations already explored.
 *
 * Models: operation ids 0..R-1 are operations that returned, numbered in call
 * order; ids R..n-1 are operations that never returned. Every id below the
 * first unlinearized returned id is linearized and none above the last
 * linearized one is, so a configuration is stored as just the window of words
 * between them plus the (few) words of never-returned ids: memory per entry
 * stays small even for 100,000-operation histories. Does not model: eviction
 * (the memo only grows, up to the caps; past them the caller answers unknown).
 */

/** 32-bit finaliser (from MurmurHash3 / splitmix), used for Zobrist keys. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) | 0;
}

/** `ConfigCache.insert` result: an equal configuration was already memoised. */
export const PRESENT = 0;
/** `ConfigCache.insert` result: the configuration was memoised now. */
export const INSERTED = 1;
/** `ConfigCache.insert` result: a memory cap was reached; nothing stored. */
export const OVERFLOW = -1;

/** Memo capacity left; shared by the caches of one check and decremented in place. */
export interface MemoryBudget {
  entriesLeft: number;
  wordsLeft: number;
}

/** The current linearized set plus the memo of explored configurations. */
export class ConfigCache {
  /** Current linearized set: main words [0, mainWords), then pending words. */
  readonly bits: Uint32Array;
  /** Zobrist hash of the current set. */
  setHash = 0;
  private readonly returned: number;
  private readonly mainWords: number;
  private readonly pendingWords: number;
  private readonly zobrist: Int32Array;
  /** First returned id not linearized (R when all are). */
  private lo = 0;
  /** One past the last linearized returned id (0 when none). */
  private hi = 0;

  private heads: Int32Array;
  private mask: number;
  private entryNext: Int32Array;
  private entryKey: Int32Array;
  private entryLo: Int32Array;
  private entryHi: Int32Array;
  private entryOff: Int32Array;
  private entryState: unknown[] = [];
  private count = 0;
  private arena: Uint32Array;
  private arenaUsed = 0;
  private readonly memory: MemoryBudget;

  /**
   * @param returned   number of operations that returned (ids 0..returned-1)
   * @param pending    number of operations that never returned
   * @param memory     entries and words left, shared with other partitions' caches
   */
  constructor(returned: number, pending: number, memory: MemoryBudget) {
    this.returned = returned;
    this.mainWords = (returned + 31) >>> 5;
    this.pendingWords = (pending + 31) >>> 5;
    this.bits = new Uint32Array(this.mainWords + this.pendingWords);
    const n = returned + pending;
    this.zobrist = new Int32Array(n);
    for (let i = 0; i < n; i++) this.zobrist[i] = mix32(Math.imul(i + 1, 0x9e3779b9) ^ 0x5f356495);
    this.memory = memory;
    const cap = 1024;
    this.heads = new Int32Array(cap * 2).fill(-1);
    this.mask = cap * 2 - 1;
    this.entryNext = new Int32Array(cap);
    this.entryKey = new Int32Array(cap);
    this.entryLo = new Int32Array(cap);
    this.entryHi = new Int32Array(cap);
    this.entryOff = new Int32Array(cap);
    this.arena = new Uint32Array(4096);
  }

  /** Number of memoised configurations. */
  get size(): number {
    return this.count;
  }

  /** Whether id is in the current set. */
  has(id: number): boolean {
    if (id < this.returned) return (this.bits[id >>> 5] & (1 << (id & 31))) !== 0;
    const j = id - this.returned;
    return (this.bits[this.mainWords + (j >>> 5)] & (1 << (j & 31))) !== 0;
  }

  /** Adds id to the current set. */
  set(id: number): void {
    this.setHash ^= this.zobrist[id];
    const bits = this.bits;
    if (id >= this.returned) {
      const j = id - this.returned;
      bits[this.mainWords + (j >>> 5)] |= 1 << (j & 31);
      return;
    }
    bits[id >>> 5] |= 1 << (id & 31);
    if (id + 1 > this.hi) this.hi = id + 1;
    if (id === this.lo) {
      let lo = id + 1;
      const r = this.returned;
      while (lo < r) {
        const w = bits[lo >>> 5];
        if (w === 0xffffffff && (lo & 31) === 0) {
          lo += 32;
          continue;
        }
        if ((w & (1 << (lo & 31))) === 0) break;
        lo++;
      }
      this.lo = lo > r ? r : lo;
    }
  }

  /** Removes id from the current set. */
  clear(id: number): void {
    this.setHash ^= this.zobrist[id];
    const bits = this.bits;
    if (id >= this.returned) {
      const j = id - this.returned;
      bits[this.mainWords + (j >>> 5)] &= ~(1 << (j & 31));
      return;
    }
    bits[id >>> 5] &= ~(1 << (id & 31));
    if (id < this.lo) this.lo = id;
    if (id === this.hi - 1) {
      let j = id - 1;
      while (j >= this.lo && (bits[j >>> 5] & (1 << (j & 31))) === 0) j--;
      this.hi = j + 1;
    }
  }

  /**
   * Memoises (current set, state). Returns Present when an equal
   * configuration was already stored, Inserted when it was added, Overflow
   * when a cap would be exceeded (nothing stored).
   */
  insert(stateHash: number, state: unknown, equal: (a: unknown, b: unknown) => boolean): number {
    const key = (this.setHash ^ Math.imul(stateHash, 0x9e3779b1) ^ (stateHash >>> 15)) | 0;
    const wLo = this.lo >>> 5;
    const hiW = (this.hi + 31) >>> 5;
    const wHi = hiW > wLo ? hiW : wLo;
    const span = wHi - wLo;
    const pw = this.pendingWords;
    const bits = this.bits;
    const arena = this.arena;
    const mainWords = this.mainWords;
    for (let e = this.heads[key & this.mask]; e !== -1; e = this.entryNext[e]) {
      if (this.entryKey[e] !== key || this.entryLo[e] !== wLo || this.entryHi[e] !== wHi) continue;
      const off = this.entryOff[e];
      let same = true;
      for (let k = 0; k < span; k++) {
        if (arena[off + k] !== bits[wLo + k]) {
          same = false;
          break;
        }
      }
      if (same) {
        for (let k = 0; k < pw; k++) {
          if (arena[off + span + k] !== bits[mainWords + k]) {
            same = false;
            break;
          }
        }
      }
      if (same && equal(this.entryState[e], state)) return PRESENT;
    }
    const words = span + pw;
    const memory = this.memory;
    if (memory.entriesLeft < 1 || memory.wordsLeft < words) return OVERFLOW;
    memory.entriesLeft--;
    memory.wordsLeft -= words;
    if (this.count === this.entryNext.length) this.growEntries();
    if (this.arenaUsed + words > this.arena.length) this.growArena(words);
    const e = this.count++;
    const off = this.arenaUsed;
    const a = this.arena;
    for (let k = 0; k < span; k++) a[off + k] = bits[wLo + k];
    for (let k = 0; k < pw; k++) a[off + span + k] = bits[mainWords + k];
    this.arenaUsed += words;
    this.entryKey[e] = key;
    this.entryLo[e] = wLo;
    this.entryHi[e] = wHi;
    this.entryOff[e] = off;
    this.entryState[e] = state;
    const b = key & this.mask;
    this.entryNext[e] = this.heads[b];
    this.heads[b] = e;
    if (this.count * 2 > this.heads.length) this.rehash();
    return INSERTED;
  }

  private growEntries(): void {
    const cap = this.entryNext.length * 2;
    const grow = (old: Int32Array): Int32Array => {
      const next = new Int32Array(cap);
      next.set(old);
      return next;
    };
    this.entryNext = grow(this.entryNext);
    this.entryKey = grow(this.entryKey);
    this.entryLo = grow(this.entryLo);
    this.entryHi = grow(this.entryHi);
    this.entryOff = grow(this.entryOff);
  }

  private growArena(words: number): void {
    let cap = this.arena.length * 2;
    while (cap < this.arenaUsed + words) cap *= 2;
    const next = new Uint32Array(cap);
    next.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = next;
  }

  private rehash(): void {
    const size = this.heads.length * 2;
    const heads = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let e = 0; e < this.count; e++) {
      const b = this.entryKey[e] & mask;
      this.entryNext[e] = heads[b];
      heads[b] = e;
    }
    this.heads = heads;
    this.mask = mask;
  }
}
