/**
 * Types for the `redlock` package, 4.2.0 (it ships none): only what the
 * live client uses (redlock.js in the package is the reference).
 */
declare module 'redlock' {
  import type { EventEmitter } from 'node:events';

  namespace Redlock {
    /** A lock node-redlock holds: `expiration` is start + ttl − drift (ms since the epoch, by Date.now). */
    interface Lock {
      readonly resource: string | string[];
      readonly value: string;
      expiration: number;
      readonly attempts: number;
    }
    interface Options {
      readonly driftFactor?: number;
      /** Attempts after the first (-1: forever). */
      readonly retryCount?: number;
      readonly retryDelay?: number;
      readonly retryJitter?: number;
      readonly lockScript?: (original: string) => string;
      readonly unlockScript?: (original: string) => string;
      readonly extendScript?: (original: string) => string;
    }
  }

  class Redlock extends EventEmitter {
    constructor(clients: readonly unknown[], options?: Redlock.Options);
    readonly driftFactor: number;
    /** Bluebird promise: rejects with a LockError once the attempts are used up. */
    lock(resource: string | string[], ttl: number): PromiseLike<Redlock.Lock>;
    /** Resolves once a quorum deleted the keys; rejects with a LockError otherwise. */
    unlock(lock: Redlock.Lock): PromiseLike<void>;
  }

  export = Redlock;
}
