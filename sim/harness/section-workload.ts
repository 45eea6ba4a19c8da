/**
 * The client workload for lock-free designs (a design's `SectionClient`,
 * e.g. `cas`): each client loops section → think, `sections` times or until
 * the scenario ends. The design runs each section itself against its own
 * servers (read, hold, conditional write, retries); this loop starts it,
 * lends it the hold (the workload's hold time, on this node's clock, so a
 * pause stretches it), enforces the deadline and records in true time what
 * a Jepsen client would:
 *
 * - every service operation, for the `cas-register` history: the register
 *   value in the history is the record's VERSION (version 0, the initial
 *   state, is the model's empty `null`); a read outputs the version it saw; a
 *   conditional write is `cas` with input `[fromVersion, toVersion]`, output
 *   `true` (swapped) or `false` (the version had moved on); an operation
 *   never answered stays open (`return: null`) and its process retires;
 * - every acknowledged write, for the `resource` check (register-chain.ts).
 *
 * Shares its loop with lock-workload.ts (client-loop.ts: stagger, think, `ClientProgress` surviving
 * crashes, process numbers). Differences, since nothing is held: no beliefs
 * (`holder` resolves to no one); `acquireTimeout` is the deadline for the
 * service's part of a section, counted from the section's start to its hold
 * and again from the hold's end (the hold is the workload's own time);
 * trigger events: `acquired` when a section's first read returns (the
 * optimistic analogue of a grant: the client now works from a snapshot) and
 * `released` when that section ends; metrics: the first read's latency is
 * the acquire latency, a section ending without an acknowledged write counts
 * as a failed acquire, and a client is "waiting" from a section's start
 * until its first read returns (for a timeline, that wait is the section's
 * acquire attempt: granted when the first read returns, not when the
 * section ends before one did). Not modelled: clients talking to the
 * `store` node (the register is the store).
 */
import type { Message, NodeApi, NodeHandlers, Rng, SectionCall, SectionClient, SectionOutcome, SectionReturn, TimerId } from '../../algorithms/api/index.ts';
import type { Micros } from '../../algorithms/api/index.ts';
import type { AckedWrite } from '../checker/register-chain.ts';
import type { Operation } from '../checker/linearizability/index.ts';
import type { Workload } from '../scenario/types.ts';
import { ClientLoop, type ClientProgress, type WorkloadHooks } from './client-loop.ts';

/** What the section workload records into besides the Recorder. */
export interface SectionWorkloadHooks extends WorkloadHooks {
  /** Acknowledged writes, appended in true-time order of their acknowledgement. */
  readonly writes: AckedWrite[];
}

/** The history's register value for a version: the initial version 0 is the model's empty state. */
export function historyValue(version: number): number | null {
  return version === 0 ? null : version;
}

interface Section {
  readonly no: number;
  readonly startUs: Micros;
  readonly calls: SectionCall[];
  readonly ops: Operation[];
  readonly results: Array<SectionReturn | null>;
  /** Index of the operation waiting for its answer, or -1. */
  open: number;
  /** Whether the first read returned (the `acquired` event fired). */
  snapshot: boolean;
  holding: boolean;
  /** When the latest read that returned was called (the snapshot a successful cas was based on): the section's "grant" for liveness. */
  lastReadCallUs: Micros;
}

function sameReturn(a: SectionReturn | null, b: SectionReturn | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.f === 'read') return b.f === 'read' && a.value === b.value && a.version === b.version;
  return b.f === 'cas' && a.ok === b.ok;
}

/** Builds the client node's handlers: the section workload driving a fresh section client. */
export function createSectionWorkloadClient(
  api: NodeApi,
  workload: Workload,
  progress: ClientProgress,
  rng: Rng,
  hooks: SectionWorkloadHooks,
  makeClient: () => SectionClient,
): NodeHandlers {
  const { recorder, trueNow } = hooks;
  const loop = new ClientLoop(api, workload, progress, rng, hooks);
  const me = progress.client;
  let current: Section | null = null;
  let sectionNo = 0;
  let deadlineTimer: TimerId | null = null;

  const client = makeClient();

  const clearDeadline = (): void => {
    if (deadlineTimer !== null) api.cancelTimer(deadlineTimer);
    deadlineTimer = null;
  };
  const retireProcess = (): void => loop.retire();

  /** The running section a design callback refers to; throws if the design calls back after the section ended. */
  const live = (s: Section, what: string): Section => {
    if (current !== s) throw new Error(`${me}: the design ${what} after its section ${s.no} ended or was abandoned`);
    return s;
  };

  function beginSection(): void {
    if (loop.finished()) return;
    const s: Section = { no: ++sectionNo, startUs: trueNow(), calls: [], ops: [], results: [], open: -1, snapshot: false, holding: false, lastReadCallUs: 0 };
    current = s;
    loop.startWaiting();
    armDeadline(s);
    client.runSection(
      (then) => hold(s, then),
      (outcome) => finish(live(s, 'reported an outcome'), outcome),
      {
        invoked: (call) => invoked(live(s, 'invoked an operation'), call),
        returned: (index, result) => returned(live(s, 'returned an operation'), index, result),
      },
    );
  }

  function armDeadline(s: Section): void {
    clearDeadline();
    deadlineTimer = api.setTimer(workload.acquireTimeoutUs, () => {
      deadlineTimer = null;
      if (current !== s) return;
      client.abandon();
      end(s, false, true);
    }, 'deadline');
  }

  function hold(s: Section, then: () => void): void {
    live(s, 'asked for a hold');
    if (s.holding) throw new Error(`${me}: the design asked for a hold while holding`);
    s.holding = true;
    clearDeadline();
    loop.setPending(loop.holdUs(), () => {
      if (current !== s) return;
      s.holding = false;
      armDeadline(s);
      then();
    }, 'hold');
  }

  function invoked(s: Section, call: SectionCall): number {
    if (s.holding) throw new Error(`${me}: the design sent ${call.f} during its hold`);
    if (s.open >= 0) retireProcess(); // the previous operation was never answered: its outcome stays unknown
    const index = s.calls.length;
    const input = call.f === 'cas' ? [historyValue(call.from), historyValue(call.to)] : null;
    if (call.f === 'cas' && !(call.to > call.from)) throw new Error(`${me}: cas from version ${call.from} to ${call.to} does not advance the version`);
    const op: Operation = { process: progress.process, call: trueNow(), return: null, f: call.f, input, output: null };
    recorder.recordOp(me, op);
    s.calls.push(call);
    s.ops.push(op);
    s.results.push(null);
    s.open = index;
    return index;
  }

  function returned(s: Section, index: number, result: SectionReturn): void {
    if (index !== s.open) throw new Error(`${me}: the design returned operation ${index}, but the open one is ${s.open}`);
    const call = s.calls[index];
    if (result.f !== call.f) throw new Error(`${me}: operation ${index} was a ${call.f}, answered as a ${result.f}`);
    const op = s.ops[index];
    const nowUs = trueNow();
    op.return = nowUs;
    s.results[index] = result;
    s.open = -1;
    if (result.f === 'read') {
      if (!Number.isInteger(result.version) || result.version < 0) throw new Error(`${me}: read an impossible version ${result.version}`);
      op.output = historyValue(result.version);
      s.lastReadCallUs = op.call;
      if (!s.snapshot) {
        s.snapshot = true;
        loop.stopWaiting();
        recorder.acquireLatenciesUs.push(nowUs - s.startUs);
        recorder.acquireEnded(me, s.startUs, nowUs, true);
        hooks.onEvent('acquired', me);
      }
      return;
    }
    op.output = result.ok;
    if (result.ok && call.f === 'cas') {
      hooks.writes.push({ client: me, callUs: op.call, returnUs: nowUs, fromVersion: call.from, toVersion: call.to, value: call.value });
    }
  }

  function finish(s: Section, outcome: SectionOutcome): void {
    // The design's own account must match what it reported as it went.
    if (outcome.ops.length !== s.calls.length) {
      throw new Error(`${me}: the section outcome lists ${outcome.ops.length} operations, ${s.calls.length} were reported`);
    }
    outcome.ops.forEach((record, i) => {
      const tracked = s.results[i];
      if (record.call.f !== s.calls[i].f || !sameReturn(record.result, tracked)) {
        throw new Error(`${me}: the section outcome's operation ${i} differs from what was reported`);
      }
    });
    const last = s.results[s.results.length - 1];
    const written = last !== undefined && last !== null && last.f === 'cas' && last.ok;
    if (outcome.written !== written) throw new Error(`${me}: the section outcome says written=${outcome.written}, its operations say ${written}`);
    end(s, written, false);
  }

  /** Ends the section (done, or abandoned at its deadline: `timedOut`), then thinks. */
  function end(s: Section, written: boolean, timedOut: boolean): void {
    current = null;
    clearDeadline();
    if (s.open >= 0) retireProcess();
    if (progress.waiting) loop.stopWaiting();
    if (!s.snapshot) recorder.acquireEnded(me, s.startUs, hooks.trueNow(), false, timedOut ? 'timeout' : undefined);
    if (written) {
      progress.sectionsDone++;
      recorder.sectionCompleted(me, s.lastReadCallUs, hooks.trueNow());
    } else {
      recorder.failedAcquires++;
    }
    if (s.snapshot) hooks.onEvent('released', me);
    think();
  }

  const think = (): void => loop.think(beginSection);

  loop.start(beginSection, think);

  return {
    onMessage(from: string, msg: Message): void {
      if (from === 'store') throw new Error(`${me}: the store answered a section client, which never writes to it`);
      client.onMessage(from, msg);
    },
  };
}
