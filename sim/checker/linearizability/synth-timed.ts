/**
 * The skeleton of the seeded generators of client histories against a
 * linearizable store with heavy-tailed latencies and timeouts (issue 10's
 * "shape that broke"): N clients, each op taking effect at one instant and
 * returning after it, ops whose response comes after the client's timeout
 * recorded as never returned (and taking effect anyway, possibly late, or
 * never), the client coming back under a new process id. The store is run
 * in effect order to fill in the outputs, so a generated history is
 * linearizable by construction. The model-specific parts (which op, what it
 * returns) come from the caller: synth-kv.ts, synth-register.ts.
 *
 * Models: Pareto-distributed delays (call → effect, effect → response).
 * Does not model: a buggy store (corrupt the result to get an illegal
 * history), retries, or network faults.
 */

import type { Operation } from './history.ts';
import { rng } from './synth.ts';

/** Options every timed generator takes; times are integer µs. */
export interface TimedHistoryOptions {
  /** Seed of the deterministic generator. */
  seed: number;
  /** Operations to generate. */
  ops: number;
  /** Concurrent clients. */
  clients: number;
  /** Client timeout: a response later than this after the call is never seen (default 90). */
  timeoutUs?: number;
  /** Probability that a timed-out op still takes effect (default 0.5). */
  lateEffect?: number;
}

/** What the caller's store does: pick the next op's intent, and apply an op in effect order. */
export interface TimedStore {
  /** The next op's f, key and input (`random` is the generator's own stream). */
  intent(random: () => number): Pick<Operation, 'f' | 'input'> & { key?: string };
  /** Applies `op` (in effect order) and returns its output. */
  apply(op: Operation): unknown;
}

/** A heavy-tailed delay: Pareto with scale `xm` and shape `alpha`, as an integer ≥ 1. */
function pareto(random: () => number, xm: number, alpha: number): number {
  return Math.max(1, Math.floor(xm / Math.pow(1 - random(), 1 / alpha)));
}

/** Generates a linearizable history against `store` (see the module header). */
export function generateTimedHistory(options: TimedHistoryOptions, store: TimedStore): Operation[] {
  const random = rng(options.seed);
  const timeout = options.timeoutUs ?? 90;
  const lateEffect = options.lateEffect ?? 0.5;
  const clients = Array.from({ length: options.clients }, (_, i) => ({ process: i, freeAt: Math.floor(random() * 20) }));
  let nextProcess = options.clients;
  const all: Array<{ op: Operation; at: number | undefined; order: number }> = [];
  while (all.length < options.ops) {
    // The client free the earliest calls next.
    let c = clients[0];
    for (const x of clients) if (x.freeAt < c.freeAt) c = x;
    const call = c.freeAt;
    const { f, key, input } = store.intent(random);
    const effect = call + pareto(random, 8, 1.3);
    const ret = effect + pareto(random, 8, 1.3);
    const op: Operation = key === undefined ? { process: c.process, call, return: ret, f, input, output: null } : { process: c.process, call, return: ret, f, key, input, output: null };
    let at: number | undefined = effect;
    if (ret - call > timeout) {
      op.return = null;
      if (random() >= lateEffect) at = undefined;
      c.process = nextProcess++;
      c.freeAt = call + timeout + 1 + Math.floor(random() * 20);
    } else {
      c.freeAt = ret + 1 + Math.floor(random() * 20);
    }
    all.push({ op, at, order: all.length });
  }
  // Run the store in effect order (ties: generation order) to fill in the outputs.
  const effective = all.filter((p) => p.at !== undefined).sort((a, b) => (a.at as number) - (b.at as number) || a.order - b.order);
  for (const { op } of effective) {
    const output = store.apply(op);
    op.output = op.return === null ? null : output;
  }
  return all.map((p) => p.op);
}
