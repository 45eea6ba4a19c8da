/**
 * Turns an illegal search outcome into a Counterexample (described ops and
 * state) and formats counterexamples as text.
 *
 * Models: what a reader needs to see why a history is not linearizable: the
 * longest prefix the search could linearize, the state it reached, and the
 * operations none of which could come next. Does not model: Porcupine's
 * per-operation partial linearizations or its HTML visualisation.
 */

import type { Counterexample, DescribedOp, Operation } from './history.ts';
import { UNKNOWN } from './history.ts';
import type { Model } from './model.ts';

function describe(model: Model, op: Operation): DescribedOp {
  return { op, described: model.describeOp(op) };
}

/**
 * Builds the counterexample of partition `partition` from indices into its
 * `ops`. Stuck operations that the model would accept in the stuck state (but
 * whose every continuation failed) are marked as such; never-returned ones
 * are listed only if taking effect there would change the state.
 */
export function buildCounterexample(
  model: Model,
  partition: number,
  ops: readonly Operation[],
  longest: readonly number[],
  stuck: readonly number[],
  state: unknown,
): Counterexample {
  return {
    partition,
    longestLinearization: longest.map((i) => describe(model, ops[i])),
    stuck: stuck.flatMap((i) => {
      const op = ops[i];
      const probe = op.return === null ? { ...op, output: UNKNOWN } : op;
      const next = model.step(state, probe);
      // A never-returned op matters here only if taking effect now would change the state.
      if (op.return === null && (next === undefined || model.equal(next, state))) return [];
      const d = describe(model, op);
      return [next === undefined ? d : { op, described: `${d.described} (legal here, but no continuation linearizes)` }];
    }),
    stateAtStuck: model.describeState(state),
  };
}

/** Styling hooks for `formatCounterexample` (identity functions for plain text). */
export interface TextStyle {
  bad: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

/** How many linearized ops the text shows at most (the last ones). */
const SHOW_LINEARIZED = 20;

/** A readable multi-line counterexample, each line indented by `indent`. */
export function formatCounterexample(cx: Counterexample, style: TextStyle, indent = '  '): string {
  const lines: string[] = [];
  const lin = cx.longestLinearization;
  lines.push(`${indent}${style.bold('partition')} ${cx.partition}`);
  lines.push(`${indent}${style.bold('longest linearization')} (${lin.length} ops${lin.length > SHOW_LINEARIZED ? `, last ${SHOW_LINEARIZED} shown` : ''}):`);
  const from = Math.max(0, lin.length - SHOW_LINEARIZED);
  if (from > 0) lines.push(`${indent}  ${style.dim('…')}`);
  for (let i = from; i < lin.length; i++) lines.push(`${indent}  ${style.dim(`${i + 1}.`)} ${lin[i].described} ${style.dim(`[${span(lin[i].op)}]`)}`);
  lines.push(`${indent}${style.bold('state there')}: ${cx.stateAtStuck}`);
  lines.push(`${indent}${style.bold('could not linearize next')}:`);
  for (const s of cx.stuck) lines.push(`${indent}  ${style.bad('✗')} ${s.described} ${style.dim(`[${span(s.op)}]`)}`);
  return lines.join('\n');
}

function span(op: Operation): string {
  return `${op.call}, ${op.return === null ? '∞' : op.return}`;
}
