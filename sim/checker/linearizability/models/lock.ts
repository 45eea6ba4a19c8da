/**
 * Lock models: `mutex`, `fenced-mutex`, `semaphore:N` and `lease-lock[:N]`,
 * all one parameterised try-lock specification.
 *
 * Models: an owner-aware, non re-entrant lock with N permits whose owners are
 * processes. `acquire` outputs true or {token: n} (granted), false (refused:
 * legal only when all N permits are held or the caller already holds one),
 * or nothing known (never returned: grants iff it could, else no effect).
 * `release` outputs true (caller held; frees it) or false (caller did not
 * hold). Tokens, when present, must strictly exceed every token granted
 * before (in linearization order); `fenced-mutex` requires them. `lease-lock`
 * adds `expire` (input {owner: p}): the service recording that it found p's
 * lease run out; legal only while p holds; frees p's permit.
 * Does not model: several locks in one history (check one history per lock),
 * re-entrant or blocking-queue fairness, lease renewals, or what a client
 * believes (that is the mutualExclusion check's job).
 */

import type { Operation } from '../history.ts';
import { isUnknown } from '../history.ts';
import type { Model } from '../model.ts';
import { showValue, stableStringify, who } from '../model.ts';

/** Lock state: sorted holder processes and the highest token granted (-Infinity before any). */
export interface LockState {
  readonly holders: readonly number[];
  readonly maxToken: number;
}

/** Parameters of a lock model. */
export interface LockModelOptions {
  /** Model name, e.g. `semaphore:3`. */
  name: string;
  /** Number of permits (1 for a mutex). */
  permits: number;
  /** Grants must carry {token: n}. */
  requireTokens: boolean;
  /** `expire` operations are allowed (lease-based locks). */
  allowExpire: boolean;
}

const INITIAL: LockState = Object.freeze({ holders: Object.freeze([]) as readonly number[], maxToken: -Infinity });

function tokenOf(output: unknown): number | undefined {
  if (typeof output === 'object' && output !== null && 'token' in output) {
    const t = (output as { token: unknown }).token;
    return typeof t === 'number' ? t : undefined;
  }
  return undefined;
}

function isGrant(output: unknown): boolean {
  return output === true || (typeof output === 'object' && output !== null && !isUnknown(output) && 'token' in output);
}

function indexOf(holders: readonly number[], p: number): number {
  for (let i = 0; i < holders.length; i++) if (holders[i] === p) return i;
  return -1;
}

function withHolder(s: LockState, p: number, token: number | undefined): LockState {
  const holders = s.holders.slice();
  let i = holders.length;
  while (i > 0 && holders[i - 1] > p) i--;
  holders.splice(i, 0, p);
  return { holders, maxToken: token === undefined ? s.maxToken : token };
}

function withoutHolder(s: LockState, i: number): LockState {
  const holders = s.holders.slice();
  holders.splice(i, 1);
  return { holders, maxToken: s.maxToken };
}

function ownerOf(input: unknown): number | undefined {
  if (typeof input === 'object' && input !== null && 'owner' in input) {
    const o = (input as { owner: unknown }).owner;
    return typeof o === 'number' && Number.isInteger(o) ? o : undefined;
  }
  return undefined;
}

/** Builds one lock model; see the module header for the specification. */
export function makeLockModel(options: LockModelOptions): Model<LockState> {
  const { name, permits, requireTokens, allowExpire } = options;
  const fs = allowExpire ? '"acquire", "release" or "expire"' : '"acquire" or "release"';
  return {
    name,
    init: () => INITIAL,
    step(s: LockState, op: Operation): LockState | undefined {
      const p = op.process;
      switch (op.f) {
        case 'acquire': {
          const out = op.output;
          const mine = indexOf(s.holders, p) >= 0;
          const full = mine || s.holders.length >= permits;
          if (out === false) return full ? s : undefined;
          if (isUnknown(out)) return full ? s : withHolder(s, p, undefined);
          if (full) return undefined;
          const token = tokenOf(out);
          if (token !== undefined && !(token > s.maxToken)) return undefined;
          return withHolder(s, p, token);
        }
        case 'release': {
          const i = indexOf(s.holders, p);
          const out = op.output;
          if (out === true) return i >= 0 ? withoutHolder(s, i) : undefined;
          if (out === false) return i >= 0 ? undefined : s;
          return i >= 0 ? withoutHolder(s, i) : s; // UNKNOWN
        }
        case 'expire': {
          if (!allowExpire) return undefined;
          const owner = ownerOf(op.input);
          const i = owner === undefined ? -1 : indexOf(s.holders, owner);
          if (i >= 0) return withoutHolder(s, i);
          return op.return === null ? s : undefined; // a never-returned expire may not have happened
        }
        default:
          return undefined;
      }
    },
    stepKey: (op) => `${op.f}\u0000${op.process}\u0000${stableStringify(op.input)}\u0000${stableStringify(op.output)}`,
    readOnly: (op) => (op.f === 'acquire' || op.f === 'release') && op.output === false,
    equal(a, b) {
      if (a === b) return true;
      if (a.maxToken !== b.maxToken || a.holders.length !== b.holders.length) return false;
      for (let i = 0; i < a.holders.length; i++) if (a.holders[i] !== b.holders[i]) return false;
      return true;
    },
    hash(s) {
      let h = s.maxToken === -Infinity ? 0x2545f491 : (s.maxToken | 0) ^ Math.imul((s.maxToken / 4294967296) | 0, 0x9e3779b1);
      for (let i = 0; i < s.holders.length; i++) h = (Math.imul(h, 31) + s.holders[i]) | 0;
      return h;
    },
    describeState(s) {
      const held =
        s.holders.length === 0
          ? 'free'
          : `held by ${s.holders.map((p) => `p${p}`).join(', ')}${permits > 1 ? ` (${s.holders.length} of ${permits} permits)` : ''}`;
      return s.maxToken === -Infinity ? held : `${held}; highest token granted ${s.maxToken}`;
    },
    describeOp(op) {
      const pending = op.return === null;
      const tail = pending ? ' (never returned)' : '';
      switch (op.f) {
        case 'acquire': {
          if (pending || isUnknown(op.output)) return `${who(op)} acquire → ?${tail}`;
          if (op.output === false) return `${who(op)} acquire → refused`;
          const t = tokenOf(op.output);
          return `${who(op)} acquire → granted${t === undefined ? '' : ` (token ${t})`}`;
        }
        case 'release':
          if (pending || isUnknown(op.output)) return `${who(op)} release → ?${tail}`;
          return `${who(op)} release → ${op.output === true ? 'released' : 'not owner'}`;
        case 'expire': {
          const o = ownerOf(op.input);
          return `${who(op)} expire(lease of ${o === undefined ? '?' : `p${o}`})${tail}`;
        }
        default:
          return `${who(op)} ${op.f}(${showValue(op.input)}) → ${showValue(op.output)}${tail}`;
      }
    },
    validate(op) {
      const returned = op.return !== null && !isUnknown(op.output);
      switch (op.f) {
        case 'acquire': {
          if (!returned || op.output === false) return undefined;
          if (op.output === true) {
            return requireTokens ? `${name} grants must output {"token": n}, got true` : undefined;
          }
          if (isGrant(op.output)) {
            const t = tokenOf(op.output);
            return t !== undefined && Number.isFinite(t) ? undefined : `acquire token must be a finite number, got ${showValue(op.output)}`;
          }
          return `acquire output must be ${requireTokens ? '{"token": n}' : 'true, {"token": n}'} or false, got ${showValue(op.output)}`;
        }
        case 'release':
          if (!returned || op.output === true || op.output === false) return undefined;
          return `release output must be true or false, got ${showValue(op.output)}`;
        case 'expire':
          if (!allowExpire) break;
          return ownerOf(op.input) === undefined ? `expire input must be {"owner": <process>}, got ${showValue(op.input)}` : undefined;
        default:
          break;
      }
      return `model ${name} expects f ${fs}, got ${JSON.stringify(op.f)}`;
    },
  };
}
