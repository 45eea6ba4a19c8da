/**
 * What live mode does to any real server process, whatever it runs (Redis,
 * etcd, ZooKeeper): the process-level faults. Implemented by each server
 * file; the fault scheduler only sees this.
 */
import type { LiveProcesses, TrackedProcess } from './processes.ts';

export interface ServerProcess {
  /** The node name (`s1…`). */
  readonly name: string;
  /** The port its clients use (127.0.0.1 only). */
  readonly port: number;
  /** Its temporary folder (config, log, data). */
  readonly dir: string;
  /** The running process's id (a new one after each restart). */
  readonly pid: number;
  alive(): boolean;
  /** SIGSTOP: a process pause (it handles nothing; time flows). */
  pause(): boolean;
  /** SIGCONT. */
  resume(): boolean;
  /** SIGKILL, waiting until it is gone. */
  crash(): Promise<void>;
  /** Removes what it persisted (a crash that lost its disk); only while it is down. */
  wipeData(): void;
  /** Starts it again on the same port and folder and waits until it serves. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL if it lingers. */
  stop(): Promise<void>;
}

/**
 * The process-level half of ServerProcess, the same for every server kind:
 * signals and kills go through the registry to the current process (a new
 * one after each restart). Each server file adds what differs: its name,
 * port and folder, what a lost disk removes, and how it starts again.
 */
export abstract class ManagedServer implements ServerProcess {
  protected constructor(
    protected readonly registry: LiveProcesses,
    /** The running process (replaced by `restart`). */
    protected current: TrackedProcess,
  ) {}

  abstract readonly name: string;
  abstract readonly port: number;
  abstract readonly dir: string;
  abstract wipeData(): void;
  abstract restart(): Promise<void>;

  /** The running process (a new one after each restart). */
  get process(): TrackedProcess {
    return this.current;
  }

  get pid(): number {
    return this.current.pid;
  }

  alive(): boolean {
    return this.current.alive();
  }

  /** SIGSTOP: it handles nothing; connections stay open and queue up. */
  pause(): boolean {
    return this.registry.signal(this.current, 'SIGSTOP');
  }

  /** SIGCONT. */
  resume(): boolean {
    return this.registry.signal(this.current, 'SIGCONT');
  }

  /** SIGKILL, waiting until it is gone. */
  async crash(): Promise<void> {
    await this.registry.kill(this.current);
  }

  /** SIGTERM, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    await this.registry.stop(this.current);
  }
}
