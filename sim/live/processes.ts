/**
 * The process registry: every process and temporary folder a live run
 * creates is registered here, and nothing outlives the run — not on
 * success, not on a thrown error, not on Ctrl-C.
 *
 * - `close()` (the run's `finally`): SIGCONT then SIGKILL to every process
 *   still alive (a SIGSTOPped one would hold a SIGTERM forever), waits for
 *   each to exit, then removes the temporary folders (unless `keep`).
 * - Process-wide hooks while any registry is open: `exit` (which Node also
 *   emits after an uncaught exception), SIGINT, SIGTERM and SIGHUP clean up
 *   synchronously (`closeSync`); a signal is then re-raised when nobody
 *   else listens for it, so the process still dies of it as it would have.
 * - Servers are spawned in our process group (not detached), so a Ctrl-C
 *   in a terminal reaches them too; clients (node children with an IPC
 *   channel) exit themselves when the channel closes.
 * Not covered: a SIGKILL of the harness itself (no code runs then); the
 * servers' folders say `locksim-live-` so they are easy to find.
 */
import { fork, spawn, type ChildProcess, type ForkOptions } from 'node:child_process';
import { closeSync as closeFd, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How a registered process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A process the registry owns. */
export interface TrackedProcess {
  /** What it is, for messages (`redis-server s1`, `client c2`). */
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when it has exited. */
  readonly exited: Promise<Exit>;
  /** Whether it has not exited yet. */
  alive(): boolean;
  /** The last lines it wrote to stderr (forked clients) or its log file's path (servers). */
  tail(): string;
}

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Its stdout and stderr go to this file (servers); otherwise they are piped and the tail kept. */
  readonly logFile?: string;
}

/** Every open registry, for the process-wide hooks. */
const open = new Set<LiveProcesses>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let hooked = false;

function onExit(): void {
  for (const registry of [...open]) registry.closeSync();
}

function onSignal(signal: NodeJS.Signals): void {
  onExit();
  unhook();
  // Die of the signal as we would have without our hook, unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

const TAIL_CHARS = 4000;

export class LiveProcesses {
  private readonly processes: TrackedProcess[] = [];
  private readonly folders: string[] = [];
  private closed = false;
  /** Where temporary folders go: `keep` (kept after the run) or the system's temporary folder (removed). */
  private readonly root: string;

  /** `keep`: put the run's folders under this folder and leave them there (`live --keep DIR`). */
  constructor(private readonly keep?: string) {
    if (keep !== undefined) mkdirSync(keep, { recursive: true });
    this.root = keep ?? tmpdir();
    open.add(this);
    hook();
  }

  /** A fresh folder for one server or the run (`locksim-live-<label>-XXXXXX`). */
  tempDir(label: string): string {
    this.assertOpen();
    const dir = mkdtempSync(join(this.root, `locksim-live-${label.replace(/[^a-zA-Z0-9-]/g, '-')}-`));
    this.folders.push(dir);
    return dir;
  }

  /** Starts a program (a server). */
  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): TrackedProcess {
    this.assertOpen();
    let fd: number | undefined;
    if (options.logFile !== undefined) fd = openSync(options.logFile, 'a');
    try {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
      });
      return this.track(name, child, options.logFile);
    } finally {
      if (fd !== undefined) closeFd(fd);
    }
  }

  /** Starts a node module with an IPC channel (a client). */
  fork(name: string, modulePath: string, args: readonly string[], options: ForkOptions = {}): TrackedProcess {
    this.assertOpen();
    const child = fork(modulePath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    return this.track(name, child, undefined);
  }

  private track(name: string, child: ChildProcess, logFile: string | undefined): TrackedProcess {
    let tail = '';
    const keepTail = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    let done = false;
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        done = true;
        resolve({ code, signal });
      });
      child.once('error', (error) => {
        keepTail(Buffer.from(`${error.message}\n`));
        if (child.pid === undefined) {
          done = true;
          resolve({ code: null, signal: null });
        }
      });
    });
    const tracked: TrackedProcess = {
      name,
      child,
      pid: child.pid ?? -1,
      exited,
      alive: () => !done && child.pid !== undefined,
      tail: () => (logFile === undefined ? tail : `see ${logFile}`),
    };
    this.processes.push(tracked);
    return tracked;
  }

  /** Sends `signal` to a registered process if it is alive; true if sent. */
  signal(process_: TrackedProcess, signal: NodeJS.Signals): boolean {
    if (!process_.alive()) return false;
    try {
      return process_.child.kill(signal);
    } catch {
      return false;
    }
  }

  /** Kills one process (SIGCONT first, so a stopped one dies at once) and waits until it has exited. */
  async kill(process_: TrackedProcess): Promise<Exit> {
    this.signal(process_, 'SIGCONT');
    this.signal(process_, 'SIGKILL');
    return process_.exited;
  }

  /** Asks one process to stop (SIGTERM), then kills it if it has not exited within `graceMs`. */
  async stop(process_: TrackedProcess, graceMs = 5000): Promise<Exit> {
    this.signal(process_, 'SIGCONT');
    this.signal(process_, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    const outcome = await Promise.race([process_.exited, late]);
    clearTimeout(timer);
    return outcome === 'late' ? this.kill(process_) : outcome;
  }

  /** Process ids of every registered process still alive. */
  livePids(): number[] {
    return this.processes.filter((p) => p.alive()).map((p) => p.pid);
  }

  /** Every temporary folder made so far (removed or not). */
  dirs(): readonly string[] {
    return this.folders;
  }

  /** Kills everything still alive, waits for it, removes the folders (unless kept). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.processes.filter((p) => p.alive()).map((p) => this.kill(p)));
    this.finish();
  }

  /** The same, synchronously (from `exit` and signal hooks): signals sent, folders removed, no waiting. */
  closeSync(): void {
    if (this.closed) return;
    for (const p of this.processes) {
      this.signal(p, 'SIGCONT');
      this.signal(p, 'SIGKILL');
    }
    this.finish();
  }

  private finish(): void {
    this.closed = true;
    if (this.keep === undefined) for (const dir of this.folders) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    open.delete(this);
    if (open.size === 0) unhook();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('live process registry already closed');
  }
}
