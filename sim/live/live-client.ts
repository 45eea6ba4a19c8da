/**
 * The contract between the live workload (child-workload.ts) and one
 * design's real client library, the live twin of the designs' `LockClient`
 * (algorithms/api/client.ts): acquire (retrying as the library does until
 * granted or abandoned), release however late, `stillValid` for
 * `checkBeforeWrite`, and `lost` when the library itself learns the lock is
 * gone. Implemented per design in `sim/live/<design>/client.ts`.
 */

/** A lock the service granted. */
export interface LiveGrant {
  /** The fencing token, when the design has one. */
  readonly token: number | undefined;
  /** The grant's identity at the service (the lock value / lease id). */
  readonly lease: string;
  /** The key it holds (`lock`, or `lock:i` for a semaphore). */
  readonly key: string;
}

export interface LiveLockClient {
  /** Connects to the service; resolves once it can send. */
  connect(): Promise<void>;
  /**
   * Tries until granted; resolves with the grant, or null once abandoned.
   * Never rejects: errors are retried as the library retries them.
   */
  acquire(): Promise<LiveGrant | null>;
  /** Stops the acquire in progress; a grant that still arrives for it is given back at once. */
  abandon(): void;
  /** Gives the lock back: true if the service deleted it, false if it held nothing of ours, null if unknown. */
  release(grant: LiveGrant): Promise<boolean | null>;
  /** Whether the grant is still valid by the client's own clock (for `checkBeforeWrite`). */
  stillValid(grant: LiveGrant): boolean;
  /** Called with a reason when the library learns it lost the lock (Redis never does). */
  onLost(listener: (reason: string) => void): void;
  /** Requests sent to the service so far. */
  readonly requests: number;
  close(): Promise<void>;
}
