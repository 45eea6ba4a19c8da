/**
 * Remembers which line of which file each parsed operation came from, so a
 * later error (a model rejecting an operation) can name `file: line N`.
 *
 * Models: a weak side table from operation objects to line numbers. Does not
 * model: columns, or operations built by code (they have no line).
 */

import type { Operation } from './history.ts';

const LINES = new WeakMap<Operation, number>();

/** Records that `op` was read from 1-based line `line`. */
export function setLineOf(op: Operation, line: number): void {
  LINES.set(op, line);
}

/** The 1-based line `op` was read from (its invocation line), if a parser made it. */
export function lineOf(op: Operation): number | undefined {
  return LINES.get(op);
}
