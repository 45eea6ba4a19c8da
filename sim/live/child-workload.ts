/**
 * The workload inside a live client process: the same loop as the
 * simulator's (sim/harness/lock-workload.ts), against a real client
 * library and the real store — acquire → read the store → hold → write
 * (value + 1) → release → think, `sections` times or until the run ends.
 *
 * Rules kept from lock-workload.ts: an acquire not granted within
 * `acquireTimeout` is abandoned (its outcome stays unknown) and the client
 * thinks, then retries; a store rejection or a store that does not answer
 * within the store timeout gives the section up without writing; with
 * `checkBeforeWrite` the client asks the library, just before writing,
 * whether the lock is still valid by its own clock; nothing preempts the
 * work — a holder whose lease ran out works on and writes; the release is
 * always sent (after a write, a rejection or a failed check), however
 * late, except when the library reported the lock lost. A restarted client
 * thinks first; the first life waits its stagger.
 *
 * Written again rather than reused: lock-workload.ts is built on the
 * simulated node API (timers, messages, a recorder it mutates in place),
 * while this one awaits real I/O and must hand every step to the parent at
 * once — a SIGKILLed child keeps nothing. Each step is one event (see
 * child-protocol.ts), stamped with the harness's clock.
 */
import { Rng } from '../core/rng.ts';
import type { RangeUs } from '../../algorithms/api/index.ts';
import type { ChildConfig, ClientEvent } from './child-protocol.ts';
import type { TrueClock } from './clock.ts';
import type { LiveGrant, LiveLockClient } from './live-client.ts';
import type { StoreClient, StoreReply } from './store-client.ts';

export type EventBody = ClientEvent extends infer E ? (E extends { atUs: number } ? Omit<E, 'atUs'> : never) : never;

export interface WorkloadIo {
  readonly clock: TrueClock;
  readonly client: LiveLockClient;
  readonly store: StoreClient;
  /** Hands one event to the parent. */
  readonly emit: (event: ClientEvent) => void;
}

export const sleep = (us: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, us / 1000)));

export function draw(rng: Rng, range: RangeUs): number {
  return range.minUs === range.maxUs ? range.minUs : rng.int(range.minUs, range.maxUs);
}

/** Runs the workload to its end. */
export async function runWorkload(config: ChildConfig, io: WorkloadIo): Promise<void> {
  const { workload } = config;
  const rng = new Rng(config.seed, `live/${config.client}/${config.boot}`);
  const now = (): number => io.clock.nowUs();
  const emit = (body: EventBody): void => io.emit({ ...body, atUs: now() } as ClientEvent);
  let sectionsDone = config.sectionsDone;
  /** What the library reported lost during the current section, and when. */
  let lost: { reason: string; atUs: number } | null = null;
  io.client.onLost((reason) => {
    lost ??= { reason, atUs: now() };
  });
  const finished = (): boolean => sectionsDone >= workload.sections || now() >= config.endUs;
  const think = (): Promise<void> => sleep(draw(rng, workload.thinkUs));

  /** A store reply that ends the section, or null to go on. */
  const failure = (reply: StoreReply, grant: LiveGrant): string | null => {
    if (reply.type === 'store-rejected') return `store rejected token ${grant.token}`;
    if (reply.type === 'timeout') return 'store did not answer';
    return null;
  };

  async function release(grant: LiveGrant, why: string): Promise<void> {
    emit({ kind: 'release-call', why });
    const ok = await io.client.release(grant);
    emit({ kind: 'release-return', ok });
  }

  /** The library reported the lock lost while we held it: the belief ends, no write, no release. */
  function checkLost(): boolean {
    if (lost === null) return false;
    io.emit({ kind: 'lost', reason: lost.reason, atUs: lost.atUs });
    lost = null;
    return true;
  }

  async function section(): Promise<void> {
    lost = null;
    emit({ kind: 'acquire-call' });
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      io.client.abandon();
    }, workload.acquireTimeoutUs / 1000);
    const grant = await io.client.acquire();
    clearTimeout(timeout);
    if (grant === null || timedOut) {
      if (grant !== null) void io.client.release(grant); // granted just as it timed out: the library gives it back
      emit({ kind: 'acquire-timeout' });
      return;
    }
    emit({ kind: 'acquire-ok', token: grant.token, lease: grant.lease, key: grant.key });

    const read = await io.store.read(grant.token);
    if (checkLost()) return;
    const readFailed = failure(read, grant);
    if (readFailed !== null || read.type !== 'store-read-ok') return release(grant, `gave up: ${readFailed}`);

    await sleep(draw(rng, workload.holdUs));
    if (checkLost()) return;
    if (workload.checkBeforeWrite && !io.client.stillValid(grant)) return release(grant, 'gave up: checkBeforeWrite: lock no longer valid by own clock');

    const written = await io.store.write(grant.token, read.value + 1, read.value);
    if (checkLost()) return;
    const writeFailed = failure(written, grant);
    if (writeFailed !== null) return release(grant, `gave up: ${writeFailed}`);
    sectionsDone++;
    emit({ kind: 'section-done' });
    return release(grant, 'released');
  }

  await loopSections(config, { section, think, finished, done: () => emit({ kind: 'done' }) });
}

/**
 * A client's life: a restarted client thinks first, the first life waits
 * its stagger; then section, think, section… until `finished`, then `done`.
 */
export async function loopSections(
  config: ChildConfig,
  life: { readonly section: () => Promise<void>; readonly think: () => Promise<void>; readonly finished: () => boolean; readonly done: () => void },
): Promise<void> {
  const { workload } = config;
  if (config.boot > 0) await life.think();
  else if (workload.staggerUs > 0 && config.index > 1) await sleep(workload.staggerUs * (config.index - 1));
  while (!life.finished()) {
    await life.section();
    if (life.finished()) break;
    await life.think();
  }
  life.done();
}
