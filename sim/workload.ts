/**
 * The shared client workload, the same for every design (SPEC §3): each
 * client loops acquire → read store → hold → write store (read value + 1)
 * → release → think, `sections` times or until the scenario ends.
 *
 * It runs on the client node (its timers use the client's clock, so a pause
 * delays them), wraps the design's `LockClient`, and records — as a Jepsen
 * client would — the true times of beliefs, acquire/release operations and
 * outcomes. A section is given up (without writing) when the client learns
 * it lost the lock, when the store rejects its token, when `checkBeforeWrite`
 * finds the lock invalid, or when the store does not answer within
 * `STORE_TIMEOUT_US`. Counters that must survive a client crash (sections
 * done) live in `ClientProgress`, outside the node.
 */
import type { Grant, LockClient, Message, NodeApi, NodeHandlers, TimerId } from './api.ts';
import type { RangeUs } from './knobs.ts';
import type { Recorder } from './recorder.ts';
import type { Rng } from './rng.ts';
import type { Workload } from './scenario/types.ts';
import { US_PER_S, type Micros } from './time.ts';

/** Process numbers of one client are index, index + PROCESS_STRIDE, … */
export const PROCESS_STRIDE = 1000;

/** How long a client waits for the store before giving up the section. */
export const STORE_TIMEOUT_US = 1 * US_PER_S;

/** Per-client state that survives crashes (it belongs to the test harness, not the node). */
export interface ClientProgress {
  readonly client: string;
  /**
   * The client's current process number in the service history: starts at its
   * 1-based index and moves on by PROCESS_STRIDE after an operation whose
   * outcome is unknown (Jepsen's convention: that process may still be running).
   */
  process: number;
  sectionsDone: number;
  started: boolean;
  /** Whether the client is waiting for an acquire now (for unavailability accounting across crashes). */
  waiting: boolean;
  /** How many times the client's process has booted (keeps store request ids unique across restarts). */
  boots: number;
}

/** Store request ids of one client life are boot·REQUEST_ID_SPAN + 1, + 2, … so a restarted client never reuses one. */
const REQUEST_ID_SPAN = 1_000_000_000;

export interface WorkloadHooks {
  readonly trueNow: () => Micros;
  readonly endUs: Micros;
  readonly recorder: Recorder;
  /** `acquired` / `released` trigger events. */
  readonly onEvent: (event: 'acquired' | 'released', client: string) => void;
}

type Phase = 'idle' | 'acquiring' | 'reading' | 'holding' | 'writing' | 'releasing' | 'thinking' | 'done';

function draw(rng: Rng, range: RangeUs): Micros {
  return range.minUs === range.maxUs ? range.minUs : rng.int(range.minUs, range.maxUs);
}

/** Builds the client node's handlers: the workload driving a fresh design client. */
export function createWorkloadClient(
  api: NodeApi,
  workload: Workload,
  progress: ClientProgress,
  rng: Rng,
  hooks: WorkloadHooks,
  makeClient: (lost: (reason: string) => void) => LockClient,
): NodeHandlers {
  const { recorder, trueNow } = hooks;
  const me = progress.client;
  let phase: Phase = 'idle';
  let grant: Grant | null = null;
  let attempt = 0;
  let requestId = progress.boots++ * REQUEST_ID_SPAN;
  let pendingTimer: TimerId | null = null;
  let acquireCall: { op: { return: number | null; output: unknown }; startUs: Micros } | null = null;
  let readValue = 0;

  const client = makeClient((reason) => onLost(reason));

  const setPending = (delayUs: Micros, fn: () => void): void => {
    clearPending();
    pendingTimer = api.setTimer(delayUs, fn);
  };
  const clearPending = (): void => {
    if (pendingTimer !== null) api.cancelTimer(pendingTimer);
    pendingTimer = null;
  };

  function beginSection(): void {
    if (progress.sectionsDone >= workload.sections || trueNow() >= hooks.endUs) {
      phase = 'done';
      return;
    }
    phase = 'acquiring';
    const thisAttempt = ++attempt;
    const op = { process: progress.process, call: trueNow(), return: null as number | null, f: 'acquire', input: null, output: null as unknown };
    recorder.serviceOps.push(op);
    acquireCall = { op, startUs: trueNow() };
    startWaiting();
    setPending(workload.acquireTimeoutUs, () => {
      if (phase !== 'acquiring' || attempt !== thisAttempt) return;
      attempt++;
      client.abandon();
      stopWaiting();
      recorder.failedAcquires++;
      acquireCall = null; // outcome unknown: the op stays open (return null) and its process retires
      progress.process += PROCESS_STRIDE;
      think();
    });
    client.acquire((result) => {
      if (phase !== 'acquiring' || attempt !== thisAttempt) {
        throw new Error(`${me}: the design reported an acquire after it was abandoned`);
      }
      clearPending();
      stopWaiting();
      const call = acquireCall!;
      acquireCall = null;
      if (result === null) {
        recorder.failedAcquires++;
        progress.process += PROCESS_STRIDE;
        think();
        return;
      }
      call.op.return = trueNow();
      call.op.output = result.token === undefined ? true : { token: result.token };
      recorder.acquireLatenciesUs.push(trueNow() - call.startUs);
      grant = result;
      recorder.beginBelief(me, trueNow(), result.token);
      hooks.onEvent('acquired', me);
      phase = 'reading';
      storeRequest({ type: 'store-read', id: ++requestId, token: result.token });
    });
  }

  function startWaiting(): void {
    progress.waiting = true;
    recorder.startWaiting(trueNow());
  }

  function stopWaiting(): void {
    progress.waiting = false;
    recorder.stopWaiting(trueNow());
  }

  function storeRequest(msg: Message): void {
    api.send('store', msg);
    const id = msg.id;
    setPending(STORE_TIMEOUT_US, () => {
      if (requestId === id) giveUp('store did not answer');
    });
  }

  function onStore(msg: Message): void {
    if (msg.id !== requestId) return; // a late or duplicated reply
    if (msg.type === 'store-rejected') {
      giveUp(`store rejected token ${grant?.token}`);
      return;
    }
    if (phase === 'reading' && msg.type === 'store-read-ok') {
      readValue = msg.value as number;
      phase = 'holding';
      requestId++;
      setPending(draw(rng, workload.holdUs), () => {
        if (phase !== 'holding') return;
        if (workload.checkBeforeWrite && !client.stillValid()) {
          giveUp('checkBeforeWrite: lock no longer valid by own clock');
          return;
        }
        phase = 'writing';
        storeRequest({ type: 'store-write', id: ++requestId, token: grant?.token, value: readValue + 1, basedOn: readValue });
      });
      return;
    }
    if (phase === 'writing' && msg.type === 'store-write-ok') {
      requestId++;
      progress.sectionsDone++;
      recorder.sections++;
      release();
    }
  }

  /** Abandons the section without writing, releasing the lock if we may still hold it. */
  function giveUp(_why: string): void {
    requestId++;
    release();
  }

  function release(): void {
    clearPending();
    phase = 'releasing';
    recorder.endBelief(me, trueNow(), 'released');
    grant = null;
    const op = { process: progress.process, call: trueNow(), return: null as number | null, f: 'release', input: null, output: null as unknown };
    recorder.serviceOps.push(op);
    client.release((ok) => {
      if (ok !== null) {
        op.return = trueNow();
        op.output = ok;
      } else {
        progress.process += PROCESS_STRIDE;
      }
      hooks.onEvent('released', me);
      think();
    });
  }

  function onLost(reason: string): void {
    if (phase === 'reading' || phase === 'holding' || phase === 'writing') {
      clearPending();
      requestId++;
      recorder.endBelief(me, trueNow(), `lost: ${reason}`);
      grant = null;
      think();
    }
  }

  function think(): void {
    phase = 'thinking';
    setPending(draw(rng, workload.thinkUs), beginSection);
  }

  if (!progress.started) {
    progress.started = true;
    if (workload.staggerUs > 0 && progress.process > 1) setPending(workload.staggerUs * (progress.process - 1), beginSection);
    else beginSection();
  } else {
    // Restarted after a crash: start over after a think.
    think();
  }

  return {
    onMessage(from: string, msg: Message): void {
      if (from === 'store') onStore(msg);
      else client.onMessage(from, msg);
    },
  };
}
