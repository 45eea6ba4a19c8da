/**
 * What the checkers take and give: histories in true time (µs) and
 * verdicts. The checker library knows nothing of who made a history — the
 * simulator's harness, live mode or a file — so these are its own types.
 */

/** True time in integer microseconds. */
export type Micros = number;

export interface Violation {
  /** True time (µs) the violation began. */
  readonly at: number;
  readonly nodes: readonly string[];
  readonly detail: string;
}

/** A check's verdict: ok true/false, "unknown" (budget ran out), or null (does not apply; `detail` says why). */
export interface CheckResult {
  readonly ok: boolean | null | 'unknown';
  readonly detail?: string;
  readonly violations?: readonly Violation[];
  /** Check-specific extras (e.g. the linearizability counterexample). */
  readonly [extra: string]: unknown;
}

/** When a client believed it held the lock: acquire-ok until release, crash or learning of loss (`endUs` null: to the end). */
export interface Belief {
  readonly client: string;
  readonly startUs: Micros;
  readonly endUs: Micros | null;
  readonly token: number | undefined;
  readonly endReason: string | null;
}

/** A grant a server reported. */
export interface GrantRecord {
  readonly atUs: Micros;
  readonly server: string;
  readonly client: string;
  readonly token: number | undefined;
  /** The design's id of this grant (e.g. its log index), so a re-report of the same grant counts once. */
  readonly grantId?: string | number;
}

/** One read or write at the protected store. */
export interface StoreAccess {
  readonly atUs: Micros;
  readonly client: string;
  readonly kind: 'read' | 'write';
  readonly token: number | undefined;
  readonly accepted: boolean;
  /** read: the value returned; write: the value written. */
  readonly value: number;
  /** write: the value the client read before (the write is meant to be basedOn + 1). */
  readonly basedOn: number | undefined;
  /** The store's value just before this access. */
  readonly before: number;
  /** Why a rejected access was rejected. */
  readonly reason?: string;
}

/** What the store checks fencing tokens on. */
export type FencingMode = 'none' | 'writes' | 'reads-and-writes';

/** At most this many violations are listed per check; `total` says how many there were. */
export const MAX_VIOLATIONS = 50;
