/**
 * Times in violation details, for people: 1500 µs → "1.5ms". The checker
 * formats its own messages so it depends on nothing outside this folder.
 */
import type { Micros } from './types.ts';

export function formatMicros(us: Micros): string {
  const abs = Math.abs(us);
  if (abs >= 1_000_000) return `${trimmed(us / 1_000_000)}s`;
  if (abs >= 1_000) return `${trimmed(us / 1_000)}ms`;
  return `${us}us`;
}

function trimmed(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}
