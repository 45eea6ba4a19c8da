/**
 * The cas design's knobs (SPEC §3 table): parsing with defaults and checks,
 * and their documentation for `list`. The workload's `permits` is accepted
 * and ignored: optimistic concurrency has no permits to hand out.
 */
import type { KnobInfo } from '../api/index.ts';
import { KnobError } from '../api/index.ts';
import { KnobReader } from '../api/index.ts';
import type { Micros } from '../api/index.ts';
import { limitsText, TIMER_LIMITS, WAIT_LIMITS } from '../api/index.ts';

/** How the register is replicated: not at all (s1 alone), through Raft (`sync`), or primary → replicas after the reply (`async`). */
export type Replication = 'none' | 'sync' | 'async';

/** Resolved knobs, durations in µs. */
export interface CasKnobs {
  readonly servers: number;
  readonly replication: Replication;
  /** async: a replica that has not heard from its primary this long (its own monotonic clock) promotes itself. */
  readonly failoverAfterUs: Micros;
  /** Conditional writes retried (re-read, compare-and-set again) after a refusal before the section gives up. */
  readonly retries: number;
  /** Base delay before a retry; doubles per retry, jittered. */
  readonly backoffUs: Micros;
}

/** Knob documentation. */
export const CAS_KNOBS: readonly KnobInfo[] = [
  { name: 'servers', default: 1, meaning: 'server count: 1 with replication "none", ≥ 2 for "async" (s1 primary, the rest replicas), ≥ 3 for "sync" (a Raft group)' },
  {
    name: 'replication',
    default: 'none',
    meaning: '"none": one server; "sync": every write committed through Raft before it is acknowledged; "async": the primary acknowledges, then ships to replicas (can lose acknowledged writes on failover)',
  },
  { name: 'failoverAfter', default: '5s', meaning: `async: a replica promotes itself after hearing nothing from its primary this long; ${limitsText(TIMER_LIMITS)}` },
  { name: 'retries', default: 10, meaning: 'refused compare-and-sets retried (re-read, try again) before a section gives up' },
  { name: 'backoff', default: '10ms', meaning: `base delay before a retry (doubled per retry, jittered); ${limitsText(WAIT_LIMITS)}` },
];

/** Parses `config.cas`; throws KnobError for a bad, unknown or inconsistent knob. */
export function parseCasKnobs(raw: Readonly<Record<string, unknown>>, _permits: number): CasKnobs {
  const r = new KnobReader(raw);
  const knobs: CasKnobs = {
    servers: r.number('servers', 1, { min: 1, max: 15, integer: true }),
    replication: r.oneOf<Replication>('replication', 'none', ['none', 'sync', 'async']),
    failoverAfterUs: r.duration('failoverAfter', '5s', TIMER_LIMITS),
    retries: r.number('retries', 10, { min: 0, max: 1000, integer: true }),
    backoffUs: r.duration('backoff', '10ms', WAIT_LIMITS),
  };
  r.finish(['permits']);
  if (knobs.replication === 'none' && knobs.servers !== 1) {
    throw new KnobError(['servers'], `${knobs.servers} servers need a replication mode ("sync" or "async"); with replication "none" there is exactly one server`);
  }
  if (knobs.replication === 'async' && knobs.servers < 2) {
    throw new KnobError(['servers'], `replication "async" needs a primary and at least one replica: servers ≥ 2, got ${knobs.servers}`);
  }
  if (knobs.replication === 'sync' && knobs.servers < 3) {
    throw new KnobError(['servers'], `replication "sync" is a Raft group that must survive a failure: servers ≥ 3, got ${knobs.servers}`);
  }
  return knobs;
}
