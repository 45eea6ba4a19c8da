/**
 * `benchPorcupineEtcd`: the checker's benchmark over Porcupine's Jepsen etcd
 * histories (parsing not timed, checking timed with the injected clock).
 *
 * Models: the `checker.porcupineEtcdMs` figure of `locksim bench`. Does not
 * model: verifying verdicts (the tests do that against EXPECTED.tsv).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from './history.ts';
import { getModel } from './models/index.ts';
import { parsePorcupineEtcd } from './parse-porcupine.ts';
import { checkOperations } from './check.ts';

/**
 * Parses every non-empty `test_data/jepsen/etcd_*.log` under `dataDir` (the
 * shared/data/porcupine directory), then checks them all against
 * `cas-register`; `ms` is the checking time only, measured with `now`.
 */
export function benchPorcupineEtcd(dataDir: string, now: () => number): { ms: number; files: number } {
  const dir = join(dataDir, 'test_data', 'jepsen');
  const histories: Operation[][] = [];
  for (const name of readdirSync(dir).filter((f) => /^etcd_\d+\.log$/.test(f)).sort()) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    if (text.trim() === '') continue;
    histories.push(parsePorcupineEtcd(text, file));
  }
  const model = getModel('cas-register');
  const start = now();
  for (const ops of histories) checkOperations(ops, model);
  return { ms: now() - start, files: histories.length };
}
