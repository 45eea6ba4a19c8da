/**
 * What the harness and a client process say to each other over the fork's
 * IPC channel. The child stamps every event with the harness's true clock
 * (clock.ts: CLOCK_MONOTONIC from an origin the parent sends), so the
 * parent can replay them in true-time order into the simulator's
 * `Recorder` whatever order they arrived in.
 *
 * The events are the workload's, as sim/harness/lock-workload.ts records
 * them: an acquire called, returned with a grant, or given up at its
 * timeout; a release called (with why the belief ended) and returned; a
 * section completed (its write acknowledged); the lock learned lost.
 */
import type { RangeUs, SectionCall, SectionReturn } from '../../algorithms/api/index.ts';
import type { FencingMode } from '../checker/types.ts';

/** The workload as a client process runs it (durations already scaled by `--time-scale`). */
export interface ChildWorkload {
  readonly sections: number;
  readonly holdUs: RangeUs;
  readonly thinkUs: RangeUs;
  readonly staggerUs: number;
  readonly acquireTimeoutUs: number;
  readonly fencing: FencingMode;
  readonly checkBeforeWrite: boolean;
  readonly permits: number;
  /** How long a client waits for the store before giving up the section (sim: STORE_TIMEOUT_US, scaled). */
  readonly storeTimeoutUs: number;
}

/** The `redis` design's client settings (knobs mapped to the real client). */
export interface RedisChildConfig {
  readonly design: 'redis';
  /** The data servers, primary first: the ports of this client's proxies to them. */
  readonly servers: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  readonly ttlMs: number;
  readonly release: 'compare-and-delete' | 'del';
  readonly tokens: 'incr' | 'none';
  readonly retryDelayUs: number;
  readonly retryJitterUs: number;
  /** How long one command may take before the client tries the next server (sim: COMMAND_TIMEOUT_US, scaled). */
  readonly commandTimeoutUs: number;
  /** With Sentinel failover: the ports of this client's proxies to the Sentinels (ioredis Sentinel mode). */
  readonly sentinels?: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  /** The name the Sentinels monitor the primary under. */
  readonly masterName?: string;
  /** `127.0.0.1:<announced port>` of each data server → the port of this client's proxy to it (ioredis `natMap`). */
  readonly natMap?: Readonly<Record<string, number>>;
}

/** The `zookeeper` design's client settings (knobs mapped to the real client). */
export interface ZooKeeperChildConfig {
  readonly design: 'zookeeper';
  /** The servers s1…sN: the ports of this client's proxies to their client ports. */
  readonly servers: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  /** The session timeout the client asks for (the server negotiates it into [2, 20] ticks). */
  readonly sessionTimeoutMs: number;
  readonly onSuspended: 'continue' | 'stop';
  readonly clientSelfExpiry: boolean;
  /** ZooKeeper's random pause before each reconnect, at most this (1 s, scaled). */
  readonly reconnectPauseMaxMs: number;
  /** The lock recipe's parent node, and where a release leaves its mark for the observer. */
  readonly lockPath: string;
  readonly releasedPath: string;
}

/** The `redlock` design's client settings (knobs mapped to node-redlock 4.2.0 over ioredis). */
export interface RedlockChildConfig {
  readonly design: 'redlock';
  /** The instances s1…sN: the ports of this client's proxies to them. */
  readonly servers: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  readonly ttlMs: number;
  readonly driftFactor: number;
  /** ioredis `commandTimeout` on each instance's connection (the per-instance timeout node-redlock 4 lacks). */
  readonly requestTimeoutMs: number;
  readonly retryDelayUs: number;
  readonly retryJitterUs: number;
}

/** A design's client settings (one member per design live mode runs). */
/** The `raft-lock` design's client settings: etcd's concurrency.Mutex recipe over the etcd3 client (sim/live/etcd/lock-client.ts). */
export interface EtcdLockChildConfig {
  readonly design: 'raft-lock';
  /** The members s1…sN: the ports of this client's proxies to their client ports. */
  readonly servers: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  /** The lease TTL (whole seconds). */
  readonly ttlS: number;
  readonly lockPrefix: string;
  readonly releasedPrefix: string;
  /** The etcd3 client's timing (sim/live/etcd/connect.ts). */
  readonly timing: { readonly requestTimeoutMs: number; readonly retryPauseMs: number; readonly breakerHalfOpenMs: number; readonly watchBackoffMs: number };
}

/** The `cas` design's client settings: etcd transactions on mod_revision (sim/live/etcd/cas-client.ts). */
export interface EtcdCasChildConfig {
  readonly design: 'cas';
  readonly servers: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  readonly registerKey: string;
  readonly donePrefix: string;
  readonly retries: number;
  readonly backoffUs: number;
  /** The simulated client's constants, scaled: the backoff's ceiling and the pause when no server answers. */
  readonly maxBackoffUs: number;
  readonly noLeaderBackoffUs: number;
  readonly timing: { readonly requestTimeoutMs: number; readonly retryPauseMs: number; readonly breakerHalfOpenMs: number; readonly watchBackoffMs: number };
}

export type DesignChildConfig = RedisChildConfig | ZooKeeperChildConfig | RedlockChildConfig | EtcdLockChildConfig | EtcdCasChildConfig;

export interface ChildConfig {
  readonly client: string;
  /** 1-based position among the clients (for the stagger). */
  readonly index: number;
  /** How many times this client's process has been started before (0 first): a restart thinks first and uses fresh request ids. */
  readonly boot: number;
  readonly seed: number;
  /** Sections already completed by earlier lives of this client. */
  readonly sectionsDone: number;
  readonly workload: ChildWorkload;
  /** True time (µs) at which the run ends: no new section begins after it. */
  readonly endUs: number;
  /** The port of this client's proxy to the store. */
  readonly storePort: number;
  readonly design: DesignChildConfig;
}

export type ToChild =
  | { readonly type: 'config'; readonly config: ChildConfig }
  /** Begin the workload; `originNs` is the harness clock's origin (CLOCK_MONOTONIC, ns, decimal). */
  | { readonly type: 'start'; readonly originNs: string }
  /** What is your wall clock (`Date.now()`)? Answered with `wall-clock` and the same `id` (the proof a clock fault on a client took). */
  | { readonly type: 'wall-clock?'; readonly id: number };

/** One thing the workload did, at true time `atUs`. */
export type ClientEvent =
  | { readonly kind: 'acquire-call'; readonly atUs: number }
  | { readonly kind: 'acquire-ok'; readonly atUs: number; readonly token: number | undefined; readonly lease: string; readonly key: string }
  | { readonly kind: 'acquire-timeout'; readonly atUs: number }
  | { readonly kind: 'release-call'; readonly atUs: number; readonly why: string }
  | { readonly kind: 'release-return'; readonly atUs: number; readonly ok: boolean | null }
  | { readonly kind: 'section-done'; readonly atUs: number }
  | { readonly kind: 'lost'; readonly atUs: number; readonly reason: string }
  | { readonly kind: 'note'; readonly atUs: number; readonly text: string }
  | { readonly kind: 'done'; readonly atUs: number }
  // Lock-free designs (section-workload-live.ts): a section began, an operation was sent / answered, the section ended.
  | { readonly kind: 'section-start'; readonly atUs: number }
  | { readonly kind: 'op-call'; readonly atUs: number; readonly call: SectionCall }
  /** `first`: the section's first read returned (the `acquired` trigger event). */
  | { readonly kind: 'op-return'; readonly atUs: number; readonly result: SectionReturn; readonly first: boolean }
  /** `snapshot`: its first read had returned (the `released` trigger event). */
  | { readonly kind: 'section-end'; readonly atUs: number; readonly written: boolean; readonly timedOut: boolean; readonly snapshot: boolean; readonly reason?: string };

export type FromChild =
  /** Connected to its servers and the store; waiting for `start`. */
  | { readonly type: 'ready' }
  /** `requests`: requests sent so far by this life (service and store), for the metrics. */
  | { readonly type: 'event'; readonly event: ClientEvent; readonly requests: number }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'wall-clock'; readonly id: number; readonly wallMs: number };
