/**
 * True time for a live run: one monotonic clock for the harness and every
 * client process, in integer microseconds from the run's origin.
 *
 * Models: `process.hrtime.bigint()` reads CLOCK_MONOTONIC, which on Linux
 * is one clock for the whole machine, so a child that knows the parent's
 * origin (passed as a decimal string of nanoseconds) stamps its own events
 * on the harness's clock, at the instant they happen. We chose that over
 * the parent stamping messages on receipt: receipt adds the IPC hop and
 * whatever the parent's event loop was doing, and it would stamp a
 * SIGSTOPped child's backlog at delivery rather than when the child ran it.
 * Not modelled: machines other than this one (no shared monotonic clock),
 * processes under libfaketime that fake CLOCK_MONOTONIC (clients never run
 * under it; servers may, but never stamp anything).
 */
import type { Micros } from '../../algorithms/api/index.ts';

/** The harness's clock: µs since `originNs`. */
export interface TrueClock {
  /** CLOCK_MONOTONIC at the origin, in ns (what a child needs to share the clock). */
  readonly originNs: bigint;
  /** True time now (µs since the origin; negative before it). */
  nowUs(): Micros;
}

/** A clock whose origin is now, or the given CLOCK_MONOTONIC instant (ns). */
export function trueClock(originNs: bigint = process.hrtime.bigint()): TrueClock {
  return {
    originNs,
    nowUs: () => Number((process.hrtime.bigint() - originNs) / 1000n),
  };
}

/** A child's copy of the harness clock, from the origin the parent sent (a decimal string). */
export function sharedClock(originNs: string): TrueClock {
  return trueClock(BigInt(originNs));
}

/** The harness's clock for one run: its origin is reset to "now" when the workload starts (true time 0). */
export class HarnessClock implements TrueClock {
  originNs: bigint = process.hrtime.bigint();

  /** True time 0 is now. */
  restart(): void {
    this.originNs = process.hrtime.bigint();
  }

  nowUs(): Micros {
    return Number((process.hrtime.bigint() - this.originNs) / 1000n);
  }
}
