/**
 * A small seeded generator of kv histories of the shape that once made the
 * checker slow (issue 10): N clients over K keys against a linearizable kv
 * store (get / put / append of unique tokens), heavy-tailed latencies, and
 * timed-out operations that never return but may still take effect later —
 * or never.
 *
 * Models: each op takes effect at one instant (call + a Pareto-distributed
 * delay) and returns a Pareto-distributed delay after it; an op whose
 * response would come after the client's timeout is recorded as never
 * returned (output null), takes effect anyway with probability `lateEffect`
 * (possibly long after the timeout), and its client comes back under a new
 * process id. Outputs come from running the store in effect order, so the
 * history is linearizable by construction. `corruptGet` turns one get into an
 * provably illegal one. Does not model: deletes, multi-key ops, a buggy store
 * (other than via `corruptGet`).
 */
import type { Operation } from '../../sim/checker/linearizability/index.ts';
import { rng } from '../../sim/checker/linearizability/synth.ts';

export interface KvHistoryOptions {
  seed: number;
  /** Operations to generate. */
  ops: number;
  /** Concurrent clients. */
  clients: number;
  /** Keys. */
  keys: number;
  /** Client timeout (µs): a response later than this is never seen. */
  timeoutUs?: number;
  /** Probability that a timed-out op still takes effect. */
  lateEffect?: number;
}


/** A heavy-tailed delay: Pareto with scale `xm` and shape `alpha`, as an integer ≥ 1. */
function pareto(random: () => number, xm: number, alpha: number): number {
  return Math.max(1, Math.floor(xm / Math.pow(1 - random(), 1 / alpha)));
}

interface Pending {
  op: Operation;
  /** Effect instant, or undefined when the op never takes effect. */
  at: number | undefined;
  order: number;
}

/** Generates a linearizable kv history (see the module header). */
export function generateKvHistory(options: KvHistoryOptions): Operation[] {
  const random = rng(options.seed);
  const timeout = options.timeoutUs ?? 90;
  const lateEffect = options.lateEffect ?? 0.5;
  const keys = Array.from({ length: options.keys }, (_, i) => `k${i}`);
  const clients = Array.from({ length: options.clients }, (_, i) => ({ process: i, freeAt: Math.floor(random() * 20) }));
  let nextProcess = options.clients;
  const all: Pending[] = [];
  let token = 0;
  while (all.length < options.ops) {
    // The client free the earliest calls next.
    let c = clients[0];
    for (const x of clients) if (x.freeAt < c.freeAt) c = x;
    const call = c.freeAt;
    const key = keys[Math.floor(random() * keys.length)];
    const r = random();
    const f = r < 0.5 ? 'get' : r < 0.92 ? 'append' : 'put';
    const input = f === 'get' ? null : `<${f === 'put' ? 'p' : 'a'}${(token++).toString(36)}>`;
    const effect = call + pareto(random, 8, 1.3);
    const ret = effect + pareto(random, 8, 1.3);
    const op: Operation = { process: c.process, call, return: ret, f, key, input, output: null };
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
  const store = new Map<string, string>();
  const effective = all.filter((p) => p.at !== undefined).sort((a, b) => (a.at as number) - (b.at as number) || a.order - b.order);
  for (const { op } of effective) {
    const key = op.key as string;
    const now = store.get(key) ?? '';
    if (op.f === 'get') op.output = op.return === null ? null : now;
    else if (op.f === 'put') store.set(key, op.input as string);
    else store.set(key, now + (op.input as string));
  }
  for (const { op, at } of all) if (at === undefined || op.return === null) op.output = null;
  return all.map((p) => p.op);
}

/**
 * Makes one get provably illegal, or returns undefined when none fits.
 * 'stale': a get whose key has no put called before it returns drops a token
 * whose append returned before the get was called (appends only extend the
 * string, so every state it could read holds that token). 'phantom': a get
 * reads its value plus a token nobody wrote. The `pick`-th fitting get is used.
 */
export function corruptGet(ops: readonly Operation[], kind: 'stale' | 'phantom', pick: number): Operation[] | undefined {
  const out = ops.map((op) => ({ ...op }));
  const fits: number[] = [];
  for (let i = 0; i < out.length; i++) {
    const g = out[i];
    if (g.f !== 'get' || g.return === null || typeof g.output !== 'string') continue;
    if (kind === 'phantom') {
      fits.push(i);
      continue;
    }
    const gr = g.return;
    if (out.some((o) => o.key === g.key && o.f === 'put' && o.call <= gr)) continue;
    if (droppable(out, g) !== undefined) fits.push(i);
  }
  if (fits.length === 0) return undefined;
  const g = out[fits[pick % fits.length]];
  if (kind === 'phantom') g.output = `${g.output as string}<zz>`;
  else g.output = (g.output as string).replace(droppable(out, g) as string, '');
  return out;
}

/** A token in get `g`'s output whose append returned before `g` was called. */
function droppable(ops: readonly Operation[], g: Operation): string | undefined {
  const value = g.output as string;
  for (const o of ops) {
    if (o.key !== g.key || o.f !== 'append' || o.return === null || o.return >= g.call) continue;
    if (value.includes(o.input as string)) return o.input as string;
  }
  return undefined;
}
