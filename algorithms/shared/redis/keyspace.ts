/**
 * A Redis instance's dataset as far as locks need it: string keys holding a
 * lock value with a PX expiry, and integer counters (INCR).
 *
 * Models: `SET key value NX PX ttl`, the compare-and-delete Lua script, DEL,
 * INCR, lazy expiry on access and active expiry (the server's cron sweeps),
 * each measured on whatever clock reading the caller passes (the server
 * chooses wall or monotonic). Pure: no I/O, no clocks of its own. Every
 * mutation hands the `Op` that reproduces it to the caller's `log`, for the
 * AOF and replication.
 * Does not model: other data types, eviction, keyspace notifications.
 */
import type { Micros } from '../../api/index.ts';

/** A lock key's contents. `deadlineUs` is on the owning server's expiry clock. */
export interface LockEntry {
  readonly value: string;
  /** The client that SET it (the simulator's view of "whose lock"; a real value is just random). */
  readonly owner: string;
  readonly deadlineUs: Micros;
}

/** One dataset mutation, as written to the AOF and the replication stream. */
export type Op =
  | { readonly op: 'set'; readonly key: string; readonly value: string; readonly owner: string; readonly deadlineUs: Micros }
  | { readonly op: 'del'; readonly key: string }
  | { readonly op: 'counter'; readonly key: string; readonly value: number };

/** A whole dataset, for full resynchronisation and AOF rewrites. */
export interface Snapshot {
  readonly locks: ReadonlyArray<readonly [string, LockEntry]>;
  readonly counters: ReadonlyArray<readonly [string, number]>;
}

/** Called when a key is found expired (lazily or by the sweep) and removed. */
export type ExpireListener = (key: string, entry: LockEntry) => void;

export class Keyspace {
  private readonly locks = new Map<string, LockEntry>();
  private readonly counters = new Map<string, number>();

  /**
   * The live entry under `key` at clock reading `nowUs`, or undefined. An
   * expired entry is removed (lazy expiry), reported to `onExpire`, and its
   * DEL handed to `log`.
   */
  lookup(key: string, nowUs: Micros, onExpire: ExpireListener, log: (op: Op) => void): LockEntry | undefined {
    const entry = this.locks.get(key);
    if (entry === undefined) return undefined;
    if (nowUs < entry.deadlineUs) return entry;
    this.locks.delete(key);
    onExpire(key, entry);
    log({ op: 'del', key });
    return undefined;
  }

  /** `SET key value NX PX ttl`: true (and the op) if the key was free, false if a live key holds it. */
  setNx(key: string, value: string, owner: string, ttlUs: Micros, nowUs: Micros, onExpire: ExpireListener, log: (op: Op) => void): boolean {
    if (!(ttlUs > 0)) throw new Error(`SET PX needs a positive ttl, got ${ttlUs}`);
    if (this.lookup(key, nowUs, onExpire, log) !== undefined) return false;
    const op: Op = { op: 'set', key, value, owner, deadlineUs: nowUs + ttlUs };
    this.apply(op);
    log(op);
    return true;
  }

  /** The release script: `if GET key == value then DEL key`. True if it deleted. */
  compareAndDelete(key: string, value: string, nowUs: Micros, onExpire: ExpireListener, log: (op: Op) => void): boolean {
    const entry = this.lookup(key, nowUs, onExpire, log);
    if (entry === undefined || entry.value !== value) return false;
    return this.del(key, nowUs, onExpire, log);
  }

  /** Plain `DEL key`: deletes whatever live value is there. True if it deleted. */
  del(key: string, nowUs: Micros, onExpire: ExpireListener, log: (op: Op) => void): boolean {
    if (this.lookup(key, nowUs, onExpire, log) === undefined) return false;
    const op: Op = { op: 'del', key };
    this.apply(op);
    log(op);
    return true;
  }

  /** `INCR key`: the new value (counters start at 0). */
  incr(key: string, log: (op: Op) => void): number {
    const value = (this.counters.get(key) ?? 0) + 1;
    const op: Op = { op: 'counter', key, value };
    this.apply(op);
    log(op);
    return value;
  }

  /** Active expiry: removes every key due at `nowUs`, reporting each. */
  sweep(nowUs: Micros, onExpire: ExpireListener, log: (op: Op) => void): number {
    let removed = 0;
    for (const key of [...this.locks.keys()]) {
      const before = this.locks.size;
      this.lookup(key, nowUs, onExpire, log);
      removed += before - this.locks.size;
    }
    return removed;
  }

  /** Applies an op as given (AOF replay, replication): no expiry checks, no logging. */
  apply(op: Op): void {
    switch (op.op) {
      case 'set':
        this.locks.set(op.key, { value: op.value, owner: op.owner, deadlineUs: op.deadlineUs });
        return;
      case 'del':
        this.locks.delete(op.key);
        return;
      case 'counter':
        this.counters.set(op.key, op.value);
        return;
      default:
        throw new Error(`unknown op ${JSON.stringify(op satisfies never)}`);
    }
  }

  /** The raw entry under `key`, expired or not (inspection and tests). */
  peek(key: string): LockEntry | undefined {
    return this.locks.get(key);
  }

  /** A counter's value (0 if never incremented). */
  counter(key: string): number {
    return this.counters.get(key) ?? 0;
  }

  /** Copies the whole dataset. */
  snapshot(): Snapshot {
    return { locks: [...this.locks.entries()], counters: [...this.counters.entries()] };
  }

  /** Replaces the whole dataset. */
  load(snapshot: Snapshot): void {
    this.locks.clear();
    this.counters.clear();
    for (const [key, entry] of snapshot.locks) this.locks.set(key, entry);
    for (const [key, value] of snapshot.counters) this.counters.set(key, value);
  }

  /** The ops that rebuild this dataset from empty (AOF rewrite). */
  toOps(): Op[] {
    const ops: Op[] = [];
    for (const [key, value] of this.counters) ops.push({ op: 'counter', key, value });
    for (const [key, e] of this.locks) ops.push({ op: 'set', key, value: e.value, owner: e.owner, deadlineUs: e.deadlineUs });
    return ops;
  }
}
