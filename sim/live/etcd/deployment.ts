/**
 * The `raft-lock` and `cas` designs on real etcd: which members run and
 * with which flags, how each knob maps onto etcd or onto the live client
 * (or why nothing real corresponds), and what a crash can keep.
 *
 * Timing: the simulated Raft draws each election timeout from [min, max];
 * etcd draws it from [T, 2T) with T = `--election-timeout`, so T is the
 * knob's min and its max is not settable. etcd refuses an election timeout
 * below 5 × `--heartbeat-interval`, so the heartbeat is lowered to T / 5
 * when needed. Neither goes below a floor (ELECTION_FLOOR_MS,
 * HEARTBEAT_FLOOR_MS): etcd fsyncs its WAL on every append and shares this
 * machine's cores with every other process of the run, so shorter timeouts
 * (what `--time-scale` asks for) make healthy members campaign.
 * Lease TTL: etcd leases are whole seconds, at least etcd's own minimum
 * (⌈1.5 × election ticks × heartbeat⌉ s), so `sessionTtl` is rounded to the
 * nearest second (at least 1) and the knob mapping says when it was.
 * The version matters: Debian's etcd 3.4.23 renews leases with no
 * leadership check (the check came in 3.4.31 / 3.5.13), which is the
 * simulator's `reads: "etcd-3.4"`; its reads and ownership checks are
 * linearizable (ReadIndex), which is `"read-index"`.
 * Crash `durable`: `all` keeps the folder; `fsynced` is the same here, and
 * exact: etcd fsyncs its WAL before it acknowledges, votes or applies an
 * entry, so what a SIGKILL keeps beyond the fsynced WAL is what this member
 * never acknowledged; `none` wipes the data folder, and the member rejoins
 * as a new member (MemberRemove + MemberAdd by a member that kept its data)
 * — or, when every member lost its data, the cluster starts over empty.
 * Clock faults cannot be injected: etcd is a Go program, and Go reads the
 * clock through the vDSO, not libc, so libfaketime does not move it (etcd
 * 3.4.23 under `FAKETIME=-2d` logs today's time); the adapters say so
 * (`fakesClocks`: ETCD_NO_FAKE_CLOCKS).
 */
import { execFileSync } from 'node:child_process';
import type { Durability } from '../../core/disk.ts';
import { locate } from '../binaries.ts';
import type { KnobMapping } from '../result.ts';

/** The `raft-lock` knobs live mode reads (algorithms/raft-lock/knobs.ts's RaftLockKnobs, scaled). */
export interface RaftLockLiveKnobs {
  readonly servers: number;
  readonly electionTimeoutUs: { readonly minUs: number; readonly maxUs: number };
  readonly heartbeatUs: number;
  readonly sessionTtlUs: number;
  readonly keepAliveUs: number;
  readonly reads: 'read-index' | 'lease' | 'etcd-3.4';
  readonly permits: number;
}

/** The `cas` knobs live mode reads (algorithms/cas/knobs.ts's CasKnobs, scaled). */
export interface CasLiveKnobs {
  readonly servers: number;
  readonly replication: 'none' | 'sync' | 'async';
  readonly failoverAfterUs: number;
  readonly retries: number;
  readonly backoffUs: number;
}

/** The least `--election-timeout` live mode gives etcd (see the header). */
export const ELECTION_FLOOR_MS = 150;

/** Why clock faults cannot reach etcd's members (see the header). */
export const ETCD_NO_FAKE_CLOCKS = 'etcd is a Go program and reads the clock through the vDSO, not libc, so libfaketime cannot move its clocks';
/** The least `--heartbeat-interval` live mode gives etcd. */
export const HEARTBEAT_FLOOR_MS = 25;
/** etcd 3.4's lessor looks for expired leases this often (lessor.go, runLoop): a lease ends up to this late. */
export const LESSOR_CHECK_MS = 500;
/** The simulated cas Raft's timing (algorithms/cas/raft-server.ts, CAS_RAFT_TIMING; not a knob, so not scaled by the loader). */
const CAS_ELECTION_MIN_US = 150_000;
const CAS_HEARTBEAT_US = 50_000;

/** Where the lock recipe keeps its keys (etcd's concurrency.Mutex: `<prefix>/<lease id>`). */
export const LOCK_PREFIX = 'locksim/lock/';
/** Where a release (or a cancel) leaves its mark, in the same transaction as the delete, so the observer tells it from an expiry. */
export const RELEASED_PREFIX = 'locksim/released/';
/** The cas register. */
export const REGISTER_KEY = 'locksim/register';
/** Where a successful compare-and-set leaves its request id (the server-side deduplication the simulated register keeps). */
export const CAS_DONE_PREFIX = 'locksim/cas-done/';

/** A lock grant's identity: the lock key and its create revision (a session that acquires again reuses its key). */
export function grantId(key: string, createRevision: number): string {
  return `${key}@${createRevision}`;
}

/** etcd's flags for a knob's election timeout (min, µs) and heartbeat (µs), scaled. */
export interface EtcdTiming {
  readonly electionMs: number;
  readonly heartbeatMs: number;
}

export function etcdTiming(electionMinUs: number, heartbeatUs: number, timeScale: number): EtcdTiming {
  const electionMs = Math.max(ELECTION_FLOOR_MS, Math.round((electionMinUs * timeScale) / 1000));
  const heartbeatMs = Math.max(HEARTBEAT_FLOOR_MS, Math.min(Math.round((heartbeatUs * timeScale) / 1000), Math.floor(electionMs / 5)));
  return { electionMs, heartbeatMs };
}

/** etcd's least lease TTL (s) for this timing: ⌈(3 × election ticks / 2) × heartbeat⌉ (etcdserver/server.go). */
export function minLeaseTtlS(timing: EtcdTiming): number {
  const electionTicks = Math.floor(timing.electionMs / timing.heartbeatMs);
  return Math.ceil((Math.floor((3 * electionTicks) / 2) * timing.heartbeatMs) / 1000);
}

/** The raft-lock deployment's timing (the knobs are already scaled). */
export function raftLockTiming(knobs: RaftLockLiveKnobs): EtcdTiming {
  return etcdTiming(knobs.electionTimeoutUs.minUs, knobs.heartbeatUs, 1);
}

/** The cas deployment's timing: the simulated cas Raft's fixed timing, scaled. */
export function casTiming(timeScale: number): EtcdTiming {
  return etcdTiming(CAS_ELECTION_MIN_US, CAS_HEARTBEAT_US, timeScale);
}

/** The lease TTL the client asks for (whole seconds, at least etcd's minimum). */
export function leaseTtlS(knobs: RaftLockLiveKnobs): number {
  return Math.max(minLeaseTtlS(raftLockTiming(knobs)), Math.max(1, Math.round(knobs.sessionTtlUs / 1_000_000)));
}

export function raftLockServerNames(knobs: RaftLockLiveKnobs): string[] {
  return Array.from({ length: knobs.servers }, (_, i) => `s${i + 1}`);
}

export function casServerNames(knobs: CasLiveKnobs): string[] {
  return Array.from({ length: knobs.servers }, (_, i) => `s${i + 1}`);
}

/** Why these cas knobs cannot run live (null: they can). */
export function whyCasUnsupported(knobs: CasLiveKnobs): string | null {
  if (knobs.replication === 'async') {
    return 'cas with replication "async" has no real etcd counterpart: etcd acknowledges a transaction only once Raft committed it on a majority (that is replication "sync"); no setting makes a member acknowledge first and ship later';
  }
  return null;
}

/** Why a crash with `durable` cannot be done (null: every one can, see the header). */
export function whyEtcdCannotCrash(_durable: Durability): string | null {
  return null;
}

/** Whether a crash with `durable` loses the member's data folder. */
export function crashWipes(durable: Durability): boolean {
  return durable === 'none';
}

let versionCache: string | undefined;

/** The installed etcd's version (`etcd --version`), or "unknown". */
export function etcdVersion(): string {
  if (versionCache !== undefined) return versionCache;
  try {
    const out = execFileSync(locate('etcd'), ['--version'], { encoding: 'utf8', timeout: 5000 });
    versionCache = /etcd Version:\s*(\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    versionCache = 'unknown';
  }
  return versionCache;
}

/** Whether etcd `version` renews leases with no leadership check (before 3.4.31, and 3.5 before 3.5.13). */
export function renewsWithoutLeaderCheck(version: string): boolean | null {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (m === null) return null;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 3) return major < 3;
  if (minor < 4) return true;
  if (minor === 4) return patch < 31;
  if (minor === 5) return patch < 13;
  return false;
}

const ms = (us: number): string => `${Math.round(us / 100) / 10} ms`;

function timingMappings(electionMinUs: number, electionMaxUs: number, heartbeatUs: number, timing: EtcdTiming): KnobMapping[] {
  const electionWanted = Math.round(electionMinUs / 1000);
  const heartbeatWanted = Math.round(heartbeatUs / 1000);
  const electionNote = [
    `etcd draws each election timeout from [T, 2T) = [${timing.electionMs}, ${2 * timing.electionMs}) ms; the knob's max (${ms(electionMaxUs)}) is not settable`,
    ...(timing.electionMs !== electionWanted ? [`raised from ${electionWanted} ms to the floor of ${ELECTION_FLOOR_MS} ms (etcd fsyncs every append and shares this machine's cores; shorter timeouts make healthy members campaign)`] : []),
  ].join('; ');
  const heartbeatNote =
    timing.heartbeatMs === heartbeatWanted
      ? undefined
      : timing.heartbeatMs < heartbeatWanted
        ? `lowered from ${heartbeatWanted} ms: etcd refuses an election timeout below 5 × the heartbeat interval`
        : `raised from ${heartbeatWanted} ms to the floor of ${HEARTBEAT_FLOOR_MS} ms`;
  return [
    { knob: 'electionTimeout', value: `${ms(electionMinUs)}–${ms(electionMaxUs)}`, real: `--election-timeout ${timing.electionMs}`, note: electionNote },
    { knob: 'heartbeat', value: ms(heartbeatUs), real: `--heartbeat-interval ${timing.heartbeatMs}`, ...(heartbeatNote === undefined ? {} : { note: heartbeatNote }) },
  ];
}

/** How every raft-lock knob maps onto etcd and the live client. */
export function raftLockKnobMappings(knobs: RaftLockLiveKnobs, permits: number): KnobMapping[] {
  const timing = raftLockTiming(knobs);
  const ttl = leaseTtlS(knobs);
  const version = etcdVersion();
  const noCheck = renewsWithoutLeaderCheck(version);
  const wantedS = Math.round(knobs.sessionTtlUs / 1000) / 1000;
  const ttlNotes = [
    ...(ttl * 1_000_000 !== knobs.sessionTtlUs ? [`rounded from ${wantedS} s: etcd lease TTLs are whole seconds, at least 1 and at least etcd's minimum for this timing (${minLeaseTtlS(timing)} s)`] : []),
    `etcd's lessor looks for expired leases every ${LESSOR_CHECK_MS} ms, so a lease ends up to ${LESSOR_CHECK_MS} ms after its TTL (not scaled)`,
    'a new leader extends every lease by its election timeout (Promote), as simulated',
  ];
  const readsReal =
    noCheck === true
      ? `etcd ${version}: ReadIndex for reads and ownership checks; LeaseKeepAlive renews on the leader with no leadership check (the check came in 3.4.31 / 3.5.13)`
      : `etcd ${version}: ReadIndex for reads and ownership checks${noCheck === false ? '; LeaseKeepAlive checks leadership (3.4.31+ / 3.5.13+)' : ''}`;
  const readsNote =
    knobs.reads === 'etcd-3.4'
      ? noCheck === false
        ? `this etcd (${version}) already checks leadership on renewal: "etcd-3.4" is not what runs`
        : undefined
      : knobs.reads === 'lease'
        ? 'etcd has no flag for lease-based reads (ReadOnlyLeaseBased): reads go through ReadIndex' + (noCheck === true ? '; renewals are unchecked, as "etcd-3.4"' : '')
        : noCheck === true
          ? `ownership checks are ReadIndex as the knob says, but this etcd renews leases with no leadership check: renewals behave as "etcd-3.4"`
          : undefined;
  return [
    { knob: 'servers', value: knobs.servers, real: `${knobs.servers} etcd member${knobs.servers === 1 ? '' : 's'} (s1…s${knobs.servers}), one cluster` },
    ...timingMappings(knobs.electionTimeoutUs.minUs, knobs.electionTimeoutUs.maxUs, knobs.heartbeatUs, timing),
    { knob: 'sessionTtl', value: ms(knobs.sessionTtlUs), real: `LeaseGrant TTL=${ttl} (etcd3 client lease)`, note: ttlNotes.join('; ') },
    {
      knob: 'keepAlive',
      value: ms(knobs.keepAliveUs),
      real: `etcd3 sends LeaseKeepAlive every TTL/3 = ${Math.round((ttl * 1000) / 3)} ms (the Go client's period)`,
      note:
        'the client library fixes the period at TTL/3; the knob is not settable. etcd3 reports the lease lost only when a keep-alive reply says TTL 0, or after 2 × TTL without a reply once it reconnects; the simulated client (as Go\'s clientv3) gives up at the last reply\'s receipt + TTL, so a holder cut off from the cluster believes longer live',
    },
    { knob: 'reads', value: knobs.reads, real: readsReal, ...(readsNote === undefined ? {} : { note: readsNote }) },
    {
      knob: 'permits',
      value: permits,
      real:
        permits === 1
          ? `etcd's concurrency.Mutex recipe: a key ${LOCK_PREFIX}<lease> per waiter, the lowest create revision holds, the create revision is the token`
          : `the Mutex recipe with ${permits} permits: the ${permits} lowest create revisions under ${LOCK_PREFIX} hold`,
    },
  ];
}

/** How every cas knob maps onto etcd and the live client. */
export function casKnobMappings(knobs: CasLiveKnobs): KnobMapping[] {
  const sync = knobs.replication !== 'async';
  return [
    {
      knob: 'servers',
      value: knobs.servers,
      real: `${knobs.servers} etcd member${knobs.servers === 1 ? '' : 's'} (s1…s${knobs.servers}), one cluster`,
      ...(knobs.servers > 1 ? { note: `election timing is not a cas knob: the simulated cas Raft's 150 ms / 50 ms, scaled, through the same floors as raft-lock's (at least ${ELECTION_FLOOR_MS} ms / ${HEARTBEAT_FLOOR_MS} ms)` } : {}),
    },
    {
      knob: 'replication',
      value: knobs.replication,
      real:
        knobs.replication === 'sync'
          ? 'etcd Raft: a transaction is acknowledged once committed on a majority'
          : knobs.replication === 'none'
            ? 'a single etcd member: nothing is replicated, a transaction is acknowledged once in its fsynced WAL'
            : null,
      ...(sync ? {} : { note: 'no real counterpart: etcd never acknowledges before Raft commits' }),
    },
    { knob: 'failoverAfter', value: ms(knobs.failoverAfterUs), real: null, note: knobs.replication === 'async' ? 'no real counterpart' : 'not used: etcd fails over by Raft election, not by a replica promoting itself' },
    {
      knob: 'retries',
      value: knobs.retries,
      real: `Txn(If mod_revision(${REGISTER_KEY}) = read revision Then Put) refused → re-read, retried up to ${knobs.retries} times by the live client`,
    },
    { knob: 'backoff', value: ms(knobs.backoffUs), real: 'doubling, jittered wait of the live client before each retry' },
  ];
}
