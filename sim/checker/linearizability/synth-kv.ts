/**
 * Seeded kv histories of the shape that once made the checker slow (issue
 * 10): N clients over K keys (get / put / append of unique tokens) against a
 * linearizable kv store, through synth-timed.ts's clients (heavy-tailed
 * latencies, timed-out ops that may take effect later or never), and
 * `corruptGet` to make one get provably illegal. For the bench and the tests.
 *
 * Models: Porcupine's kv store. Does not model: deletes, multi-key ops.
 */

import type { Operation } from './history.ts';
import { generateTimedHistory, type TimedHistoryOptions } from './synth-timed.ts';

export interface KvHistoryOptions extends TimedHistoryOptions {
  /** Keys. */
  keys: number;
}

/** Generates a linearizable kv history (see the module header). */
export function generateKvHistory(options: KvHistoryOptions): Operation[] {
  const keys = Array.from({ length: options.keys }, (_, i) => `k${i}`);
  const store = new Map<string, string>();
  let token = 0;
  return generateTimedHistory(options, {
    intent(random) {
      const key = keys[Math.floor(random() * keys.length)];
      const r = random();
      const f = r < 0.5 ? 'get' : r < 0.92 ? 'append' : 'put';
      return { f, key, input: f === 'get' ? null : `<${f === 'put' ? 'p' : 'a'}${(token++).toString(36)}>` };
    },
    apply(op) {
      const key = op.key as string;
      const now = store.get(key) ?? '';
      if (op.f === 'get') return now;
      store.set(key, op.f === 'put' ? (op.input as string) : now + (op.input as string));
      return null;
    },
  });
}

/**
 * Makes one get provably illegal, or returns undefined when none fits.
 * 'stale': a get whose key has no put called before it returns drops a token
 * whose append returned before the get was called (appends only extend the
 * string, so every state it could read holds that token). 'phantom': a get
 * reads its value plus a token nobody wrote. The `pick`-th fitting get is used.
 */
export function corruptGet(ops: readonly Operation[], kind: 'stale' | 'phantom', pick: number): Operation[] | undefined {
  const out = ops.map((op) => ({ ...op }));
  const fits: number[] = [];
  for (let i = 0; i < out.length; i++) {
    const g = out[i];
    if (g.f !== 'get' || g.return === null || typeof g.output !== 'string') continue;
    if (kind === 'phantom') {
      fits.push(i);
      continue;
    }
    const gr = g.return;
    if (out.some((o) => o.key === g.key && o.f === 'put' && o.call <= gr)) continue;
    if (droppable(out, g) !== undefined) fits.push(i);
  }
  if (fits.length === 0) return undefined;
  const g = out[fits[pick % fits.length]];
  if (kind === 'phantom') g.output = `${g.output as string}<zz>`;
  else g.output = (g.output as string).replace(droppable(out, g) as string, '');
  return out;
}

/** A token in get `g`'s output whose append returned before `g` was called. */
function droppable(ops: readonly Operation[], g: Operation): string | undefined {
  const value = g.output as string;
  for (const o of ops) {
    if (o.key !== g.key || o.f !== 'append' || o.return === null || o.return >= g.call) continue;
    if (value.includes(o.input as string)) return o.input as string;
  }
  return undefined;
}
