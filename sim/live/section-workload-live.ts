/**
 * Live mode for lock-free designs (a design whose simulated client is a
 * `SectionClient`, e.g. `cas`): the live twin of
 * sim/harness/section-workload.ts, in two halves.
 *
 * In the client process (`runSectionWorkload`): each client loops section
 * → think, `sections` times or until the run ends. The design's real client
 * (`LiveSectionClient`) runs each section itself — read, hold, conditional
 * write, retries — and reports each service operation as it goes; this loop
 * starts it, lends it the hold, enforces the deadline and hands every step
 * to the parent at once (a SIGKILLed child keeps nothing). As in
 * simulation: `acquireTimeout` is the deadline for the service's part of a
 * section, counted from the section's start to its hold and again from the
 * hold's end; at the deadline the section is abandoned (its open operation
 * stays open); a restarted client thinks first; the first life waits its
 * stagger. Events (child-protocol.ts): `section-start`, `op-call`,
 * `op-return` (`first`: the section's first read returned — the `acquired`
 * trigger event), `section-done` when the write was acknowledged (counted
 * by the session), `section-end`.
 *
 * In the harness (`buildLiveSectionHistory`): the events, replayed in
 * true-time order, become what section-workload.ts records — every service
 * operation for the `cas-register` history (the register's value in the
 * history is its VERSION; version 0 is the model's empty `null`; an
 * operation never answered stays open and its process retires), every
 * acknowledged write for `resource` (register-chain.ts), the first read's
 * latency as the acquire latency, a section without an acknowledged write
 * as a failed acquire, the waiting time for unavailability, each completed
 * section (granted when the read its write was based on was called) for
 * liveness — and the service's reported writes as `fencing`'s grants.
 * No beliefs: nothing is held, so `holder` resolves to no one.
 */
import type { Micros, SectionCall, SectionReturn } from '../../algorithms/api/index.ts';
import type { AckedWrite } from '../checker/register-chain.ts';
import type { Operation } from '../checker/linearizability/index.ts';
import type { GrantRecord, StoreAccess } from '../checker/types.ts';
import { Recorder } from '../harness/recorder.ts';
import { serviceOperations } from '../harness/service-history.ts';
import { historyValue } from '../harness/section-workload.ts';
import { Rng } from '../core/rng.ts';
import type { ChildConfig, ClientEvent } from './child-protocol.ts';
import { draw, loopSections, sleep, type EventBody } from './child-workload.ts';
import type { TrueClock } from './clock.ts';
import { clientEventsInOrder, waitingSetter, type ClientLogEntry, type LiveHistory } from './history.ts';
import type { ServiceEvent } from './service.ts';

/** How the workload lends a section its hold and hears of its operations. */
export interface LiveSectionIo {
  /** The workload's hold (the deadline is off meanwhile). */
  hold(): Promise<void>;
  /** The client sends `call` now. */
  invoked(call: SectionCall): void;
  /** The client learned the outcome of the open operation now. */
  returned(result: SectionReturn): void;
}

/** What a section ended with. */
export interface LiveSectionOutcome {
  readonly written: boolean;
  /** Why it ended without a write, when it did. */
  readonly reason?: string;
}

/**
 * The live twin of a design's `SectionClient` (algorithms/api/client.ts):
 * one section at a time; after `abandon()` it calls nothing on `io` again
 * and its `runSection` promise settles soon (an operation already sent may
 * still take effect at the service: it stays open in the history).
 */
export interface LiveSectionClient {
  connect(): Promise<void>;
  runSection(io: LiveSectionIo): Promise<LiveSectionOutcome>;
  abandon(): void;
  /** Requests sent to the service so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Runs the section workload to its end inside a client process. */
export async function runSectionWorkload(config: ChildConfig, io: { readonly clock: TrueClock; readonly client: LiveSectionClient; readonly emit: (event: ClientEvent) => void }): Promise<void> {
  const { workload } = config;
  const rng = new Rng(config.seed, `live/${config.client}/${config.boot}`);
  const now = (): number => io.clock.nowUs();
  const emit = (body: EventBody): void => io.emit({ ...body, atUs: now() } as ClientEvent);
  let sectionsDone = config.sectionsDone;
  const finished = (): boolean => sectionsDone >= workload.sections || now() >= config.endUs;

  async function section(): Promise<void> {
    emit({ kind: 'section-start' });
    let live = true;
    let snapshot = false;
    let timer: NodeJS.Timeout | undefined;
    let timedOut!: () => void;
    const deadline = new Promise<'timeout'>((resolve) => {
      timedOut = () => resolve('timeout');
    });
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!live) return;
        live = false;
        io.client.abandon();
        timedOut();
      }, workload.acquireTimeoutUs / 1000);
    };
    arm();
    const sectionIo: LiveSectionIo = {
      hold: async () => {
        clearTimeout(timer);
        await sleep(draw(rng, workload.holdUs));
        if (live) arm();
      },
      invoked: (call) => {
        if (live) emit({ kind: 'op-call', call });
      },
      returned: (result) => {
        if (!live) return;
        const first = result.f === 'read' && !snapshot;
        if (first) snapshot = true;
        emit({ kind: 'op-return', result, first });
      },
    };
    const outcome = await Promise.race([
      io.client.runSection(sectionIo).catch((error: unknown): LiveSectionOutcome => ({ written: false, reason: `client error: ${(error as Error).message}` })),
      deadline,
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      emit({ kind: 'section-end', written: false, timedOut: true, snapshot, reason: 'deadline (acquireTimeout) passed' });
      return;
    }
    live = false;
    if (outcome.written) {
      sectionsDone++;
      emit({ kind: 'section-done' });
    }
    emit({ kind: 'section-end', written: outcome.written, timedOut: false, snapshot, ...(outcome.reason === undefined ? {} : { reason: outcome.reason }) });
  }

  const think = (): Promise<void> => sleep(draw(rng, workload.thinkUs));
  await loopSections(config, { section, think, finished, done: () => emit({ kind: 'done' }) });
}

export interface LiveSectionHistoryInput {
  readonly clients: readonly string[];
  readonly clientLog: readonly ClientLogEntry[];
  /** The service's reported writes (`granted`, token: the version each produced). */
  readonly service: readonly ServiceEvent[];
  readonly store: readonly StoreAccess[];
  readonly endUs: Micros;
}

/** What the judge needs of a lock-free design's live run: a lock run's history plus the acknowledged writes. */
export interface LiveSectionHistory extends LiveHistory {
  readonly registerWrites: readonly AckedWrite[];
}

interface SectionState {
  readonly startUs: number;
  readonly calls: SectionCall[];
  readonly ops: Operation[];
  open: number;
  snapshot: boolean;
  lastReadCallUs: number;
}

interface ClientState {
  process: number;
  section: SectionState | null;
  waiting: boolean;
  down: boolean;
}

/** Replays a lock-free design's live run into the simulator's records (see the header). */
export function buildLiveSectionHistory(input: LiveSectionHistoryInput): LiveSectionHistory {
  const { endUs } = input;
  const recorder = new Recorder();
  const writes: AckedWrite[] = [];
  for (const e of input.service) {
    if (e.kind === 'granted' && e.atUs <= endUs) recorder.grants.push({ atUs: e.atUs, server: e.server, client: e.client, token: e.token } satisfies GrantRecord);
  }

  const entries = clientEventsInOrder(input.clientLog, endUs);
  let nextProcess = input.clients.length + 1;
  const state = new Map<string, ClientState>(input.clients.map((client, i) => [client, { process: i + 1, section: null, waiting: false, down: false }]));
  const setWaiting = waitingSetter(recorder);
  for (const { entry } of entries) {
    const s = state.get(entry.client);
    if (s === undefined) continue;
    const event = entry.event;
    const at = event.atUs;
    const sec = s.section;
    switch (event.kind) {
      case 'section-start':
        s.section = { startUs: at, calls: [], ops: [], open: -1, snapshot: false, lastReadCallUs: 0 };
        setWaiting(s, true, at);
        break;
      case 'op-call': {
        if (sec === null) break;
        if (sec.open >= 0) s.process = nextProcess++; // the previous operation was never answered
        const call = event.call;
        const op: Operation = { process: s.process, call: at, return: null, f: call.f, input: call.f === 'cas' ? [historyValue(call.from), historyValue(call.to)] : null, output: null };
        recorder.recordOp(entry.client, op);
        sec.calls.push(call);
        sec.ops.push(op);
        sec.open = sec.ops.length - 1;
        break;
      }
      case 'op-return': {
        if (sec === null || sec.open < 0) break;
        const op = sec.ops[sec.open];
        const call = sec.calls[sec.open];
        sec.open = -1;
        op.return = at;
        const result = event.result;
        if (result.f === 'read') {
          op.output = historyValue(result.version);
          sec.lastReadCallUs = op.call;
          if (!sec.snapshot) {
            sec.snapshot = true;
            setWaiting(s, false, at);
            recorder.acquireLatenciesUs.push(at - sec.startUs);
            recorder.acquireEnded(entry.client, sec.startUs, at, true);
          }
          break;
        }
        op.output = result.ok;
        if (result.ok && call.f === 'cas') writes.push({ client: entry.client, callUs: op.call, returnUs: at, fromVersion: call.from, toVersion: call.to, value: call.value });
        break;
      }
      case 'section-end':
        if (sec === null) break;
        s.section = null;
        if (sec.open >= 0) s.process = nextProcess++;
        setWaiting(s, false, at);
        if (!sec.snapshot) recorder.acquireEnded(entry.client, sec.startUs, at, false, event.timedOut ? 'timeout' : undefined);
        if (event.written) recorder.sectionCompleted(entry.client, sec.lastReadCallUs, at);
        else recorder.failedAcquires++;
        break;
      case 'crashed':
        if (sec !== null && !sec.snapshot) recorder.acquireEnded(entry.client, sec.startUs, at, false, 'crashed');
        setWaiting(s, false, at);
        s.section = null; // an operation the crash cut off stays open
        s.down = true;
        break;
      case 'restarted':
        s.down = false;
        s.process = nextProcess++;
        break;
      default:
        break;
    }
  }
  recorder.finish(endUs);
  for (const access of input.store) if (access.atUs <= endUs) recorder.storeAccesses.push(access);
  const processOf = new Map([...state].map(([client, s]) => [client, s.process]));
  return {
    recorder,
    serviceHistory: serviceOperations(recorder.serviceOps, [], (client) => processOf.get(client) ?? 0),
    expiries: [],
    unattributedExpiries: 0,
    downAtEnd: new Set([...state].filter(([, s]) => s.down).map(([client]) => client)),
    processOf,
    registerWrites: writes.sort((a, b) => a.returnUs - b.returnUs),
  };
}
