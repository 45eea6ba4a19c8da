/**
 * The seeded random source. One scenario seed decides every draw.
 *
 * Uses seedrandom's alea (fast, good enough for simulation; not the slow
 * default ARC4). Each component draws from its own named sub-stream
 * (`rng.fork("network")`, `rng.fork("node:s1")`), so adding a fault or a
 * draw in one component does not reshuffle another component's draws.
 * Not cryptographic, and not meant to be.
 */
import seedrandom from 'seedrandom';
import type { Rng as NodeRng } from '../../algorithms/api/index.ts';

export class Rng implements NodeRng {
  private readonly draw: () => number;
  /** The stream's name, for diagnostics. */
  readonly name: string;
  private readonly seed: string;

  constructor(seed: number | string, name = 'root') {
    this.seed = String(seed);
    this.name = name;
    this.draw = seedrandom.alea(`${this.seed}/${name}`);
  }

  /** An independent stream derived from this one's seed and the given name. */
  fork(name: string): Rng {
    return new Rng(this.seed, `${this.name}/${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.draw() * (max - min + 1));
  }

  /** True with probability p. Draws nothing when p is 0 or 1, so off-by-default faults cost no draws. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.draw() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.draw() * items.length)];
  }

  /** A random identifier made of the stream's draws (e.g. a lock value); not cryptographic. */
  id(prefix = ''): string {
    // One draw (as ever, so streams keep their positions), its 52 bits printed as two 26-bit
    // integers in base 36: much faster than printing one 52-bit float in base 36.
    const bits = Math.floor(this.draw() * 2 ** 52);
    return prefix + Math.floor(bits / 67108864).toString(36) + '.' + (bits % 67108864).toString(36);
  }
}
