/**
 * Faked wall clocks for live server processes (`clock-jump`, `clock-drift`,
 * SPEC §9): each server a design runs this way is started under
 * libfaketime (Debian `libfaketime`) with an offset file of its own, and a
 * fault rewrites that file while the server runs.
 *
 * How libfaketime is set up (every choice verified on Debian 12, libfaketime
 * 0.9.10, redis-server 7.0.15):
 *
 * - `FAKETIME_TIMESTAMP_FILE` names the offset file, `FAKETIME_NO_CACHE=1`
 *   makes libfaketime read it on every time call (the default caches it for
 *   10 s), so a rewrite takes effect at the server's next clock read. The
 *   file is rewritten by rename, so a reader never sees half a line. It only
 *   ever holds a plain offset in seconds (`+20.000000`, `-1.500000`): a
 *   drift is a staircase of such offsets, one step every DRIFT_STEP_MS,
 *   because libfaketime's own rate (`+0 x1.05`) counts from the process's
 *   start, so changing it mid-run jumps the clock, and once set it stays set
 *   when the file drops the `x` again.
 * - `FAKETIME_DONT_FAKE_MONOTONIC=1`: only the wall clock (CLOCK_REALTIME,
 *   gettimeofday, time) moves. A jump must leave CLOCK_MONOTONIC alone (as
 *   in simulation), and Redis 7.0 expires keys by the wall clock anyway
 *   (mstime()), so both jumps and drifts reach its key expiry. Not modelled:
 *   the simulator's drift also slows or speeds the node's monotonic clock
 *   (its timers); a live server's monotonic clock keeps true speed.
 * - `NO_FAKE_STAT=1`: file timestamps stay real.
 * - The preload is `libfaketime.so.1` followed by the C library itself. The
 *   known problem (found by the previous engineer): Debian's redis-server
 *   links jemalloc; jemalloc reads the clock inside its first malloc, that
 *   reaches libfaketime before its initialisation, which looks up a symbol
 *   glibc no longer has (`__ftime`), and the failed lookup mallocs — back
 *   into jemalloc, which deadlocks on its own lock after libfaketime prints
 *   "Unexpected recursive calls to clock_gettime()". Neither the MT
 *   variant, `FAKETIME_DONT_FAKE_MONOTONIC`, `FAKETIME_FORCE_MONOTONIC_FIX`,
 *   nor preloading jemalloc first helps (tried). Preloading libc after
 *   libfaketime does: the preloaded libc comes before jemalloc in symbol
 *   lookup, so `malloc`/`free`/`realloc`/`calloc`/`malloc_usable_size`
 *   resolve to glibc's (consistently: every allocation and free goes to
 *   glibc), jemalloc is never the allocator and never initialises in a
 *   malloc. Redis still calls jemalloc's `mallctl`/`nallocx` for stats only.
 *   libfaketime must come first: its `dlsym(RTLD_NEXT, …)` looks only at
 *   objects after it (with libc first it gets NULL and crashes).
 * - libfaketime makes a POSIX shared-memory segment and semaphore per
 *   process (`/dev/shm/faketime_shm_<pid>`, `sem.faketime_sem_<pid>`) and
 *   removes them only on a normal exit; a SIGKILL (a crash fault, the
 *   registry's cleanup) would leave them. `forgetShm` unlinks both names as
 *   soon as the process is up (it has them mapped already, and nothing
 *   opens them by name again), so nothing is left whatever happens later.
 *
 * Who runs this way, and only when a clock fault of the scenario names
 * them, so every other run is the plain program: a design's servers when
 * its adapter's `fakesClocks` is true (redis, redlock, zookeeper; etcd
 * cannot: Go reads the clock without libc) and a fault names a server
 * (`LiveStartContext.fakeClocks`; the running service's `fakeClock` hands
 * the fault scheduler each server's clock); a client process when a fault
 * names it (session.ts). A node client under libfaketime with
 * FAKETIME_DONT_FAKE_MONOTONIC=1 works: `Date.now()` moves,
 * `process.hrtime` (the harness's true clock, the client's timers) does
 * not; its offset is read back over the IPC channel.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrueClock } from './clock.ts';
import type { LiveProcesses } from './processes.ts';

/** Where Debian and a source install put the library (`LOCKSIM_LIBFAKETIME` overrides). */
function libfaketimeCandidates(): string[] {
  const multiarch = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  return [
    ...(process.env.LOCKSIM_LIBFAKETIME === undefined ? [] : [process.env.LOCKSIM_LIBFAKETIME]),
    `/usr/lib/${multiarch}/faketime/libfaketime.so.1`,
    '/usr/lib/faketime/libfaketime.so.1',
    '/usr/local/lib/faketime/libfaketime.so.1',
  ];
}

/** The C library this process runs on (the servers load the same file), from /proc/self/maps. */
function libcPath(): string | null {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const match = /\s(\/\S*\/libc(?:\.so\.6|-[\d.]+\.so))$/m.exec(maps);
    if (match !== null) return match[1];
  } catch {
    // not Linux
  }
  return null;
}

interface Preload {
  readonly libfaketime: string;
  readonly libc: string;
}

let found: Preload | string | undefined;

/** The two libraries to preload, or why there are none. */
function preload(): Preload | string {
  if (found !== undefined) return found;
  const libfaketime = libfaketimeCandidates().find((path) => existsSync(path));
  const libc = libcPath();
  if (libfaketime === undefined) {
    found = `libfaketime is not installed (looked in ${libfaketimeCandidates().join(', ')}): install it with \`apt-get install -y libfaketime\``;
  } else if (libc === null) {
    found = 'libfaketime needs the C library preloaded after it (see sim/live/faketime.ts), and this process does not map a glibc libc.so.6';
  } else {
    found = { libfaketime, libc };
  }
  return found;
}

/** Why faked clocks cannot run here (null: they can). */
export function whyNoFaketime(): string | null {
  const p = preload();
  return typeof p === 'string' ? p : null;
}

/** The offset file is rewritten this often while the clock drifts. */
export const DRIFT_STEP_MS = 10;

/** libfaketime's relative-offset syntax, in seconds with µs. */
function offsetText(offsetUs: number): string {
  const seconds = Math.abs(offsetUs) / 1e6;
  return `${offsetUs < 0 ? '-' : '+'}${seconds.toFixed(6)}\n`;
}

/**
 * One server's faked wall clock: an offset from the machine's wall clock,
 * `offset(t) = offsetAtAnchor + rate·(t − anchor)` in true time, written to
 * the file libfaketime reads. It outlives the server's crashes and restarts
 * (a restarted process reads the same file: a machine's clock stays wrong
 * across a process restart).
 */
export class FakeClock {
  private anchorOffsetUs = 0;
  private anchorTrueUs: number;
  private rate = 0;
  private ticker: NodeJS.Timeout | undefined;
  /** Reads the server's wall clock and returns its offset from ours (ms), or null; set by the server's starter. */
  probe: (() => Promise<number | null>) | undefined;

  private constructor(
    /** The node it belongs to (`s3`). */
    readonly node: string,
    /** The offset file. */
    readonly file: string,
    private readonly clock: TrueClock,
    private readonly libs: Preload,
  ) {
    this.anchorTrueUs = clock.nowUs();
    this.write();
  }

  /** A clock at offset 0, its file in a fresh folder of the run (removed with it); throws if libfaketime cannot run here. */
  static create(registry: LiveProcesses, node: string, clock: TrueClock): FakeClock {
    const libs = preload();
    if (typeof libs === 'string') throw new Error(libs);
    return new FakeClock(node, join(registry.tempDir(`clock-${node}`), 'faketime.rc'), clock, libs);
  }

  /** The environment that starts a program under this clock. */
  env(): NodeJS.ProcessEnv {
    return {
      LD_PRELOAD: `${this.libs.libfaketime}:${this.libs.libc}`,
      FAKETIME_TIMESTAMP_FILE: this.file,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      NO_FAKE_STAT: '1',
    };
  }

  /** The offset from the machine's wall clock now (µs). */
  offsetUs(): number {
    return this.anchorOffsetUs + this.rate * (this.clock.nowUs() - this.anchorTrueUs);
  }

  /** Steps the wall clock by `byUs` (forward or back). */
  jump(byUs: number): void {
    this.reanchor();
    this.anchorOffsetUs += byUs;
    this.write();
  }

  /** From now on the wall clock runs at (1 + rate)× true speed; returns the rate before. */
  drift(rate: number): number {
    const before = this.rate;
    this.reanchor();
    this.rate = rate;
    this.write();
    if (rate === 0 && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    } else if (rate !== 0 && this.ticker === undefined) {
      this.ticker = setInterval(() => this.write(), DRIFT_STEP_MS);
      this.ticker.unref();
    }
    return before;
  }

  /** Stops the drift's ticker (the file goes with the run's folders). */
  close(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private reanchor(): void {
    const now = this.clock.nowUs();
    this.anchorOffsetUs += this.rate * (now - this.anchorTrueUs);
    this.anchorTrueUs = now;
  }

  private write(): void {
    const partial = `${this.file}.tmp`;
    writeFileSync(partial, offsetText(this.offsetUs()));
    renameSync(partial, this.file);
  }
}

/**
 * One faked clock per server in `names` (each at offset 0, its file in the
 * run's folders), or null when libfaketime cannot run here (`whyNoFaketime`
 * says why: the servers then start with the real clock, and a clock fault
 * reports that reason when it fires).
 */
export function fakeClocksFor(registry: LiveProcesses, names: readonly string[], clock: TrueClock, wanted: boolean): Map<string, FakeClock> | null {
  if (!wanted || whyNoFaketime() !== null) return null;
  return new Map(names.map((name) => [name, FakeClock.create(registry, name, clock)]));
}

/** Unlinks the shared-memory names libfaketime made for process `pid` (see the file's comment); call once it is up. */
export function forgetShm(pid: number): void {
  for (const name of [`faketime_shm_${pid}`, `sem.faketime_sem_${pid}`]) rmSync(join('/dev/shm', name), { force: true });
}
