/**
 * Synthetic histories of a correct lock service, for benchmarks and tests:
 * a seeded simulation of clients calling a service whose operations take
 * effect at one instant inside their [call, return] interval.
 *
 * Models: P processes alternating acquire and release against an N-permit
 * try-lock (with tokens when asked), random latencies that make some
 * operations overlap, optional crashes (the operation never returns, the
 * process comes back under a new id) and, for leases, the service's
 * `expire` of a crashed holder. Does not model: network faults or a buggy
 * service (corrupt a generated history to get an illegal one).
 */

import type { Operation } from './history.ts';

/** Options of `generateLockHistory`; times are integer microseconds. */
export interface LockHistoryOptions {
  /** Operations to generate (approximately: expiries are added on top). */
  ops: number;
  /** Concurrent client processes. */
  processes: number;
  /** Seed of the deterministic generator. */
  seed: number;
  /** Permits (1 = mutex). */
  permits?: number;
  /** Grants output {token: n} rather than true. */
  tokens?: boolean;
  /** Per-op probability that the caller crashes and the op never returns. */
  crashRate?: number;
  /** Lease: a crashed holder's permit is expired by the service this long after its grant (requires `expire` in the model). */
  leaseUs?: number;
  /** Mean gap between linearization points. */
  gapUsMean?: number;
  /** Largest latency on each side of the linearization point. */
  latencyUsMax?: number;
}

/** Process id the service uses for `expire` operations. */
export const SERVICE_PROCESS = -1;

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1) (history generators only; the simulator uses seedrandom). */
export function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generates a linearizable lock history (see the module header). */
export function generateLockHistory(options: LockHistoryOptions): Operation[] {
  const random = rng(options.seed);
  const permits = options.permits ?? 1;
  const crashRate = options.crashRate ?? 0;
  const gapMean = options.gapUsMean ?? 40;
  const latencyMax = options.latencyUsMax ?? 30;
  const ids: number[] = Array.from({ length: options.processes }, (_, i) => i + 1);
  let nextId = options.processes + 1;
  const freeAt = new Map<number, number>(ids.map((p) => [p, 0]));
  const holders = new Set<number>();
  const expiries: Array<{ at: number; owner: number }> = [];
  const out: Operation[] = [];
  let token = 0;
  let t = 0;
  while (out.length < options.ops) {
    t += 1 + Math.floor(random() * 2 * gapMean);
    // The service expires crashed holders whose lease ran out.
    for (let i = 0; i < expiries.length; i++) {
      const x = expiries[i];
      if (x.at > t) continue;
      expiries.splice(i--, 1);
      if (!holders.has(x.owner)) continue;
      holders.delete(x.owner);
      out.push({ process: SERVICE_PROCESS, call: x.at, return: x.at, f: 'expire', input: { owner: x.owner }, output: true });
    }
    const ready = ids.filter((p) => (freeAt.get(p) as number) <= t);
    if (ready.length === 0) continue;
    const slot = Math.floor(random() * ready.length);
    const p = ready[slot];
    const call = Math.max(freeAt.get(p) as number, t - Math.floor(random() * latencyMax));
    const ret = t + Math.floor(random() * latencyMax);
    const crashed = random() < crashRate;
    let op: Operation;
    if (holders.has(p)) {
      holders.delete(p);
      op = { process: p, call, return: ret, f: 'release', input: null, output: true };
    } else if (holders.size < permits && !(crashed && options.leaseUs === undefined)) {
      holders.add(p);
      op = { process: p, call, return: ret, f: 'acquire', input: null, output: options.tokens === true ? { token: ++token } : true };
      if (crashed) expiries.push({ at: t + (options.leaseUs as number), owner: p });
    } else {
      op = { process: p, call, return: ret, f: 'acquire', input: null, output: false };
    }
    if (crashed) {
      // The caller dies: no return; it comes back as a new process (as Jepsen does).
      op.return = null;
      op.output = null;
      const index = ids.indexOf(p);
      ids[index] = nextId;
      freeAt.set(nextId, ret + 1);
      nextId++;
    } else {
      freeAt.set(p, ret + Math.floor(random() * gapMean));
    }
    out.push(op);
  }
  return out;
}
