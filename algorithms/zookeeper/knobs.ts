/**
 * The zookeeper design's knobs (SPEC §3 table): parsing with defaults and
 * checks, and their documentation for `list`.
 *
 * `sessionTimeout` is what every client asks for; servers negotiate it into
 * [2×, 20×] `tickTime` as ZooKeeper does (`minSessionTimeout`,
 * `maxSessionTimeout` defaults), so a knob outside that range is accepted
 * and clamped, like a real client's request. `syncLimit` is ZooKeeper's:
 * a follower that hears nothing from its leader for `tickTime × syncLimit`
 * (its leader socket's read timeout) gives up on it and closes every
 * client connection; until then it keeps its clients, answering their
 * pings itself (server.ts). `electionTimeout` / `heartbeat` time the
 * consensus core (ZAB in ZooKeeper; Raft here, see index.ts); they default
 * to the Raft core's usual 150–300 ms / 50 ms, which only changes how fast
 * a new leader is found, not what is guaranteed.
 */
import type { KnobInfo } from '../api/index.ts';
import { KnobError } from '../api/index.ts';
import { KnobReader, type RangeUs } from '../api/index.ts';
import { formatUs, type Micros } from '../api/index.ts';
import { limitsText, TIMER_LIMITS } from '../api/index.ts';

/** What the lock client does when its connection is lost (Curator's SUSPENDED). */
export type OnSuspended = 'continue' | 'stop';

/** Resolved knobs, durations in µs. */
export interface ZkKnobs {
  readonly servers: number;
  /** The session timeout each client requests (negotiated by the server). */
  readonly sessionTimeoutUs: Micros;
  /** ZooKeeper's tick: bounds the negotiated timeout and is the expiry bucket width. */
  readonly tickTimeUs: Micros;
  /** Ticks a follower waits for its leader before it gives up on it and drops its clients. */
  readonly syncLimit: number;
  readonly onSuspended: OnSuspended;
  /** ZooKeeper 3.9.3 (ZOOKEEPER-4508): the client declares its own session expired after 4/3 of the timeout without a server. */
  readonly clientSelfExpiry: boolean;
  readonly electionTimeoutUs: RangeUs;
  readonly heartbeatUs: Micros;
  /** The workload's permits (1: the lock recipe; more: the semaphore recipe). */
  readonly permits: number;
}

/** Knob documentation. */
export const ZK_KNOBS: readonly KnobInfo[] = [
  { name: 'servers', default: 5, meaning: 'ensemble size' },
  { name: 'sessionTimeout', default: '10s', meaning: `session timeout clients request; negotiated into [2×, 20×] tickTime; the client goes Disconnected after 2/3 of it without a server; ${limitsText(TIMER_LIMITS)}` },
  { name: 'tickTime', default: '2s', meaning: `ZooKeeper tick: bounds the session timeout; session expiry is rounded up to the next tick boundary; ${limitsText(TIMER_LIMITS)}` },
  { name: 'syncLimit', default: 5, meaning: 'ZooKeeper\'s syncLimit: a follower that lost its leader keeps its clients connected, answering their pings itself, for tickTime × syncLimit (10 s with the defaults, the sample zoo.cfg), then closes every client connection at once (as does a leader that lost its quorum); 1 to 1000' },
  { name: 'onSuspended', default: 'continue', meaning: '"stop": the lock holder gives up the lock the moment it goes Disconnected (Curator\'s advice for SUSPENDED); either way it gives it up on LOST, which Curator ≥ 3.0 reports once the session timeout has passed while SUSPENDED' },
  { name: 'clientSelfExpiry', default: false, meaning: 'true: the client expires its own session after 4/3 of the timeout without hearing from a server (ZooKeeper 3.9.3, ZOOKEEPER-4508)' },
  { name: 'electionTimeout', default: { min: '150ms', max: '300ms' }, meaning: `consensus core: randomized election timeout range; each end ${limitsText(TIMER_LIMITS)}` },
  { name: 'heartbeat', default: '50ms', meaning: `consensus core: leader → followers heartbeat period; ${limitsText(TIMER_LIMITS)}, below electionTimeout.min` },
];

/** Parses `config.zookeeper`; throws KnobError for a bad or unknown knob. */
export function parseZkKnobs(raw: Readonly<Record<string, unknown>>, permits: number): ZkKnobs {
  const r = new KnobReader(raw);
  const knobs: ZkKnobs = {
    servers: r.number('servers', 5, { min: 1, max: 15, integer: true }),
    sessionTimeoutUs: r.duration('sessionTimeout', '10s', TIMER_LIMITS),
    tickTimeUs: r.duration('tickTime', '2s', TIMER_LIMITS),
    syncLimit: r.number('syncLimit', 5, { min: 1, max: 1000, integer: true }),
    onSuspended: r.oneOf<OnSuspended>('onSuspended', 'continue', ['continue', 'stop']),
    clientSelfExpiry: r.boolean('clientSelfExpiry', false),
    electionTimeoutUs: r.range('electionTimeout', { min: '150ms', max: '300ms' }, TIMER_LIMITS),
    heartbeatUs: r.duration('heartbeat', '50ms', TIMER_LIMITS),
    permits,
  };
  r.finish(['permits']);
  if (knobs.heartbeatUs >= knobs.electionTimeoutUs.minUs) {
    throw new KnobError(['heartbeat'], `must be below electionTimeout.min (${formatUs(knobs.electionTimeoutUs.minUs)}), or followers campaign between heartbeats; got ${formatUs(knobs.heartbeatUs)}`);
  }
  if (!Number.isInteger(permits) || permits < 1) throw new KnobError(['permits'], `expected a whole number ≥ 1, got ${permits}`);
  return knobs;
}

/** The timeout a server grants for a requested one: ZooKeeper clamps it into [2, 20] ticks. */
export function negotiateTimeoutUs(requestedUs: Micros, tickTimeUs: Micros): Micros {
  return Math.min(20 * tickTimeUs, Math.max(2 * tickTimeUs, requestedUs));
}
