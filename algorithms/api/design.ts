/**
 * What a design is: its knobs, its servers and clients built on the node API,
 * the facts the harness needs to judge it (tokens, lock or not, history
 * model, lease quorum), and the registry that names designs.
 */
import type { LockClient, LostListener, SectionClient } from './client.ts';
import type { NodeApi, NodeHandlers } from './node.ts';

/** When a service is ready for the workload (see `Design.readiness`). */
export type Readiness = 'at-start' | 'first-commit';

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
  /**
   * When the service is ready for the workload (SPEC §3 "Start"; Jepsen sets
   * up the cluster before the clients): `'at-start'` (a primary serves from
   * boot; the default) or `'first-commit'` (once a leader is elected and an
   * entry committed: a replica reports `committed`). Scenarios with
   * `coldStart: true` ignore it and start the clients at true time 0.
   */
  readiness?(knobs: K): Readiness;
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

/**
 * The designs a run may name, passed in by whoever owns the list (the CLI
 * passes `algorithms/index.ts`'s registry; tests may pass a toy design).
 * Lookups are by own name only: `constructor` or `toString` name no design.
 */
export interface DesignRegistry {
  /** The design named `name`, or undefined. */
  get(name: string): Design | undefined;
  /** Every registered name, in listing order. */
  readonly names: readonly string[];
}
