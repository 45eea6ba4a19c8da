/**
 * What live mode does to any real server process, whatever it runs (Redis,
 * etcd, ZooKeeper): the process-level faults. Implemented by each server
 * file; the fault scheduler only sees this.
 */
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
