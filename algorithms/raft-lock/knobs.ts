/**
 * The raft-lock design's knobs (SPEC §3 table): parsing with defaults and
 * checks, and their documentation for `list`.
 */
import type { KnobInfo } from '../api/index.ts';
import { KnobError } from '../api/index.ts';
import { KnobReader, type RangeUs } from '../api/index.ts';
import { formatUs, type Micros } from '../api/index.ts';
import { limitsText, TIMER_LIMITS } from '../api/index.ts';

/** How the leader answers renewals (keep-alives). */
export type ReadMode = 'read-index' | 'lease';

/** Resolved knobs, durations in µs. */
export interface RaftLockKnobs {
  readonly servers: number;
  readonly electionTimeoutUs: RangeUs;
  readonly heartbeatUs: Micros;
  readonly sessionTtlUs: Micros;
  readonly keepAliveUs: Micros;
  readonly reads: ReadMode;
  /** The workload's permits (1: mutex, more: semaphore). */
  readonly permits: number;
}

/** Knob documentation. */
export const RAFT_LOCK_KNOBS: readonly KnobInfo[] = [
  { name: 'servers', default: 5, meaning: 'Raft cluster size' },
  { name: 'electionTimeout', default: { min: '150ms', max: '300ms' }, meaning: `randomized election timeout range; each end ${limitsText(TIMER_LIMITS)}` },
  { name: 'heartbeat', default: '50ms', meaning: `leader → followers AppendEntries period; ${limitsText(TIMER_LIMITS)}, below electionTimeout.min` },
  { name: 'sessionTtl', default: '10s', meaning: `client session lease; the leader expires a silent session after it; ${limitsText(TIMER_LIMITS)}` },
  { name: 'keepAlive', default: '3s', meaning: `client session renewal period; ${limitsText(TIMER_LIMITS)}, below sessionTtl` },
  {
    name: 'reads',
    default: 'read-index',
    meaning: '"read-index": confirm leadership with a heartbeat round before renewing; "lease": renew from local state under a clock-based leader lease (unsafe under clock drift)',
  },
];

/** Parses `config["raft-lock"]`; throws KnobError for a bad or unknown knob. */
export function parseRaftLockKnobs(raw: Readonly<Record<string, unknown>>, permits: number): RaftLockKnobs {
  const r = new KnobReader(raw);
  const knobs: RaftLockKnobs = {
    servers: r.number('servers', 5, { min: 1, max: 15, integer: true }),
    electionTimeoutUs: r.range('electionTimeout', { min: '150ms', max: '300ms' }, TIMER_LIMITS),
    heartbeatUs: r.duration('heartbeat', '50ms', TIMER_LIMITS),
    sessionTtlUs: r.duration('sessionTtl', '10s', TIMER_LIMITS),
    keepAliveUs: r.duration('keepAlive', '3s', TIMER_LIMITS),
    reads: r.oneOf<ReadMode>('reads', 'read-index', ['read-index', 'lease']),
    permits,
  };
  r.finish();
  if (knobs.heartbeatUs >= knobs.electionTimeoutUs.minUs) {
    throw new KnobError(['heartbeat'], `must be below electionTimeout.min (${formatUs(knobs.electionTimeoutUs.minUs)}), or followers campaign between heartbeats; got ${formatUs(knobs.heartbeatUs)}`);
  }
  if (knobs.keepAliveUs >= knobs.sessionTtlUs) {
    throw new KnobError(['keepAlive'], `must be below sessionTtl (${formatUs(knobs.sessionTtlUs)}), or sessions expire between renewals; got ${formatUs(knobs.keepAliveUs)}`);
  }
  if (!Number.isInteger(permits) || permits < 1) throw new KnobError(['permits'], `expected a whole number ≥ 1, got ${permits}`);
  return knobs;
}
