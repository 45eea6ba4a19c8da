/**
 * Small scenario files for the suite tests (test/suite*.test.ts), written
 * into a temporary folder: four quick scenarios over every design — one
 * where a GC pause longer than the lease breaks Redis's mutual exclusion
 * and resource — so the tests depend on neither the built-in suite's names
 * nor its size. Their names sort differently by code point ("A-upper"
 * first) than by a locale's collation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NET = { latency: { min: '1ms', max: '5ms' }, loss: 0, duplicate: 0 };
const QUICK = { clients: 2, sections: 3, hold: '200ms', think: '100ms', acquireTimeout: '10s', fencing: 'writes' };

/** The paused-holder scenario (mutex✗ resource✗ on redis, as it expects). */
export const PAUSE_SCENARIO = {
  name: 'b-pause',
  seed: 1,
  duration: '40s',
  designs: ['redis'],
  config: { redis: { ttl: '10s', tokens: 'incr' } },
  network: NET,
  workload: { clients: 2, sections: 3, hold: '2s', think: '500ms', stagger: '100ms', acquireTimeout: '20s', fencing: 'none' },
  faults: [{ on: { event: 'acquired', node: 'c1', nth: 1 }, delay: '100ms', kind: 'pause', target: 'c1', duration: '15s' }],
  expect: { redis: { mutualExclusion: false, resource: false } },
};

const JSON_FILES: Record<string, object> = {
  'calm-locks.json': { name: 'calm-locks', seed: 3, duration: '20s', designs: ['redis', 'redlock', 'cas'], network: NET, workload: QUICK },
  'calm-raft.json': { name: 'calm-raft', seed: 5, duration: '20s', designs: ['raft-lock', 'zookeeper'], network: NET, workload: QUICK },
  'b-pause.json': PAUSE_SCENARIO,
};

const YAML_FILE = `name: A-upper
seed: 2
duration: 20s
designs: [redis, zookeeper]
workload: { clients: 2, sections: 2, hold: 100ms, think: 50ms, acquireTimeout: 10s }
`;

/** The scenario names, in code-point order (as the suite orders them). */
export const SUITE_NAMES = ['A-upper', 'b-pause', 'calm-locks', 'calm-raft'];

/** Writes the four scenarios into `dir` (created), plus a subfolder and a non-scenario file the suite must ignore. */
export function writeSuiteScenarios(dir: string): void {
  mkdirSync(join(dir, 'nested'), { recursive: true });
  for (const [file, body] of Object.entries(JSON_FILES)) writeFileSync(join(dir, file), JSON.stringify(body, null, 2));
  writeFileSync(join(dir, 'A-upper.yaml'), YAML_FILE);
  writeFileSync(join(dir, 'README.txt'), 'not a scenario\n');
  writeFileSync(join(dir, 'nested', 'ignored.json'), '{ "this": "is not read" }');
}
