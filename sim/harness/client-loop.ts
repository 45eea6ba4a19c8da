/**
 * What the two client workloads (`workload.ts` for locks, `section-workload.ts`
 * for lock-free designs) share: drawing hold/think times, starting the loop
 * (staggered) or resuming it after a crash-restart, and the waiting count
 * behind the unavailability metric. Harness code: it sees true time through
 * the recorder, never through the node.
 */
import type { RangeUs } from '../../algorithms/api/knobs.ts';
import type { Recorder } from './recorder.ts';
import type { Rng } from '../core/rng.ts';
import type { Workload } from '../scenario/types.ts';
import type { Micros } from '../../algorithms/api/time.ts';

/** Process numbers of one client are index, index + PROCESS_STRIDE, … */
export const PROCESS_STRIDE = 1000;

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

/** A hold or think time: fixed, or uniform in [min, max]. */
export function drawUs(rng: Rng, range: RangeUs): Micros {
  return range.minUs === range.maxUs ? range.minUs : rng.int(range.minUs, range.maxUs);
}

/** Moves the client to a fresh process number: its last operation's outcome stays unknown. */
export function retireProcess(progress: ClientProgress): void {
  progress.process += PROCESS_STRIDE;
}

/**
 * Starts a client's loop at boot: the first section after the client's
 * stagger; after a crash-restart, a fresh process (an operation the crash
 * cut off stays open) and a think first.
 */
export function startClientLoop(
  progress: ClientProgress,
  workload: Workload,
  setPending: (delayUs: Micros, fn: () => void) => void,
  beginSection: () => void,
  think: () => void,
): void {
  if (!progress.started) {
    progress.started = true;
    if (workload.staggerUs > 0 && progress.process > 1) setPending(workload.staggerUs * (progress.process - 1), beginSection);
    else beginSection();
    return;
  }
  retireProcess(progress);
  think();
}

/** Counts the client in or out of "waiting for the lock", for the unavailability metric. */
export function setWaiting(progress: ClientProgress, recorder: Recorder, waiting: boolean, atUs: Micros): void {
  if (progress.waiting === waiting) return;
  progress.waiting = waiting;
  if (waiting) recorder.startWaiting(atUs);
  else recorder.stopWaiting(atUs);
}
