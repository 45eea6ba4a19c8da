/**
 * The etcd3 client as the live clients use it: every member's client port
 * (through this client's proxies), etcd3's own fault handling — a random
 * member per call, the call retried on a recoverable gRPC error up to 3
 * times (the library's default), a member skipped after 3 failures in a row
 * until its circuit breaker half-opens — with two changes for live mode:
 *
 * - a deadline on every unary call (`requestTimeoutMs`): etcd3 sets none,
 *   and a call through a partitioned (stalled) link would wait until the
 *   partition heals; the simulated clients give up an attempt after their
 *   request timeout and try another server, which this reproduces;
 * - the breaker's 5 s half-open time and the watch stream's reconnect
 *   backoff (30 s at most) are library constants that do not shrink with
 *   `--time-scale`: they are scaled like the simulated clients' constants.
 *
 * A call retried after a timeout may apply twice; the live clients make
 * every write idempotent or able to recognise its own earlier success
 * (lock-client.ts, cas-client.ts).
 */
import type { Etcd3 } from 'etcd3';
import { LOOPBACK } from '../ports.ts';

/** The live client's timing (ms), scaled. */
export interface EtcdClientTiming {
  readonly requestTimeoutMs: number;
  /** Pause before trying again after a call failed for good. */
  readonly retryPauseMs: number;
  readonly breakerHalfOpenMs: number;
  readonly watchBackoffMs: number;
}

/** etcd3's circuit breaker half-opens after this (connection-pool.ts, defaultCircuitBreaker). */
export const BREAKER_HALF_OPEN_MS = 5000;
/** The least deadline given to an etcd request: a proposal is fsynced on a majority, on a machine every process of the run shares. */
export const REQUEST_TIMEOUT_FLOOR_MS = 250;

/**
 * A client of the members listening (or proxied) at `ports`. etcd3 (with
 * gRPC and its protobuf definitions, about half a second of CPU) is loaded
 * on first use, so the client processes of other designs, which bundle
 * this file too, never load it.
 */
export async function etcdClient(ports: readonly number[], timing: EtcdClientTiming): Promise<Etcd3> {
  const [{ circuitBreaker, ConsecutiveBreaker, ConstantBackoff, handleWhen, retry }, { Etcd3, isRecoverableError }] = await Promise.all([import('cockatiel'), import('etcd3')]);
  return new Etcd3({
    hosts: ports.map((port) => `http://${LOOPBACK}:${port}`),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timing.requestTimeoutMs }),
    faultHandling: {
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: timing.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(3) }),
      global: retry(handleWhen(isRecoverableError), { maxAttempts: 3 }),
      watchBackoff: new ConstantBackoff(timing.watchBackoffMs).next(),
    },
  });
}

/** How long `connectedEtcdClient` keeps trying its first call. */
const CONNECT_WITHIN_MS = 30_000;

/**
 * `etcdClient`, once `probe` (a first, read-only call) has succeeded:
 * retried every 50 ms for up to CONNECT_WITHIN_MS while the members elect
 * their first leader or a proxy comes up.
 */
export async function connectedEtcdClient(ports: readonly number[], timing: EtcdClientTiming, probe: (etcd: Etcd3) => Promise<unknown>): Promise<Etcd3> {
  const etcd = await etcdClient(ports, timing);
  const deadline = Date.now() + CONNECT_WITHIN_MS;
  for (;;) {
    try {
      await probe(etcd);
      return etcd;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await pause(50).done;
    }
  }
}

/** Resolves after `ms`, or at once when `wake` is called first (`wake` is then a no-op). */
export function pause(ms: number): { readonly done: Promise<void>; readonly wake: () => void } {
  let wake!: () => void;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

/** Monotonic µs (hrtime): what a client measures its own lease with. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);
