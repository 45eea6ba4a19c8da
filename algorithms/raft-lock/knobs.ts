/**
 * The raft-lock design's knobs (SPEC §3 table): parsing with defaults and
 * checks, and their documentation for `list`.
 */
import type { KnobInfo } from '../api/index.ts';
import { KnobError } from '../api/index.ts';
import { KnobReader, type RangeUs } from '../api/index.ts';
import { formatUs, type Micros } from '../api/index.ts';
import { limitsText, TIMER_LIMITS } from '../api/index.ts';

/**
 * How the leader answers renewals (keep-alives) and ownership checks (a
 * poll for a request the log already settled): `read-index` confirms
 * leadership with a heartbeat round first (Ongaro's ReadIndex); `lease`
 * trusts a clock-based leader lease (etcd's ReadOnlyLeaseBased); `etcd-3.4`
 * renews with no leadership check at all (etcd 3.4.0's LeaseRenew), while
 * ownership checks still go through ReadIndex (etcd's linearizable reads).
 */
export type ReadMode = 'read-index' | 'lease' | 'etcd-3.4';

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
  { name: 'electionTimeout', default: { min: '150ms', max: '300ms' }, meaning: `randomized election timeout range (min is etcd's --election-timeout, which a new leader adds to every session at its first commit); each end ${limitsText(TIMER_LIMITS)}` },
  { name: 'heartbeat', default: '50ms', meaning: `leader → followers AppendEntries period; ${limitsText(TIMER_LIMITS)}, below electionTimeout.min` },
  {
    name: 'sessionTtl',
    default: '10s',
    meaning: `client session lease: the client counts it from each keep-alive reply's receipt, the leader from each renewal it answers (a new leader, at its first commit, gives every session electionTimeout.min + sessionTtl) and expires a silent session after it; ${limitsText(TIMER_LIMITS)}`,
  },
  { name: 'keepAlive', default: '3s', meaning: `client session renewal period; ${limitsText(TIMER_LIMITS)}, below sessionTtl` },
  {
    name: 'reads',
    default: 'read-index',
    meaning:
      '"read-index": Ongaro\'s ReadIndex, the leader confirms its leadership with a heartbeat round before it answers a renewal or an ownership check; "lease": it answers them from local state under a clock-based leader lease (etcd\'s ReadOnlyLeaseBased; unsafe when clocks drift); "etcd-3.4": renewals with no leadership check at all, as etcd 3.4.0\'s LeaseRenew (a deposed leader that has not noticed keeps renewing; ownership checks still by ReadIndex)',
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
    reads: r.oneOf<ReadMode>('reads', 'read-index', ['read-index', 'lease', 'etcd-3.4']),
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
