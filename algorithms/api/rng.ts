/**
 * The random stream a node gets (`api.rng`): seeded by the scenario, one
 * independent stream per node, so the seed decides every draw. The simulator's
 * implementation is sim/core/rng.ts (seedrandom's alea); not cryptographic.
 */
export interface Rng {
  /** The stream's name, for diagnostics. */
  readonly name: string;
  /** An independent stream derived from this one's seed and the given name. */
  fork(name: string): Rng;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p; draws nothing when p is 0 or 1. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A random identifier (e.g. a lock value); not cryptographic. */
  id(prefix?: string): string;
}
