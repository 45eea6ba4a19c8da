/**
 * What live mode needs of one design (SPEC §9), so run-live.ts stays the
 * same for every design: the programs it runs, its server names, how each
 * knob maps onto real configuration, what it cannot reproduce, what a crash
 * can keep, and how to start its real deployment (a `LiveService`). One
 * adapter per design, in `sim/live/<design>/adapter.ts`, listed in
 * designs.ts; the client side (the real client library in the child
 * process) is listed in clients.ts.
 */
import type { Durability } from '../core/disk.ts';
import type { Program } from './binaries.ts';
import type { TrueClock } from './clock.ts';
import type { LiveNetwork } from './network.ts';
import type { LiveProcesses } from './processes.ts';
import type { KnobMapping } from './result.ts';
import type { LiveService, ServiceEvent } from './service.ts';

/** What `start` gets besides the design's own knobs. */
export interface LiveStartContext {
  readonly registry: LiveProcesses;
  readonly network: LiveNetwork;
  readonly clock: TrueClock;
  /** Every duration of the scenario is multiplied by this. */
  readonly timeScale: number;
  /**
   * Whether a clock fault of the scenario names servers: only then do the
   * servers run under libfaketime (faketime.ts), so every other run is the
   * plain program.
   */
  readonly fakeClocks: boolean;
  /** Seconds (ms) a server may take to come up. */
  readonly readyTimeoutMs?: number;
  /** Receives what the service reports, in its own order, stamped on receipt. */
  readonly onEvent: (event: ServiceEvent) => void;
}

export interface LiveAdapter<K = unknown> {
  readonly design: string;
  /** The programs it runs (each located before anything starts: a missing one is a MissingBinaryError with its install command). */
  readonly programs: readonly Program[];
  /** Server node names (`s1…`), as the simulated design names them. */
  serverNames(knobs: K): string[];
  /** How each knob maps onto real configuration, or why nothing real corresponds. */
  knobMappings(knobs: K, permits: number): KnobMapping[];
  /** Why these knobs cannot run live at all (null: they can). */
  whyUnsupported(knobs: K): string | null;
  /** Why a crash of server `node` keeping `durable` cannot be injected (null: it can). */
  whyCannotCrash(knobs: K, node: string, durable: Durability): string | null;
  /** `true` when its servers run under libfaketime (faketime.ts), so clock faults on them can be injected; otherwise why they cannot. */
  fakesClocks(knobs: K): true | string;
  /** The lease (TTL, session timeout) the knobs name, in µs, for the derived fault effects; null when none. */
  leaseUs(knobs: K): number | null;
  /** Starts the deployment; resolves once every server is ready. */
  start(knobs: K, ctx: LiveStartContext): Promise<LiveService>;
}
