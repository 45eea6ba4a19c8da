/**
 * Redis persistence as the append-only file (AOF): every dataset mutation is
 * appended to a list on the node's disk, and `appendfsync` decides when it
 * becomes durable.
 *
 * Models: `none` (appendonly no: nothing reaches the disk, a restart is
 * empty), `everysec` (append each write, fsync once a second from the
 * server's cron, so a power loss can drop up to a second of acknowledged
 * writes) and `always` (fsync before the reply). A restart replays the file.
 * Expiry deadlines are stored absolute on the server's expiry clock, as
 * Redis writes PEXPIREAT; for a monotonic expiry clock that assumes the
 * restart happens on the same boot (CLOCK_MONOTONIC keeps counting). Does
 * not model: RDB snapshots, AOF rewrite cost, torn or corrupt writes.
 */
import type { Disk } from '../../api/index.ts';
import { US_PER_S, type Micros } from '../../api/index.ts';
import type { Op } from './keyspace.ts';
import type { Persistence } from './options.ts';

/** The disk list the AOF lives in. */
export const AOF_KEY = 'redis:aof';
/** How often `everysec` fsyncs. */
export const EVERYSEC_US: Micros = US_PER_S;

export class Aof {
  private readonly disk: Disk;
  private readonly policy: Persistence;
  private lastFsyncUs: Micros;

  /** `monotonicUs` is the node's monotonic clock now, the start of the first fsync second. */
  constructor(disk: Disk, policy: Persistence, monotonicUs: Micros) {
    this.disk = disk;
    this.policy = policy;
    this.lastFsyncUs = monotonicUs;
  }

  /** Logs one mutation (fsynced at once under `always`). */
  append(op: Op): void {
    if (this.policy === 'none') return;
    this.disk.append(AOF_KEY, op);
    if (this.policy === 'always') this.disk.fsync();
  }

  /** Replaces the file with `ops` (after a full resynchronisation from a primary). */
  rewrite(ops: readonly Op[]): void {
    if (this.policy === 'none') return;
    this.disk.truncate(AOF_KEY, 0);
    for (const op of ops) this.disk.append(AOF_KEY, op);
    if (this.policy === 'always') this.disk.fsync();
  }

  /** The cron's hook: `everysec` fsyncs when a second has passed on the monotonic clock. Returns whether it fsynced. */
  tick(monotonicUs: Micros): boolean {
    if (this.policy !== 'everysec' || monotonicUs - this.lastFsyncUs < EVERYSEC_US) return false;
    this.disk.fsync();
    this.lastFsyncUs = monotonicUs;
    return true;
  }

  /** The ops to replay at startup (none when persistence is off). */
  load(): readonly Op[] {
    if (this.policy === 'none') return [];
    return this.disk.list<Op>(AOF_KEY);
  }
}
