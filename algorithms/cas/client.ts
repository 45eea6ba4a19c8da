/**
 * The cas client: runs one optimistic section against the register —
 * read (value, version), hold, then write value + 1 with compare-and-set on
 * the version; when refused, back off, re-read and compare-and-set again
 * (no second hold), up to `retries` times.
 *
 * Models a client of etcd transactions / DynamoDB conditional writes: no
 * lock, no lease, no clock in the decision, so pauses and clock jumps cannot
 * make it write over another client's update — a paused client's write is
 * simply refused. Backoff before retry k is `backoff·2^(k−1)`, jittered
 * down to half. Reports `metric`s `casRefused` (a compare-and-set refused),
 * `casRetried` (a retry started) and `casGaveUp` (retries exhausted).
 * Not modelled: side effects outside the register (CAS cannot exclude them),
 * fairness: a client can lose every race.
 */
import type { DesignContext, NodeApi, SectionCall, SectionClient, SectionOpRecord, SectionOutcome, SectionReturn, SectionTracker, TimerId, Message } from '../api/index.ts';
import { US_PER_MS, type Micros } from '../api/index.ts';
import { LeaderLink, type Call } from '../shared/leader-link.ts';
import type { CasKnobs } from './knobs.ts';
import type { CasRequestBody, CasResult } from './protocol.ts';

/** How long an attempt waits for an answer before trying the next server. */
export const REQUEST_TIMEOUT_US: Micros = 250 * US_PER_MS;
/** Pause before retrying when no server names a leader. */
export const NO_LEADER_BACKOFF_US: Micros = 50 * US_PER_MS;
/** Ceiling of the doubling retry backoff. */
export const MAX_BACKOFF_US: Micros = 1_000 * US_PER_MS;

interface Run {
  readonly hold: (then: () => void) => void;
  readonly done: (outcome: SectionOutcome) => void;
  readonly track: SectionTracker;
  readonly ops: Array<{ call: SectionCall; result: SectionReturn | null }>;
  /** Compare-and-sets sent so far. */
  casSent: number;
  call: Call | null;
  timer: TimerId | null;
}

/** Builds the section client on a client node. */
export function createCasClient(api: NodeApi, ctx: DesignContext<CasKnobs>): SectionClient {
  return new CasClient(api, ctx);
}

class CasClient implements SectionClient {
  private readonly api: NodeApi;
  private readonly knobs: CasKnobs;
  private readonly link: LeaderLink<CasRequestBody, CasResult>;
  private run: Run | null = null;

  constructor(api: NodeApi, ctx: DesignContext<CasKnobs>) {
    this.api = api;
    this.knobs = ctx.knobs;
    // One rid per operation, kept across retries: servers deduplicate a compare-and-set by it.
    this.link = new LeaderLink(api, {
      design: 'cas',
      servers: ctx.servers,
      timeoutUs: REQUEST_TIMEOUT_US,
      backoffUs: NO_LEADER_BACKOFF_US,
      types: { request: 'cas.req', reply: 'cas.reply', redirect: 'cas.redirect' },
      ids: 'per-call',
      firstTarget: 'first',
      oneCallAtATime: true,
    });
  }

  runSection(hold: (then: () => void) => void, done: (outcome: SectionOutcome) => void, track: SectionTracker): void {
    if (this.run !== null) throw new Error(`${this.api.id}: a section started while another runs`);
    const run: Run = { hold, done, track, ops: [], casSent: 0, call: null, timer: null };
    this.run = run;
    this.read(run, true);
  }

  abandon(): void {
    const run = this.run;
    if (run === null) return;
    this.run = null;
    run.call?.cancel();
    if (run.timer !== null) this.api.cancelTimer(run.timer);
  }

  onMessage(from: string, msg: Message): void {
    if (!this.link.handle(from, msg)) throw new Error(`${this.api.id}: unexpected message ${msg.type} from ${from}`);
  }

  /** Sends one operation, reporting it to the tracker; `then` gets the answer while the section still runs. */
  private send<R extends SectionReturn>(run: Run, call: SectionCall, then: (result: R) => void): void {
    const index = run.track.invoked(call);
    if (index !== run.ops.length) throw new Error(`${this.api.id}: the tracker numbered operation ${run.ops.length} as ${index}`);
    const record = { call, result: null as SectionReturn | null };
    run.ops.push(record);
    const body = call.f === 'read' ? { op: 'read' as const } : { op: 'cas' as const, from: call.from, value: call.value };
    run.call = this.link.call(body, (answer) => {
      if (this.run !== run) return;
      run.call = null;
      if (answer.op !== (call.f === 'read' ? 'read' : 'cas')) throw new Error(`${this.api.id}: a ${call.f} was answered as a ${answer.op}`);
      const result: SectionReturn = answer.op === 'read' ? { f: 'read', value: answer.value, version: answer.version } : { f: 'cas', ok: answer.ok };
      record.result = result;
      run.track.returned(index, result);
      if (this.run === run) then(result as R);
    });
  }

  private read(run: Run, first: boolean): void {
    this.send<Extract<SectionReturn, { f: 'read' }>>(run, { f: 'read' }, (snapshot) => {
      if (!first) {
        this.cas(run, snapshot);
        return;
      }
      run.hold(() => {
        if (this.run === run) this.cas(run, snapshot);
      });
    });
  }

  private cas(run: Run, snapshot: { readonly value: number; readonly version: number }): void {
    run.casSent++;
    const call: SectionCall = { f: 'cas', from: snapshot.version, to: snapshot.version + 1, value: snapshot.value + 1 };
    this.send<Extract<SectionReturn, { f: 'cas' }>>(run, call, (answer) => {
      if (answer.ok) {
        this.finish(run, true);
        return;
      }
      this.api.emit({ kind: 'metric', name: 'casRefused' });
      if (run.casSent > this.knobs.retries) {
        this.api.emit({ kind: 'metric', name: 'casGaveUp' });
        this.finish(run, false, `compare-and-set refused ${run.casSent} times`);
        return;
      }
      this.api.emit({ kind: 'metric', name: 'casRetried' });
      run.timer = this.api.setTimer(this.backoffUs(run.casSent), () => {
        run.timer = null;
        if (this.run === run) this.read(run, false);
      }, 'backoff');
    });
  }

  /** Delay before retry `k` (1-based): backoff·2^(k−1), capped, jittered down to half. */
  private backoffUs(k: number): Micros {
    const full = Math.min(MAX_BACKOFF_US, this.knobs.backoffUs * 2 ** (k - 1));
    const half = Math.floor(full / 2);
    return full === 0 ? 0 : this.api.rng.int(half, full);
  }

  private finish(run: Run, written: boolean, reason?: string): void {
    this.run = null;
    const ops: SectionOpRecord[] = run.ops.map((op) => ({ call: op.call, result: op.result }));
    run.done({ ops, written, ...(reason === undefined ? {} : { reason }) });
  }
}
