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
 * `STORE_TIMEOUT_US`.
 *
 * What a real client's code does: `acquire; try { read; work; write }
 * finally { release }`. Nothing preempts the work: a holder whose hold
 * outlasts its lease works on and writes, and only `checkBeforeWrite`
 * consults the client's clock (`stillValid()`), just before the write. The
 * release always goes out — after a write, after the store rejected the
 * token, after `checkBeforeWrite` said no — however late, so a paused
 * holder's plain DEL can delete the next holder's lock. It is skipped only
 * when the design's client reported the lock lost (`lost(reason)`: what its
 * library hears from the service or its connection — ZooKeeper's
 * Disconnected or Expired, Curator's LOST, a failed keep-alive — after which
 * the library itself has given the lock up) and, as ever, when the client
 * crashed. The Redis and Redlock clients report no loss: they only know a
 * validity. Counters that must survive a client crash (sections
 * done) live in `ClientProgress`, outside the node. Each acquire attempt's
 * end goes to `recorder.acquireEnded` (kept only for a timeline; an attempt
 * a crash cuts off is recorded by run-design.ts). The trace gets a note
 * where the client starts believing it holds the lock (`holds the lock
 * (token 7)`) and where it stops (`stops holding: released` / `lost: …` /
 * `gave up: …`); notes render only in the trace and leave the hash alone.
 */
import type { Grant, LockClient, Message, NodeApi, NodeHandlers, Rng } from '../../algorithms/api/index.ts';
import { US_PER_S, type Micros } from '../../algorithms/api/index.ts';
import { ClientLoop, type ClientProgress, type WorkloadHooks } from './client-loop.ts';
import type { Workload } from '../scenario/types.ts';

/** How long a client waits for the store before giving up the section. */
export const STORE_TIMEOUT_US = 1 * US_PER_S;

/** Store request ids of one client life are boot·REQUEST_ID_SPAN + 1, + 2, … so a restarted client never reuses one. */
const REQUEST_ID_SPAN = 1_000_000_000;

type Phase = 'idle' | 'acquiring' | 'reading' | 'holding' | 'writing' | 'releasing' | 'thinking' | 'done';


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
  const loop = new ClientLoop(api, workload, progress, rng, hooks);
  const me = progress.client;
  let phase: Phase = 'idle';
  let grant: Grant | null = null;
  let attempt = 0;
  let requestId = progress.boots++ * REQUEST_ID_SPAN;
  let acquireCall: { op: { return: number | null; output: unknown }; startUs: Micros } | null = null;
  let readValue = 0;
  /** When the service granted the current lock (true time), for the section's completion record. */
  let grantedUs = 0;

  const client = makeClient((reason) => onLost(reason));
  const setPending = (delayUs: Micros, fn: () => void, label: string): void => loop.setPending(delayUs, fn, label);
  const clearPending = (): void => loop.clearPending();
  const think = (): void => {
    phase = 'thinking';
    loop.think(beginSection);
  };

  function beginSection(): void {
    if (loop.finished()) {
      phase = 'done';
      return;
    }
    phase = 'acquiring';
    const thisAttempt = ++attempt;
    const op = { process: progress.process, call: trueNow(), return: null as number | null, f: 'acquire', input: null, output: null as unknown };
    recorder.recordOp(me, op);
    const callUs = trueNow();
    acquireCall = { op, startUs: callUs };
    loop.startWaiting();
    setPending(workload.acquireTimeoutUs, () => {
      if (phase !== 'acquiring' || attempt !== thisAttempt) return;
      attempt++;
      client.abandon();
      loop.stopWaiting();
      recorder.failedAcquires++;
      recorder.acquireEnded(me, callUs, trueNow(), false, 'timeout');
      acquireCall = null; // outcome unknown: the op stays open (return null) and its process retires
      loop.retire();
      think();
    }, 'acquire timeout');
    client.acquire((result) => {
      if (phase !== 'acquiring' || attempt !== thisAttempt) {
        throw new Error(`${me}: the design reported an acquire after it was abandoned`);
      }
      clearPending();
      loop.stopWaiting();
      const call = acquireCall!;
      acquireCall = null;
      recorder.acquireEnded(me, call.startUs, trueNow(), result !== null);
      if (result === null) {
        recorder.failedAcquires++;
        loop.retire();
        think();
        return;
      }
      call.op.return = trueNow();
      call.op.output = result.token === undefined ? true : { token: result.token };
      recorder.acquireLatenciesUs.push(trueNow() - call.startUs);
      grant = result;
      grantedUs = recorder.lastGrantTo(me) ?? trueNow();
      recorder.beginBelief(me, trueNow(), result.token);
      api.note(result.token === undefined ? 'holds the lock (no token)' : `holds the lock (token ${result.token})`);
      hooks.onEvent('acquired', me);
      phase = 'reading';
      storeRequest({ type: 'store-read', id: ++requestId, token: result.token });
    });
  }

  function storeRequest(msg: Message): void {
    api.send('store', msg);
    const id = msg.id;
    setPending(STORE_TIMEOUT_US, () => {
      if (requestId === id) giveUp('store did not answer');
    }, 'store timeout');
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
      setPending(loop.holdUs(), () => {
        if (phase !== 'holding') return;
        if (workload.checkBeforeWrite && !client.stillValid()) {
          giveUp('checkBeforeWrite: lock no longer valid by own clock');
          return;
        }
        phase = 'writing';
        storeRequest({ type: 'store-write', id: ++requestId, token: grant?.token, value: readValue + 1, basedOn: readValue });
      }, 'hold');
      return;
    }
    if (phase === 'writing' && msg.type === 'store-write-ok') {
      requestId++;
      progress.sectionsDone++;
      recorder.sectionCompleted(me, grantedUs, trueNow());
      release();
    }
  }

  /** Abandons the section without writing, releasing the lock if we may still hold it. */
  function giveUp(why: string): void {
    requestId++;
    release(`gave up: ${why}`);
  }

  /** Stops believing (for `why`) and releases the lock. */
  function release(why = 'released'): void {
    clearPending();
    phase = 'releasing';
    if (recorder.endBelief(me, trueNow(), why)) api.note(`stops holding: ${why}`);
    grant = null;
    const op = { process: progress.process, call: trueNow(), return: null as number | null, f: 'release', input: null, output: null as unknown };
    recorder.recordOp(me, op);
    client.release((ok) => {
      if (ok !== null) {
        op.return = trueNow();
        op.output = ok;
      } else {
        loop.retire();
      }
      hooks.onEvent('released', me);
      think();
    });
  }

  function onLost(reason: string): void {
    if (phase === 'reading' || phase === 'holding' || phase === 'writing') {
      clearPending();
      requestId++;
      if (recorder.endBelief(me, trueNow(), `lost: ${reason}`)) api.note(`stops holding: lost: ${reason}`);
      grant = null;
      think();
    }
  }

  loop.start(beginSection, think);

  return {
    onMessage(from: string, msg: Message): void {
      if (from === 'store') onStore(msg);
      else client.onMessage(from, msg);
    },
  };
}
