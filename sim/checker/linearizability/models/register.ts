/**
 * Register models: `register` (read/write) and `cas-register` (read/write/cas).
 *
 * Models: one register holding a JSON value, initially null (empty). A read
 * with an UNKNOWN output is always legal; a cas with an UNKNOWN output is
 * legal either way and swaps iff the compare matches; a write always takes
 * effect. This is also Porcupine's interpretation of the Jepsen etcd logs
 * (`:fail :cas` = cas whose output is false). Does not model: several
 * registers (use `kv`), or reads that may return stale values.
 */

import type { Operation } from '../history.ts';
import { isUnknown } from '../history.ts';
import type { Model } from '../model.ts';
import { hashValue, showValue, stableStringify, valueEqual, who } from '../model.ts';

function describeRegisterOp(op: Operation): string {
  const pending = op.return === null;
  const out = pending ? ' (never returned)' : '';
  switch (op.f) {
    case 'read':
      return `${who(op)} read → ${pending ? '?' : op.output === null ? 'nil' : showValue(op.output)}${out}`;
    case 'write':
      return `${who(op)} write(${showValue(op.input)})${out}`;
    case 'cas': {
      const [from, to] = Array.isArray(op.input) ? op.input : [undefined, undefined];
      const res = pending || isUnknown(op.output) ? '?' : op.output === true ? 'ok' : 'failed';
      return `${who(op)} cas(${showValue(from)} → ${showValue(to)}) → ${res}${out}`;
    }
    default:
      return `${who(op)} ${op.f}(${showValue(op.input)}) → ${showValue(op.output)}${out}`;
  }
}

function makeRegister(withCas: boolean): Model<unknown> {
  const name = withCas ? 'cas-register' : 'register';
  return {
    name,
    init: () => null,
    step(state: unknown, op: Operation): unknown | undefined {
      switch (op.f) {
        case 'read':
          return isUnknown(op.output) || valueEqual(op.output, state) ? state : undefined;
        case 'write':
          return op.input;
        case 'cas': {
          if (!withCas) return undefined;
          const io = op.input as [unknown, unknown];
          const matches = valueEqual(state, io[0]);
          if (op.output === true) return matches ? io[1] : undefined;
          if (op.output === false) return matches ? undefined : state;
          return matches ? io[1] : state; // UNKNOWN
        }
        default:
          return undefined;
      }
    },
    stepKey: (op) => `${op.f}\u0000${stableStringify(op.input)}\u0000${stableStringify(op.output)}`,
    readOnly: (op) => op.f === 'read' || (op.f === 'cas' && op.output === false),
    pendingOrder: 'call', // see search.ts's header: 'late' leaves generated cas-register histories with many timed-out writes unknown
    readKey: (op) => (op.f === 'read' && !isUnknown(op.output) ? hashValue(op.output) : undefined),
    equal: valueEqual,
    hash: hashValue,
    describeState: (s) => (s === null ? 'nil (empty)' : showValue(s)),
    describeOp: describeRegisterOp,
    validate(op: Operation): string | undefined {
      const fs = withCas ? '"read", "write" or "cas"' : '"read" or "write"';
      if (op.f === 'read' || op.f === 'write') return undefined;
      if (op.f === 'cas' && withCas) {
        if (!Array.isArray(op.input) || op.input.length !== 2) return `cas input must be [from, to], got ${showValue(op.input)}`;
        if (op.return !== null && op.output !== true && op.output !== false && !isUnknown(op.output))
          return `cas output must be true or false, got ${showValue(op.output)}`;
        return undefined;
      }
      return `model ${name} expects f ${fs}, got ${JSON.stringify(op.f)}`;
    },
  };
}

/** `register`: read (output value, null initially) and write (input value). */
export const registerModel: Model<unknown> = makeRegister(false);

/** `cas-register`: register plus cas (input [from, to], output true swapped / false compare failed). */
export const casRegisterModel: Model<unknown> = makeRegister(true);
