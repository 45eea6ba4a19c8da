/**
 * The node API: everything a design under test may touch.
 *
 * A design sees only its own node: its wall and monotonic clocks, its timers,
 * its messages, its disk and its random stream. It never sees true time, other
 * nodes' state or the simulator. Designs are written as reactive handlers:
 * `onMessage` for deliveries and closures passed to `setTimer`. A live back end
 * could implement the same API against real sockets later.
 *
 * Units: every time and duration here is integer microseconds (µs).
 */
import type { Rng } from '../../sim/core/rng.ts';
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

/** Events a node reports to the simulator; they drive `on` fault triggers, `leader` targets and the service history. */
export type NodeEvent =
  /** a server granted the lock (detail: `{ client, token?, lease?, grant? }`; `grant` identifies the grant so a re-report counts once) */
  | 'granted'
  /** a node became leader/primary (detail: `{ term? }`) */
  | 'elected'
  /** a node stopped being leader/primary */
  | 'stepped-down'
  /** the service measured a lease/session/key as run out (detail: `{ owner }` — the client whose lock ended) */
  | 'expired'
  /** a server deleted a lock on request (detail: `{ owner, lease? }`) — a release, or a plain DEL of another's lock */
  | 'deleted'
  /** a lease/session was renewed (detail: `{ owner }`) */
  | 'renewed'
  /** a replica learned an entry is committed (detail: `{ index, term, digest }`; for invariant checks) */
  | 'committed'
  /** adds to a design-specific counter in the run's metrics (detail: `{ name, by? }`, by defaults to 1) */
  | 'metric';

export interface NodeApi {
  /** This node's name: `s1`, `c2`, … */
  readonly id: string;
  /** Local wall clock, µs. Moved by clock-jump and clock-drift faults. */
  now(): Micros;
  /** Local monotonic clock, µs. Ignores jumps, follows drift; its zero differs per node. */
  monotonic(): Micros;
  /** Sends a message; the network may delay, drop, duplicate or reorder it. */
  send(to: string, msg: Message): void;
  /** Calls `fn` after `delayUs` of this node's monotonic time. Timers die with a crash. */
  setTimer(delayUs: Micros, fn: () => void): TimerId;
  cancelTimer(id: TimerId): void;
  readonly disk: Disk;
  /** This node's own random stream (seeded). */
  readonly rng: Rng;
  /** Reports an event to the simulator (stamped with true time there; the node learns nothing back). */
  emit(event: NodeEvent, detail?: Readonly<Record<string, unknown>>): void;
  /** Adds a free-text line to the trace (only rendered with --trace). */
  note(text: string): void;
}

/** What every node runs: a handler for incoming messages. */
export interface NodeHandlers {
  onMessage(from: string, msg: Message): void;
}

/** A granted lock as the client sees it. */
export interface Grant {
  /** Fencing token, when the design issues one. */
  readonly token?: number;
}

/**
 * The client half of a design, driven by the shared workload on a client node.
 * Exactly one `acquire` or `release` is outstanding at a time.
 */
export interface LockClient extends NodeHandlers {
  /**
   * Starts acquiring (retrying internally while the lock is busy). Calls `done`
   * once: with a grant, or with `null` when the design gave up for good.
   */
  acquire(done: (grant: Grant | null) => void): void;
  /**
   * The workload's acquireTimeout ran out: stop trying. A grant that arrives
   * later must be released by the design, not reported.
   */
  abandon(): void;
  /**
   * Releases the held lock: `done(true)` when the service confirmed it,
   * `done(false)` when the service said we no longer held it, `done(null)`
   * when the outcome is unknown (no reply).
   */
  release(done: (ok: boolean | null) => void): void;
  /** For `checkBeforeWrite`: is the lock still valid by this client's own clock? */
  stillValid(): boolean;
}

/** How a design tells its client it learned the lock is lost (lease ran out by its clock, session expired, …). */
export type LostListener = (reason: string) => void;

/** The read-only facts a design gets about its deployment. */
export interface DesignContext<K> {
  /** The design's knobs, defaults applied, durations in µs. */
  readonly knobs: K;
  /** Server names `s1..sN`. */
  readonly servers: readonly string[];
  /** Client names `c1..cM`. */
  readonly clients: readonly string[];
  /** Lock permits (1 = mutex, >1 = semaphore). */
  readonly permits: number;
}

/** Knob metadata for `list` and the README. */
export interface KnobInfo {
  readonly name: string;
  readonly default: unknown;
  readonly meaning: string;
}

/**
 * A service operation a section client is about to perform, in the terms of
 * the `cas-register` history: the register's version. `read` returns the
 * register; `cas` writes `value` if the version is still `from`, making it `to`.
 */
export type SectionCall =
  | { readonly f: 'read' }
  | { readonly f: 'cas'; readonly from: number; readonly to: number; readonly value: number };

/** What a service operation answered: a read's register, or whether a cas swapped (false: the version had moved on). */
export type SectionReturn =
  | { readonly f: 'read'; readonly value: number; readonly version: number }
  | { readonly f: 'cas'; readonly ok: boolean };

/** One operation of a section with its outcome; `result` null: no answer, so it may or may not have taken effect. */
export interface SectionOpRecord {
  readonly call: SectionCall;
  readonly result: SectionReturn | null;
}

/** How a section ended, as the section client reports it to the workload. */
export interface SectionOutcome {
  /** Every service operation the section performed, in order, with its outcome. */
  readonly ops: readonly SectionOpRecord[];
  /** Whether the section's write was acknowledged (its last op is a cas answered `ok: true`). */
  readonly written: boolean;
  /** Why the section ended without a write (retries exhausted, …), when it did. */
  readonly reason?: string;
}

/**
 * How a section client reports each operation as it happens, so the simulator
 * can stamp true call and return times for the history (the client only knows
 * its own clocks). Exactly one operation is open at a time.
 */
export interface SectionTracker {
  /** The client sends `call` now; returns the operation's index in the section (0, 1, …). */
  invoked(call: SectionCall): number;
  /** The client learned the outcome of operation `index` now. */
  returned(index: number, result: SectionReturn): void;
}

/**
 * The client half of a lock-free design (optimistic concurrency, e.g. `cas`):
 * instead of acquire/release it runs one whole section against its own
 * servers — read, `hold`, conditional write, retrying per its knobs — while
 * the shared section workload (sim/section-workload.ts) times and records it.
 * Exactly one section runs at a time.
 */
export interface SectionClient extends NodeHandlers {
  /**
   * Runs one section: reports every operation through `track`, calls `hold`
   * once with the first snapshot (the workload's hold time passes on this
   * node's clock, then `then` runs), and calls `done` once at the end.
   */
  runSection(hold: (then: () => void) => void, done: (outcome: SectionOutcome) => void, track: SectionTracker): void;
  /**
   * The workload's deadline ran out: stop now, report nothing more for this
   * section (an operation in flight stays of unknown outcome).
   */
  abandon(): void;
}

/**
 * A design under test. `parseKnobs` validates `config.<design>` (throwing
 * `KnobError` for a bad or unknown knob) and returns the resolved knobs.
 */
export interface Design<K = unknown> {
  readonly name: string;
  readonly description: string;
  readonly knobs: readonly KnobInfo[];
  parseKnobs(raw: Readonly<Record<string, unknown>>, permits: number): K;
  /** How many servers this configuration runs. */
  serverCount(knobs: K): number;
  /** Whether grants carry fencing tokens (false: the `fencing` check is null). */
  readonly issuesTokens: boolean;
  /** Whether the design is a lock at all (false for cas: `mutualExclusion` is null). */
  readonly isLock: boolean;
  /** The linearizability model its service history is checked against (`lease-lock` becomes `lease-lock:N` for N permits). */
  readonly historyModel: string;
  /**
   * How many servers must hold a lease for the service to hold it (default 1;
   * Redlock: a majority). The simulator turns per-server `granted`/`deleted`/
   * `expired` reports carrying a `lease` id into service-level expiries with it.
   */
  leaseQuorum?(knobs: K): number;
  /** Builds server `index` (0-based). Called at start and again on every restart, with the disk as the crash left it. */
  createServer(api: NodeApi, ctx: DesignContext<K>, index: number): NodeHandlers;
  /** Builds the client library on a client node; `lost` tells the workload the lock was lost. */
  createClient(api: NodeApi, ctx: DesignContext<K>, lost: LostListener): LockClient;
  /**
   * Lock-free designs only: builds the section client on a client node. When
   * present, clients run the section workload instead of the lock workload,
   * and `resource` checks the acknowledged writes for one unbroken chain.
   */
  createSectionClient?(api: NodeApi, ctx: DesignContext<K>): SectionClient;
}
