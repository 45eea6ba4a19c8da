/**
 * One real Redis Sentinel (`redis-server <conf> --sentinel`, the same
 * binary) for the `redis` design's `failover: "sentinel"`, driven through
 * the process faults (pause, crash, restart, losing its disk).
 *
 * Config (written once; Sentinel rewrites and fsyncs it itself as its
 * state changes, and a restart reads what it wrote): `bind 127.0.0.1`, its
 * port, its folder, `sentinel resolve-hostnames no`, a fixed `sentinel
 * myid` (so every run names its Sentinels alike), `sentinel announce-ip /
 * announce-port` (the relay in front of it, so the other Sentinels reach
 * it through the live network's links), and one `sentinel monitor` with
 * `down-after-milliseconds`, `failover-timeout` and `parallel-syncs`
 * (see deployment.ts). A crash that loses the disk (`wipeData`) puts the
 * first config back: the Sentinel restarts knowing only what it was told
 * at first (as in simulation).
 * Clock faults: with a `fakeClock` it runs under libfaketime, as the data
 * servers do (../faketime.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locate } from '../binaries.ts';
import { forgetShm, type FakeClock } from '../faketime.ts';
import { LOOPBACK } from '../ports.ts';
import type { LiveProcesses, TrackedProcess } from '../processes.ts';
import { redisPing, waitReady } from '../ready.ts';
import { ManagedServer } from '../server.ts';

/** The name every Sentinel monitors the primary under. */
export const MASTER_NAME = 'locksim';

export interface SentinelConfig {
  /** The node name (`s4`). */
  readonly name: string;
  /** 1-based position among the Sentinels (its `myid`). */
  readonly index: number;
  readonly port: number;
  /** Where the other Sentinels reach it (its relay). */
  readonly announcePort: number;
  /** Where the primary is at first (its relay). */
  readonly primaryPort: number;
  readonly quorum: number;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
  readonly parallelSyncs: number;
  readonly fakeClock?: FakeClock;
  readonly readyTimeoutMs?: number;
}

/** The config file's first text. */
export function sentinelConfig(config: SentinelConfig, dir: string): string {
  const m = MASTER_NAME;
  return [
    '# written by locksim live mode (sim/live/redis/sentinel-server.ts); Sentinel rewrites it',
    `bind ${LOOPBACK}`,
    `port ${config.port}`,
    'daemonize no',
    `dir ${dir}`,
    'logfile ""',
    'sentinel resolve-hostnames no',
    `sentinel myid ${config.index.toString(16).padStart(8, '0').padEnd(40, '0')}`,
    `sentinel announce-ip ${LOOPBACK}`,
    `sentinel announce-port ${config.announcePort}`,
    `sentinel monitor ${m} ${LOOPBACK} ${config.primaryPort} ${config.quorum}`,
    `sentinel down-after-milliseconds ${m} ${config.downAfterMs}`,
    `sentinel failover-timeout ${m} ${config.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${m} ${config.parallelSyncs}`,
    '',
  ].join('\n');
}

export class SentinelServer extends ManagedServer {
  private constructor(
    registry: LiveProcesses,
    readonly config: SentinelConfig,
    readonly dir: string,
    first: TrackedProcess,
  ) {
    super(registry, first);
  }

  /** Starts it (the port is the caller's: its relay was set up for it) and waits until it answers PING. */
  static async start(registry: LiveProcesses, config: SentinelConfig): Promise<SentinelServer> {
    const dir = registry.tempDir(`sentinel-${config.name}`);
    writeFileSync(join(dir, 'sentinel.conf'), sentinelConfig(config, dir));
    const first = launch(registry, dir, config);
    try {
      await ready(first, config);
    } catch (error) {
      await registry.kill(first);
      throw error;
    }
    return new SentinelServer(registry, config, dir, first);
  }

  get name(): string {
    return this.config.name;
  }

  get port(): number {
    return this.config.port;
  }

  /** Puts the first config back: what Sentinel wrote since is lost. */
  wipeData(): void {
    if (this.alive()) throw new Error(`sentinel ${this.name} is running: crash it before wiping its data`);
    writeFileSync(join(this.dir, 'sentinel.conf'), sentinelConfig(this.config, this.dir));
  }

  async restart(): Promise<void> {
    if (this.alive()) throw new Error(`sentinel ${this.name} is still running`);
    this.current = launch(this.registry, this.dir, this.config);
    await ready(this.current, this.config);
  }

}

function launch(registry: LiveProcesses, dir: string, config: SentinelConfig): TrackedProcess {
  return registry.spawn(`redis-sentinel ${config.name}`, locate('redis-server'), [join(dir, 'sentinel.conf'), '--sentinel'], {
    cwd: dir,
    env: { ...process.env, ...config.fakeClock?.env() },
    logFile: join(dir, 'sentinel.log'),
  });
}

async function ready(process_: TrackedProcess, config: SentinelConfig): Promise<void> {
  await waitReady(process_, redisPing(config.port), `redis-sentinel ${config.name} (port ${config.port})`, config.readyTimeoutMs);
  if (config.fakeClock !== undefined) forgetShm(process_.pid);
}
