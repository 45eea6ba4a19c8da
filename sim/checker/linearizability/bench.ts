/**
 * The checker's benchmarks: `benchPorcupineEtcd` over Porcupine's Jepsen etcd
 * histories (parsing not timed, checking timed with the injected clock), and
 * `benchGenerated` over fixed seeded kv and cas-register sets.
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
import { rng } from './synth.ts';
import { corruptGet, generateKvHistory } from './synth-kv.ts';
import { corruptRead, generateCasRegisterHistory } from './synth-register.ts';

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

/** One generated set's figure: checking time and the verdicts it reached. */
export interface GeneratedBench {
  readonly ms: number;
  readonly histories: number;
  readonly ops: number;
  readonly ok: number;
  readonly illegal: number;
  readonly unknown: number;
}

/**
 * The fixed generated sets of `checker.kvGeneratedMs` / `checker.casGeneratedMs`:
 * kv — seeds 100–119 (2,000–5,000 ops, 5–19 clients, 5–16 keys, ~11 % never
 * returned), each linearizable and with one get made stale (`corruptGet`), 40
 * histories; cas-register — seeds 200–209 (1,000–2,000 ops, 3–7 clients,
 * ~3 % never returned), each linearizable and with one read of a value nobody
 * wrote (`corruptRead`), 20 histories. Sizes come from a seeded stream, so the
 * sets are the same on every machine.
 */
export function generatedSet(kind: 'kv' | 'cas-register'): Operation[][] {
  const set: Operation[][] = [];
  if (kind === 'kv') {
    for (let seed = 100; seed < 120; seed++) {
      const size = rng(seed * 7919);
      const ops = 2000 + Math.floor(size() * 3000);
      const clients = 5 + Math.floor(size() * 15);
      const keys = 5 + Math.floor(size() * 12);
      const history = generateKvHistory({ seed, ops, clients, keys });
      set.push(history, corruptGet(history, 'stale', seed * 31) ?? history);
    }
  } else {
    for (let seed = 200; seed < 210; seed++) {
      const size = rng(seed * 7919);
      const ops = 1000 + Math.floor(size() * 1000);
      const clients = 3 + Math.floor(size() * 5);
      const history = generateCasRegisterHistory({ seed, ops, clients, timeoutUs: 250 });
      set.push(history, corruptRead(history, seed) ?? history);
    }
  }
  return set;
}

/** Checks a generated set (generation not timed), `ms` measured with `now`. */
export function benchGenerated(kind: 'kv' | 'cas-register', now: () => number): GeneratedBench {
  const set = generatedSet(kind);
  const model = getModel(kind);
  let ok = 0;
  let illegal = 0;
  let unknown = 0;
  const start = now();
  for (const ops of set) {
    const result = checkOperations(ops, model).ok;
    if (result === true) ok++;
    else if (result === false) illegal++;
    else unknown++;
  }
  return { ms: now() - start, histories: set.length, ops: set.reduce((n, ops) => n + ops.length, 0), ok, illegal, unknown };
}
