/**
 * Seeded cas-register histories for the bench and the tests: N clients
 * reading, writing unique values and compare-and-setting one register
 * (Jepsen's etcd workload shape) through synth-timed.ts's clients
 * (heavy-tailed latencies, timed-out ops that may take effect later or
 * never), and `corruptRead` to make one read provably illegal.
 *
 * Models: the `cas-register` model (SPEC §5): read → value or null,
 * write v, cas [from, to] → true / false. A cas's `from` is one of the last
 * few values written, so some succeed and some fail. Does not model:
 * several registers (one history is one key).
 */

import type { Operation } from './history.ts';
import { generateTimedHistory, type TimedHistoryOptions } from './synth-timed.ts';

/** Generates a linearizable cas-register history (see the module header). */
export function generateCasRegisterHistory(options: TimedHistoryOptions): Operation[] {
  let value: number | null = null;
  let next = 0;
  /** Values written lately (at intent time): where a cas's `from` comes from. */
  const recent: number[] = [];
  return generateTimedHistory(options, {
    intent(random) {
      const r = random();
      if (r < 0.5) return { f: 'read', input: null };
      const to = ++next;
      const from = recent.length === 0 ? 0 : recent[Math.floor(random() * recent.length)];
      recent.push(to);
      if (recent.length > 4) recent.shift();
      return r < 0.75 ? { f: 'write', input: to } : { f: 'cas', input: [from, to] };
    },
    apply(op) {
      if (op.f === 'read') return value;
      if (op.f === 'write') {
        value = op.input as number;
        return null;
      }
      const [from, to] = op.input as [number, number];
      if (value !== from) return false;
      value = to;
      return true;
    },
  });
}

/**
 * Makes one read provably illegal, or returns undefined when there is no
 * read that returned: the `pick`-th such read now reads -1, a value nobody
 * wrote (written values are positive).
 */
export function corruptRead(ops: readonly Operation[], pick: number): Operation[] | undefined {
  const out = ops.map((op) => ({ ...op }));
  const fits = out.flatMap((op, i) => (op.f === 'read' && op.return !== null ? [i] : []));
  if (fits.length === 0) return undefined;
  out[fits[pick % fits.length]].output = -1; // values written are positive: nobody wrote -1
  return out;
}
