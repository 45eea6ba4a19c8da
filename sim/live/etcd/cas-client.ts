/**
 * The live `cas` client: one optimistic section against a register key in
 * etcd, as algorithms/cas/client.ts runs it in simulation — read (value,
 * version), hold, then compare-and-set value + 1 on the revision read;
 * refused → back off (`backoff · 2^(k−1)`, capped, jittered down to half),
 * re-read and compare-and-set again (no second hold), up to `retries`
 * times.
 *
 * The compare-and-set is an etcd transaction: `If mod_revision(register) =
 * the mod revision read Then Put(register, {value, client, rid}) and
 * Put(<donePrefix><rid>) Else Range(<donePrefix><rid>)`. For one key that is
 * never deleted, mod revision and version move together, so the history
 * speaks of versions (kv.version: 0 before the first write, +1 per write),
 * the simulated register's terms. The done key is the request id the
 * simulated register keeps per client: an attempt whose answer was lost
 * (a timeout, a member crash) is sent again with the same rid, and a
 * repeat of a write that had applied finds its done key and answers
 * `true` — so each operation is answered once, exactly, as in simulation.
 * Reads are etcd's default linearizable range. An operation is retried
 * (after `noLeaderBackoff`) until answered or the section is abandoned;
 * nothing preempts the hold. Not modelled: side effects outside the
 * register, fairness.
 */
import type { Etcd3 } from 'etcd3';
import type { SectionCall, SectionReturn } from '../../../algorithms/api/index.ts';
import type { Rng } from '../../core/rng.ts';
import type { EtcdCasChildConfig } from '../child-protocol.ts';
import type { LiveSectionClient, LiveSectionIo, LiveSectionOutcome } from '../section-workload-live.ts';
import { connectedEtcdClient, pause } from './connect.ts';

interface Snapshot {
  readonly value: number;
  readonly version: number;
  readonly modRevision: string;
}

/** The section was abandoned: nothing more is reported. */
class Abandoned extends Error {}

const buf = (s: string): Buffer => Buffer.from(s);

export class EtcdCasLiveClient implements LiveSectionClient {
  private etcdClient: Etcd3 | null = null;
  private run: { live: boolean; wake: (() => void) | null } | null = null;
  private seq = 0;
  requests = 0;

  constructor(
    private readonly client: string,
    private readonly boot: number,
    private readonly config: EtcdCasChildConfig,
    private readonly rng: Rng,
  ) {}

  /** The etcd3 client (made by `connect`). */
  private get etcd(): Etcd3 {
    if (this.etcdClient === null) throw new Error('etcd cas client: used before connect()');
    return this.etcdClient;
  }

  async connect(): Promise<void> {
    this.etcdClient ??= await connectedEtcdClient(
      this.config.servers.map((s) => s.port),
      this.config.timing,
      (etcd) => etcd.kv.range({ key: buf(this.config.registerKey), count_only: true }),
    );
  }

  abandon(): void {
    const run = this.run;
    if (run === null) return;
    this.run = null;
    run.live = false;
    run.wake?.();
  }

  async runSection(io: LiveSectionIo): Promise<LiveSectionOutcome> {
    const run = { live: true, wake: null as (() => void) | null };
    this.run = run;
    try {
      let snapshot = await this.read(run, io);
      await io.hold();
      let sent = 0;
      for (;;) {
        if (!run.live) throw new Abandoned();
        sent++;
        if (await this.cas(run, io, snapshot)) return { written: true };
        if (sent > this.config.retries) return { written: false, reason: `compare-and-set refused ${sent} times` };
        await this.sleep(run, this.backoffUs(sent));
        snapshot = await this.read(run, io);
      }
    } catch (error) {
      if (error instanceof Abandoned) return { written: false, reason: 'abandoned' };
      throw error;
    } finally {
      if (this.run === run) this.run = null;
    }
  }

  /** Delay before retry `k` (1-based): backoff·2^(k−1), capped, jittered down to half (as the simulated client). */
  private backoffUs(k: number): number {
    const full = Math.min(this.config.maxBackoffUs, this.config.backoffUs * 2 ** (k - 1));
    const half = Math.floor(full / 2);
    return full === 0 ? 0 : this.rng.int(half, full);
  }

  private async sleep(run: { live: boolean; wake: (() => void) | null }, us: number): Promise<void> {
    const wait = pause(us / 1000);
    run.wake = wait.wake;
    await wait.done;
    run.wake = null;
    if (!run.live) throw new Abandoned();
  }

  /** Sends `call` until answered (the same request each time); reports it to the workload. */
  private async op<T>(run: { live: boolean; wake: (() => void) | null }, io: LiveSectionIo, call: SectionCall, attempt: () => Promise<T>, result: (answer: T) => SectionReturn): Promise<T> {
    if (!run.live) throw new Abandoned();
    io.invoked(call);
    for (;;) {
      try {
        this.requests++;
        const answer = await attempt();
        if (!run.live) throw new Abandoned();
        io.returned(result(answer));
        return answer;
      } catch (error) {
        if (error instanceof Abandoned || !run.live) throw new Abandoned();
        await this.sleep(run, this.config.noLeaderBackoffUs);
      }
    }
  }

  private read(run: { live: boolean; wake: (() => void) | null }, io: LiveSectionIo): Promise<Snapshot> {
    return this.op(
      run,
      io,
      { f: 'read' },
      async (): Promise<Snapshot> => {
        const res = await this.etcd.kv.range({ key: buf(this.config.registerKey) });
        const kv = res.kvs[0];
        if (kv === undefined) return { value: 0, version: 0, modRevision: '0' };
        const stored = JSON.parse(kv.value.toString()) as { value: number };
        return { value: stored.value, version: Number(kv.version), modRevision: kv.mod_revision };
      },
      (s) => ({ f: 'read', value: s.value, version: s.version }),
    );
  }

  private cas(run: { live: boolean; wake: (() => void) | null }, io: LiveSectionIo, snapshot: Snapshot): Promise<boolean> {
    const rid = `${this.client}-${this.boot}-${++this.seq}-${this.rng.id()}`;
    const value = snapshot.value + 1;
    const key = buf(this.config.registerKey);
    const done = buf(`${this.config.donePrefix}${rid}`);
    return this.op(
      run,
      io,
      { f: 'cas', from: snapshot.version, to: snapshot.version + 1, value },
      async () => {
        const res = await this.etcd.kv.txn({
          compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: snapshot.modRevision }],
          success: [{ request_put: { key, value: buf(JSON.stringify({ value, client: this.client, rid })) } }, { request_put: { key: done, value: buf('') } }],
          failure: [{ request_range: { key: done, count_only: true } }],
        });
        return res.succeeded || Number(res.responses[0]?.response_range?.count ?? 0) > 0;
      },
      (ok) => ({ f: 'cas', ok }),
    );
  }

  async close(): Promise<void> {
    this.abandon();
    this.etcdClient?.close();
  }
}
