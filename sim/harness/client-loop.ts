/**
 * What the two client workloads (`lock-workload.ts` for locks,
 * `section-workload.ts` for lock-free designs) share: the one pending timer
 * of the loop, drawing hold/think times, starting the loop (staggered) or
 * resuming it after a crash-restart, process numbers for the history, and
 * the waiting count behind the unavailability metric. Harness code: it sees
 * true time through `trueNow`, never through the node.
 */
import type { Micros, NodeApi, RangeUs, Rng, TimerId } from '../../algorithms/api/index.ts';
import type { Recorder } from './recorder.ts';
import type { Workload } from '../scenario/types.ts';

/**
 * Hands out process numbers for the service history. Client i starts as
 * process i (1-based); a client whose operation's outcome stays unknown moves
 * to a fresh number (Jepsen's convention: that process may still be running),
 * drawn after every client's first. No arithmetic ties a number to a client:
 * the recorder keeps each operation's client by name.
 */
export class ProcessIds {
  private next: number;
  constructor(clients: number) {
    this.next = clients + 1;
  }
  fresh(): number {
    return this.next++;
  }
}

/** Per-client state that survives crashes (it belongs to the test harness, not the node). */
export interface ClientProgress {
  readonly client: string;
  /** 1-based position among the clients (for the stagger). */
  readonly index: number;
  /** The client's current process number in the service history. */
  process: number;
  readonly ids: ProcessIds;
  sectionsDone: number;
  started: boolean;
  /** Whether the client is waiting for an acquire now (for unavailability accounting across crashes). */
  waiting: boolean;
  /** When the current wait began (true µs; meaningful while `waiting`): a crash ends that acquire attempt (the timeline's `acquires`). */
  waitingSinceUs: Micros;
  /** How many times the client's process has booted (keeps store request ids unique across restarts). */
  boots: number;
}

/** Every client's progress record, in client order. */
export function clientProgress(clients: readonly string[]): Map<string, ClientProgress> {
  const ids = new ProcessIds(clients.length);
  return new Map(clients.map((client, i) => [client, { client, index: i + 1, process: i + 1, ids, sectionsDone: 0, started: false, waiting: false, waitingSinceUs: 0, boots: 0 }]));
}

/** A hold or think time: fixed, or uniform in [min, max]. */
export function drawUs(rng: Rng, range: RangeUs): Micros {
  return range.minUs === range.maxUs ? range.minUs : rng.int(range.minUs, range.maxUs);
}

/** Moves the client to a fresh process number: its last operation's outcome stays unknown. */
export function retireProcess(progress: ClientProgress): void {
  progress.process = progress.ids.fresh();
}

/** Counts the client in or out of "waiting for the lock", for the unavailability metric. */
export function setWaiting(progress: ClientProgress, recorder: Recorder, waiting: boolean, atUs: Micros): void {
  if (progress.waiting === waiting) return;
  progress.waiting = waiting;
  if (waiting) {
    progress.waitingSinceUs = atUs;
    recorder.startWaiting(atUs);
  } else {
    recorder.stopWaiting(atUs);
  }
}

/** What a workload needs from the run around it. */
export interface WorkloadHooks {
  readonly trueNow: () => Micros;
  readonly endUs: Micros;
  readonly recorder: Recorder;
  /** `acquired` / `released` trigger events. */
  readonly onEvent: (event: 'acquired' | 'released', client: string) => void;
}

/**
 * One client's loop machinery on its node: the single pending timer (a
 * section step or the think), waiting accounting, and the section/think
 * cycle. The workload supplies `beginSection`.
 */
export class ClientLoop {
  private pendingTimer: TimerId | null = null;

  constructor(
    private readonly api: NodeApi,
    readonly workload: Workload,
    readonly progress: ClientProgress,
    private readonly rng: Rng,
    readonly hooks: WorkloadHooks,
  ) {}

  /** Whether the client should stop: every section done, or the scenario over. */
  finished(): boolean {
    return this.progress.sectionsDone >= this.workload.sections || this.hooks.trueNow() >= this.hooks.endUs;
  }

  /** Replaces the pending timer with `fn` after `delayUs` of this node's time. */
  setPending(delayUs: Micros, fn: () => void, label: string): void {
    this.clearPending();
    this.pendingTimer = this.api.setTimer(delayUs, fn, label);
  }

  clearPending(): void {
    if (this.pendingTimer !== null) this.api.cancelTimer(this.pendingTimer);
    this.pendingTimer = null;
  }

  /** A hold time drawn from the workload. */
  holdUs(): Micros {
    return drawUs(this.rng, this.workload.holdUs);
  }

  startWaiting(): void {
    setWaiting(this.progress, this.hooks.recorder, true, this.hooks.trueNow());
  }

  stopWaiting(): void {
    setWaiting(this.progress, this.hooks.recorder, false, this.hooks.trueNow());
  }

  retire(): void {
    retireProcess(this.progress);
  }

  /** Thinks, then begins the next section. */
  think(beginSection: () => void): void {
    this.setPending(drawUs(this.rng, this.workload.thinkUs), beginSection, 'think');
  }

  /**
   * Starts the loop at boot: the first section after the client's stagger;
   * after a crash-restart, a fresh process (an operation the crash cut off
   * stays open) and a think first.
   */
  start(beginSection: () => void, think: () => void = () => this.think(beginSection)): void {
    const progress = this.progress;
    if (!progress.started) {
      progress.started = true;
      if (this.workload.staggerUs > 0 && progress.index > 1) this.setPending(this.workload.staggerUs * (progress.index - 1), beginSection, 'stagger');
      else beginSection();
      return;
    }
    this.retire();
    think();
  }
}
