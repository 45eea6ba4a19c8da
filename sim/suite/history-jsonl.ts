/**
 * A run's service history as SPEC §5 `jsonl`: one operation a line, fields
 * in the spec's order (`process`, `call`, `return`, `f`, `key` when set,
 * `input`, `output`), times in true microseconds, an unknown output as
 * `{"unknown": true}`, lines ordered by call time (then as recorded). This
 * is the history the `linearizable` check judged: `locksim check FILE
 * --model M`, with M the result's `checks.linearizable.model` (a jsonl
 * file does not name its model), gives the same verdict.
 */
import type { Operation } from '../checker/linearizability/index.ts';

/** The operations as jsonl text (empty for no operations; else one line each, newline-terminated). */
export function historyJsonl(ops: readonly Operation[]): string {
  const order = ops.map((op, i) => ({ op, i })).sort((a, b) => a.op.call - b.op.call || a.i - b.i);
  return order
    .map(({ op }) =>
      `${JSON.stringify({ process: op.process, call: op.call, return: op.return, f: op.f, ...(op.key === undefined ? {} : { key: op.key }), input: op.input ?? null, output: op.output ?? null })}\n`,
    )
    .join('');
}
