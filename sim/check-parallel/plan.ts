/**
 * Which partitions each thread gets, and whether threads pay at all.
 *
 * Bins: the partitions dealt largest first to the bin with the fewest
 * operations so far (LPT scheduling by op count), at most one bin per
 * thread and per partition.
 *
 * Whether threads pay is an estimate in "op-equivalents" (the single-thread
 * search's cost of one operation), with costs measured on the machine this
 * was built on (2 vCPUs, Node 20; `npx locksim check --model kv` on
 * generateKvHistory histories, medians of interleaved rounds):
 *
 * - one thread alone: 100,000 ops over 8 keys in ~0.8 s of check (~8 µs an
 *   op, setup included: ~0.3 s of it is the per-op preparation), 100,000
 *   ops over 50 keys in ~0.34 s, 5,000 ops in 60–100 ms;
 * - on two worker threads at once, each searching half of the same history
 *   took ~0.85–1.05 s (8 keys) and ~0.55–0.63 s (50 keys): per op, 2–2.3×
 *   the main thread's cost alone, and the same at 200,000 ops (so not a
 *   fixed warm-up): the search is memory-bound and the two vCPUs share the
 *   memory bandwidth (an ALU-only loop does scale 2× here), and each
 *   thread's code starts cold. THREAD_COST = 2;
 * - copying the history to the threads (JSON + UTF-8 on the main thread,
 *   ~1 µs an op; parsing it back in the thread, ~1 µs an op, in parallel):
 *   COPY_COST = 0.12 of an op's search;
 * - fixed: starting a thread and importing the CLI bundle, ~150–200 ms alone,
 *   ~400 ms for two at once (hidden while a big file is parsed when the CLI
 *   starts the threads early), stopping the pool ~30–50 ms: FIXED_COST_OPS
 *   = 20,000 op-equivalents (~160 ms).
 *
 * Threads are used when total × (1 − COPY_COST) − THREAD_COST × span ≥
 * FIXED_COST_OPS, the span being the biggest bin (or total / cores when
 * there are more threads than cores). With THREAD_COST = 2, two threads
 * never pay (the span is at least half): on this machine, whose default
 * `--workers` is 2, every check runs in one thread, and the measured
 * 2-thread runs were indeed slower (100,000 ops, 8 keys: 1.05 s vs 0.82 s
 * of check, 2.9 s vs 2.56 s wall; 50 keys: 0.82 s vs 0.34 s of check), as
 * were 4 threads on its 2 vCPUs (1.25 s vs 0.80 s; 0.88 s vs 0.33 s). With
 * balanced partitions and a core each, 3 threads are used from ~94,000
 * ops, 4 from ~53,000, 8 from ~32,000 — an extrapolation: machines with
 * more cores were not measured, and where a thread has a core and its
 * memory bandwidth to itself THREAD_COST is lower, so this errs on the side
 * of one thread.
 *
 * Models: partitions of one history (the model's own split, as the
 * checker's `partitionsOf` does it), their op counts as the estimate of
 * their search time. Does not model: how hard a partition is.
 */
import { partitionsOf } from '../checker/linearizability/index.ts';

export { partitionsOf };

/** A thread's search cost per op, as a multiple of the main thread's alone (measured 2–2.3 with two threads; see the header). */
export const THREAD_COST = 2;
/** Copying an op to a thread and back, as a share of its search cost. */
export const COPY_COST = 0.12;
/** The fixed cost of using threads, in ops of single-thread search. */
export const FIXED_COST_OPS = 20_000;

/** One thread's share: partition indices in increasing order, and their op count. */
export interface Bin {
  readonly partitions: number[];
  ops: number;
}

/**
 * Deals partitions (given by their sizes) to at most `threads` bins: largest
 * first (ties: lower index first), each to the bin with the fewest ops
 * (ties: the lower bin). Every bin is non-empty; bins come out biggest first.
 */
export function planBins(sizes: readonly number[], threads: number): Bin[] {
  const n = Math.max(1, Math.min(Math.floor(threads), sizes.length));
  const bins: Bin[] = Array.from({ length: n }, () => ({ partitions: [], ops: 0 }));
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => b.size - a.size || a.index - b.index);
  for (const { size, index } of order) {
    let best = bins[0];
    for (const bin of bins) if (bin.ops < best.ops) best = bin;
    best.partitions.push(index);
    best.ops += size;
  }
  for (const bin of bins) bin.partitions.sort((a, b) => a - b);
  return bins.filter((bin) => bin.partitions.length > 0).sort((a, b) => b.ops - a.ops || a.partitions[0] - b.partitions[0]);
}

/**
 * The estimated saving of checking `bins` on threads running on `cores`
 * cores, in ops of single-thread search (negative: a loss). The threads'
 * span is the biggest bin, or the ops per core when there are more bins
 * than cores.
 */
export function threadSaving(bins: readonly Bin[], cores: number): number {
  if (bins.length < 2) return -FIXED_COST_OPS;
  const total = bins.reduce((sum, bin) => sum + bin.ops, 0);
  const span = Math.max(bins[0].ops, total / Math.max(1, cores));
  return total * (1 - COPY_COST) - THREAD_COST * span - FIXED_COST_OPS;
}

/** Whether threads pay for `bins` on `cores` cores (see the header). */
export function threadsPay(bins: readonly Bin[], cores: number): boolean {
  return bins.length >= 2 && threadSaving(bins, cores) >= 0;
}

/** Whether `threads` threads on `cores` cores can ever pay, whatever the history (the span is at least 1/min(threads, cores) of it). */
export function threadsCanPay(threads: number, cores: number): boolean {
  const parallel = Math.min(threads, cores);
  return parallel >= 2 && 1 - COPY_COST - THREAD_COST / parallel > 0;
}
