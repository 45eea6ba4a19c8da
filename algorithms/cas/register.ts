/**
 * The versioned register every cas server keeps: a value, its version, and
 * per client the request id of its latest successful conditional write (so a
 * retried request is answered, not applied twice — a client runs one request
 * at a time, so the latest is all that matters, as in Raft's client sessions).
 *
 * States are immutable: every change makes a new one, so a state can be put
 * on disk, in a Raft log effect or in a message by reference. A compare-and-
 * set on the version bumps it by one. Not modelled: several keys, deletes.
 */

/** The latest successful conditional write of one client. */
export interface LastWrite {
  readonly rid: string;
  /** The version it produced. */
  readonly version: number;
}

/** The register: its value, its version (bumped by every write) and the per-client deduplication table. */
export interface RegisterState {
  readonly value: number;
  readonly version: number;
  readonly last: Readonly<Record<string, LastWrite>>;
}

/** The register before any write. */
export const INITIAL_REGISTER: RegisterState = Object.freeze({ value: 0, version: 0, last: Object.freeze({}) });

/** A conditional write as the servers apply it. */
export interface CasCommand {
  readonly client: string;
  readonly rid: string;
  readonly from: number;
  readonly value: number;
}

/** What applying a compare-and-set did. */
export interface CasApplied {
  readonly state: RegisterState;
  readonly ok: boolean;
  /** True when this request already succeeded earlier (a retry): nothing changed. */
  readonly duplicate: boolean;
}

/** Applies a compare-and-set: writes `value` and bumps the version iff the version is `from` (or repeats a retried request's success). */
export function applyCas(state: RegisterState, cmd: CasCommand): CasApplied {
  const last = state.last[cmd.client];
  if (last !== undefined && last.rid === cmd.rid) return { state, ok: true, duplicate: true };
  if (state.version !== cmd.from) return { state, ok: false, duplicate: false };
  const version = state.version + 1;
  const next: RegisterState = { value: cmd.value, version, last: { ...state.last, [cmd.client]: { rid: cmd.rid, version } } };
  return { state: next, ok: true, duplicate: false };
}

/** Whether `x` looks like a register state (for what comes off a disk or the wire). */
export function isRegisterState(x: unknown): x is RegisterState {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return Number.isInteger(r.value) && Number.isInteger(r.version) && (r.version as number) >= 0 && typeof r.last === 'object' && r.last !== null;
}
