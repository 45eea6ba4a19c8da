/**
 * The run's trace: a hash folded over every handled event, and (only when
 * asked for) one text line per event.
 *
 * The hash mixes each event's true time, node, kind and label into two
 * 32-bit lanes (multiply-xorshift, like FNV/Murmur finalisers), so computing
 * it costs a few integer operations per event and no strings. Same scenario
 * and seed ⇒ same hash, on any machine (integer-only arithmetic).
 */

const labelCodes = new Map<string, number>();

/** A stable 32-bit code for a label string (memoised). */
export function labelCode(label: string): number {
  let code = labelCodes.get(label);
  if (code === undefined) {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) {
      h ^= label.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    code = h >>> 0;
    labelCodes.set(label, code);
  }
  return code;
}

export class TraceHasher {
  private a = 0x9e3779b9 | 0;
  private b = 0x85ebca6b | 0;

  /** Folds one integer (up to 2^53) into the hash. */
  mix(value: number): void {
    const lo = value | 0;
    const hi = (value / 4294967296) | 0; // exact for the non-negative integers below 2^53 hashed here
    this.a = Math.imul(this.a ^ lo, 0x01000193) ^ hi;
    this.a ^= this.a >>> 15;
    this.b = Math.imul(this.b ^ hi, 0x5bd1e995) + lo;
    this.b ^= this.b >>> 13;
  }

  /** The hash as 16 hex digits. */
  digest(): string {
    let a = this.a;
    let b = this.b;
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b) ^ b;
    b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35) ^ a;
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}

/** Formats a true time for the text trace: seconds with 6 decimals, padded. */
export function traceTime(trueUs: number): string {
  return (trueUs / 1e6).toFixed(6).padStart(12, ' ');
}
