/**
 * Turns what a live run saw into the history the simulator's checks judge:
 * the clients' events (stamped in the clients, arriving in any order), the
 * service's grants, deletions and expiries (in the server's order, stamped
 * on receipt), crashes and restarts of clients, and the store's accesses.
 *
 * - Client events are replayed in true-time order into the simulator's own
 *   `Recorder`, with the same rules as sim/harness/lock-workload.ts: an
 *   acquire is an operation from its call to its grant; a timed-out one
 *   stays open and its process retires (Jepsen's convention), as does one
 *   whose release outcome is unknown and a client restarted after a crash;
 *   a belief runs from acquire-ok to the release call, the report of loss,
 *   or the crash. Events of a client stamped after its crash (a message
 *   that raced the SIGKILL) and anything after the run's end are dropped.
 * - Grant times: the service granted somewhere between the acquire's call
 *   and both the client's acquire-ok and the observer's receipt; the
 *   earlier of those two stands for it (then made non-decreasing in the
 *   server's order, which is the true order). That is what fencing's
 *   "tokens increase in grant order" and the liveness rule ("granted after
 *   the fault ended") read.
 * - Expiries: Redis publishes an expiry when it deletes the key (lazily on
 *   access, or in its 10 ms active cycle), and the observer stamps it on
 *   receipt — possibly after the next holder's acquire-ok was stamped in
 *   another process. A point at the receipt would then put the expiry after
 *   the next grant, and a correct service would not linearize. So each
 *   expiry becomes an interval, from its grant to its receipt (it surely
 *   happened in between): sound, and as tight as we can observe.
 * - Lease bookkeeping goes through the simulator's LeaseTracker and
 *   service-history builder unchanged (quorum 1: one primary).
 * Not modelled: expiries the observer missed while disconnected (a
 * crashed server emits none; a key lost with its disk never expires).
 */
import type { Micros } from '../../algorithms/api/index.ts';
import { SERVICE_PROCESS, type Operation } from '../checker/linearizability/index.ts';
import type { GrantRecord, StoreAccess } from '../checker/types.ts';
import { LeaseTracker, type ExpiryRecord } from '../harness/lease-tracker.ts';
import { Recorder } from '../harness/recorder.ts';
import { serviceOperations } from '../harness/service-history.ts';
import type { ClientEvent } from './child-protocol.ts';
import type { ServiceEvent } from './service.ts';

/** Something that happened to a client process (from the harness, not the client). */
export type ClientLifeEvent = { readonly kind: 'crashed'; readonly atUs: number } | { readonly kind: 'restarted'; readonly atUs: number };

/** One entry of the client log, in arrival order. */
export interface ClientLogEntry {
  readonly client: string;
  /** Which life of the client (0 first, +1 per restart). */
  readonly life: number;
  readonly event: ClientEvent | ClientLifeEvent;
}

export interface LiveHistoryInput {
  readonly clients: readonly string[];
  readonly clientLog: readonly ClientLogEntry[];
  readonly service: readonly ServiceEvent[];
  readonly store: readonly StoreAccess[];
  readonly endUs: Micros;
  /** The service's lease quorum (1 for one primary). */
  readonly quorum: number;
}

export interface LiveHistory {
  readonly recorder: Recorder;
  readonly serviceHistory: Operation[];
  /** Expiries the tracker recorded (for metrics and derived effects). */
  readonly expiries: readonly ExpiryRecord[];
  /** Expiries the observer could not pin on a grant it saw. */
  readonly unattributedExpiries: number;
  /** Clients whose process was down at the end. */
  readonly downAtEnd: ReadonlySet<string>;
  /** Each client's final process number. */
  readonly processOf: ReadonlyMap<string, number>;
}

/** Per-client replay state. */
interface ClientState {
  process: number;
  acquire: Operation | null;
  acquireCallUs: number;
  release: Operation | null;
  grantedUs: number;
  waiting: boolean;
  down: boolean;
  /** Crash time of the current life, if it crashed. */
  crashedUs: number | null;
}

/**
 * The client log up to `endUs` in true-time order (stable: one client's
 * events are already in order), without what a life logged after its
 * crash (a killed process's last messages can arrive late).
 */
export function clientEventsInOrder(clientLog: readonly ClientLogEntry[], endUs: number): Array<{ readonly entry: ClientLogEntry; readonly seq: number }> {
  const crashes = new Map<string, number[]>(); // client → crash time per life
  for (const entry of clientLog) {
    if (entry.event.kind !== 'crashed') continue;
    const list = crashes.get(entry.client) ?? [];
    list[entry.life] = entry.event.atUs;
    crashes.set(entry.client, list);
  }
  return clientLog
    .map((entry, seq) => ({ entry, seq }))
    .filter(({ entry }) => {
      if (entry.event.atUs > endUs) return false;
      if (entry.event.kind === 'crashed' || entry.event.kind === 'restarted') return true;
      const crashedUs = crashes.get(entry.client)?.[entry.life];
      return crashedUs === undefined || entry.event.atUs <= crashedUs;
    })
    .sort((a, b) => a.entry.event.atUs - b.entry.event.atUs || a.seq - b.seq);
}

/** Marks a client waiting for the lock or not, telling the recorder on each change. */
export function waitingSetter(recorder: Recorder): (s: { waiting: boolean }, waiting: boolean, atUs: number) => void {
  return (s, waiting, atUs) => {
    if (s.waiting === waiting) return;
    s.waiting = waiting;
    if (waiting) recorder.startWaiting(atUs);
    else recorder.stopWaiting(atUs);
  };
}

export function buildLiveHistory(input: LiveHistoryInput): LiveHistory {
  const { endUs } = input;
  const recorder = new Recorder();

  // 1. Grant times: the earlier of the observer's receipt and the client's acquire-ok for that grant.
  const okTimes = new Map<string, number>();
  for (const { event } of input.clientLog) if (event.kind === 'acquire-ok') okTimes.set(event.lease, Math.min(okTimes.get(event.lease) ?? Infinity, event.atUs));
  const service = input.service.filter((e) => e.atUs <= endUs || e.kind === 'granted');
  const grantTimes: number[] = service.map((e) => (e.kind === 'granted' ? Math.min(e.atUs, okTimes.get(e.lease) ?? Infinity) : e.atUs));
  let later = Infinity;
  for (let i = service.length - 1; i >= 0; i--) {
    if (service[i].kind !== 'granted') continue;
    grantTimes[i] = Math.min(grantTimes[i], later);
    later = grantTimes[i];
  }
  const grantOfLease = new Map<string, number>();
  service.forEach((e, i) => {
    if (e.kind === 'granted' && grantTimes[i] <= endUs) {
      recorder.grants.push({ atUs: grantTimes[i], server: e.server, client: e.client, token: e.token } satisfies GrantRecord);
      grantOfLease.set(e.lease, grantTimes[i]);
    }
  });

  // 2. Client events in true-time order.
  const entries = clientEventsInOrder(input.clientLog, endUs);
  let nextProcess = input.clients.length + 1;
  const state = new Map<string, ClientState>(
    input.clients.map((client, i) => [client, { process: i + 1, acquire: null, acquireCallUs: 0, release: null, grantedUs: 0, waiting: false, down: false, crashedUs: null }]),
  );
  const setWaiting = waitingSetter(recorder);
  for (const { entry } of entries) {
    const s = state.get(entry.client);
    if (s === undefined) continue;
    const event = entry.event;
    const at = event.atUs;
    switch (event.kind) {
      case 'acquire-call': {
        const op: Operation = { process: s.process, call: at, return: null, f: 'acquire', input: null, output: null };
        recorder.recordOp(entry.client, op);
        s.acquire = op;
        s.acquireCallUs = at;
        setWaiting(s, true, at);
        break;
      }
      case 'acquire-ok': {
        setWaiting(s, false, at);
        if (s.acquire !== null) {
          recorder.acquireEnded(entry.client, s.acquireCallUs, at, true);
          s.acquire.return = at;
          s.acquire.output = event.token === undefined ? true : { token: event.token };
          recorder.acquireLatenciesUs.push(at - s.acquireCallUs);
        }
        s.acquire = null;
        s.grantedUs = grantOfLease.get(event.lease) ?? at;
        recorder.beginBelief(entry.client, at, event.token);
        break;
      }
      case 'acquire-timeout':
        if (s.acquire !== null) recorder.acquireEnded(entry.client, s.acquireCallUs, at, false, 'timeout');
        setWaiting(s, false, at);
        recorder.failedAcquires++;
        s.acquire = null; // stays open: outcome unknown
        s.process = nextProcess++;
        break;
      case 'release-call': {
        recorder.endBelief(entry.client, at, event.why);
        const op: Operation = { process: s.process, call: at, return: null, f: 'release', input: null, output: null };
        recorder.recordOp(entry.client, op);
        s.release = op;
        break;
      }
      case 'release-return':
        if (s.release !== null && event.ok !== null) {
          s.release.return = at;
          s.release.output = event.ok;
        } else {
          s.process = nextProcess++;
        }
        s.release = null;
        break;
      case 'section-done':
        recorder.sectionCompleted(entry.client, s.grantedUs, at);
        break;
      case 'lost':
        recorder.endBelief(entry.client, at, `lost: ${event.reason}`);
        break;
      case 'crashed':
        if (s.acquire !== null) recorder.acquireEnded(entry.client, s.acquireCallUs, at, false, 'crashed');
        recorder.endBelief(entry.client, at, 'crashed');
        setWaiting(s, false, at);
        s.acquire = null;
        s.release = null;
        s.down = true;
        break;
      case 'restarted':
        s.down = false;
        s.process = nextProcess++;
        break;
      case 'note':
      case 'done':
        break;
    }
  }
  recorder.finish(endUs);
  for (const access of input.store) if (access.atUs <= endUs) recorder.storeAccesses.push(access);

  // 3. Leases and expiries through the simulator's tracker, in the server's order.
  const leases = new LeaseTracker(input.quorum);
  let unattributed = 0;
  const lowerBound = new Map<number, number>();
  /** The latest grant of each lease so far, in the server's order (a lease retried after an expiry is granted again). */
  const grantedAt = new Map<string, number>();
  service.forEach((e, i) => {
    if (e.kind === 'granted') {
      grantedAt.set(e.lease, grantTimes[i]);
      if (grantTimes[i] <= endUs) leases.granted(e.server, e.client, e.lease, e.token, grantTimes[i]);
      return;
    }
    if (e.lease === undefined || e.owner === undefined) {
      if (e.kind === 'expired') unattributed++;
      return;
    }
    if (e.kind === 'deleted') leases.deleted(e.server, e.lease);
    else {
      leases.expired(e.server, e.owner, e.lease, e.token, e.atUs);
      const from = grantedAt.get(e.lease);
      if (from !== undefined) lowerBound.set(e.atUs, Math.min(lowerBound.get(e.atUs) ?? Infinity, from));
    }
  });
  const processOf = new Map([...state].map(([client, s]) => [client, s.process]));
  const ops = serviceOperations(recorder.serviceOps, leases.expiries, (client) => processOf.get(client) ?? 0);
  for (const op of ops) {
    if (op.process !== SERVICE_PROCESS || op.f !== 'expire') continue;
    const from = lowerBound.get(op.call);
    if (from !== undefined && from < op.call) op.call = from;
  }

  return {
    recorder,
    serviceHistory: ops,
    expiries: leases.expiries,
    unattributedExpiries: unattributed,
    downAtEnd: new Set([...state].filter(([, s]) => s.down).map(([client]) => client)),
    processOf,
  };
}
