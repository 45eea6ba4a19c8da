/**
 * The node API: everything a design under test may touch.
 *
 * A design sees only its own node: its wall and monotonic clocks, its timers,
 * its messages, its disk and its random stream. It never sees true time, other
 * nodes' state or the simulator. Designs are written as reactive handlers:
 * `onMessage` for deliveries and closures passed to `setTimer`. The simulator
 * (sim/core) implements it; a live back end can implement it against real
 * sockets.
 *
 * Units: every time and duration here is integer microseconds (µs).
 */
import type { Rng } from './rng.ts';
import type { Micros } from './time.ts';

/** A message between nodes. `type` names it in the trace; treat received messages as immutable. */
export interface Message {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Opaque handle of a pending timer. */
export type TimerId = { readonly __timer: true };

/**
 * The node's disk. Writes are volatile until `fsync()`; a crash keeps what the
 * fault's `durable` says (`all`: every write, `fsynced`: only fsynced ones,
 * `none`: nothing). Values are stored by reference: never mutate a value after
 * writing it. Lists support append/truncate so a log costs O(1) per entry.
 */
export interface Disk {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** The list stored under `key` (empty if none). Do not mutate it. */
  list<T = unknown>(key: string): readonly T[];
  append(key: string, value: unknown): void;
  /** Keeps the first `length` entries of the list. */
  truncate(key: string, length: number): void;
  /** Makes every write so far durable against a `durable: "fsynced"` crash. */
  fsync(): void;
}

/** Facts that only explain an event in the trace (which key, session, log index, why). */
export interface EventContext {
  readonly key?: string;
  readonly session?: string;
  readonly path?: string;
  readonly why?: string;
  readonly index?: number;
}

/**
 * What a node reports to the simulator (or a live harness): the events drive
 * `on` fault triggers, `leader` targets, the service history and metrics. A
 * discriminated union on `kind`; every field is typed.
 */
export type NodeEvent =
  /** A server granted the lock. `grant` identifies the grant so a re-report counts once; `lease` ties per-server reports of one lease together (Redlock). */
  | (EventContext & { readonly kind: 'granted'; readonly client: string; readonly token?: number; readonly lease?: string; readonly grant?: string })
  /** A node became leader/primary. */
  | { readonly kind: 'elected'; readonly term?: number }
  /** A node stopped being leader/primary. */
  | { readonly kind: 'stepped-down'; readonly term?: number }
  /** The service measured a lease/session/key as run out; `owner` is the client whose lock ended. */
  | (EventContext & { readonly kind: 'expired'; readonly owner: string; readonly token?: number; readonly lease?: string })
  /** A server deleted a lock on request: a release, or a plain DEL of another's lock. */
  | (EventContext & { readonly kind: 'deleted'; readonly owner?: string; readonly lease?: string })
  /** A lease/session was renewed. */
  | (EventContext & { readonly kind: 'renewed'; readonly owner: string })
  /** A replica learned an entry is committed (for invariant checks). */
  | { readonly kind: 'committed'; readonly index: number; readonly term: number; readonly digest: string }
  /** Adds `by` (default 1) to a design-specific counter in the run's metrics. */
  | { readonly kind: 'metric'; readonly name: string; readonly by?: number };

/** The kinds of `NodeEvent`. */
export type NodeEventKind = NodeEvent['kind'];

export interface NodeApi {
  /** This node's name: `s1`, `c2`, … */
  readonly id: string;
  /** Local wall clock, µs. Moved by clock-jump and clock-drift faults. */
  now(): Micros;
  /** Local monotonic clock, µs. Ignores jumps, follows drift; its zero differs per node. */
  monotonic(): Micros;
  /** Sends a message; the network may delay, drop, duplicate or reorder it. */
  send(to: string, msg: Message): void;
  /** Calls `fn` after `delayUs` of this node's monotonic time. Timers die with a crash. `label` names it in the trace (e.g. `heartbeat`). */
  setTimer(delayUs: Micros, fn: () => void, label?: string): TimerId;
  cancelTimer(id: TimerId): void;
  readonly disk: Disk;
  /** This node's own random stream (seeded). */
  readonly rng: Rng;
  /** Reports an event to the simulator (stamped with true time there; the node learns nothing back). */
  emit(event: NodeEvent): void;
  /** Adds a free-text line to the trace (only rendered with --trace). */
  note(text: string): void;
}

/** What every node runs: a handler for incoming messages. */
export interface NodeHandlers {
  onMessage(from: string, msg: Message): void;
}
