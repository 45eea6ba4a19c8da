/**
 * One real `redis-server` process: started from a config file in its own
 * temporary folder, bound to 127.0.0.1 only, and driven through the faults
 * live mode can do to a process (pause, crash, restart, losing its disk).
 *
 * Config: `bind 127.0.0.1`, its port, `dir` (the temporary folder),
 * `save ""` (no RDB snapshots), `appendonly`/`appendfsync` from the
 * design's `persistence` knob, `replicaof` for a replica (pointed at the
 * proxy of its link to the primary), `notify-keyspace-events Egx` (expired
 * and deleted keys are published: the harness observes expiries as the
 * simulated server emits them), `hz 100` (the active expiry cycle runs
 * every 10 ms instead of 100 ms, so an expired lock is noticed sooner; a
 * key's logical expiry — what clients see — does not depend on it). Not
 * configured: anything that does not bear on locking.
 *
 * Clock faults: with a `fakeClock` (faketime.ts) the server runs under
 * libfaketime with that clock's offset file (every life of it: a restart
 * reads the same file), with `jemalloc-bg-thread no` (jemalloc is not its
 * allocator there, see faketime.ts, so its background purger has nothing
 * to do), libfaketime's shared-memory names unlinked once it is up, and the
 * clock's `probe` reading the server's wall clock with `TIME`.
 *
 * Not modelled: an operating-system crash (a SIGKILL keeps whatever Redis
 * already wrote to the kernel, fsynced or not; `wipeData` stands in for a
 * lost disk).
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locate } from './binaries.ts';
import { forgetShm, type FakeClock } from './faketime.ts';
import { freePort, LOOPBACK } from './ports.ts';
import type { LiveProcesses, TrackedProcess } from './processes.ts';
import { redisPing, tcpAsk, waitReady } from './ready.ts';
import { ManagedServer } from './server.ts';

export interface RedisServerOptions {
  /** The node name (`s1`), for messages and the folder name. */
  readonly name: string;
  /** `appendonly yes` with this `appendfsync`, or no AOF at all (`none`). */
  readonly aof: 'none' | 'everysec' | 'always';
  /** For a replica: the port (a proxy's) where it reaches its primary. */
  readonly replicaOfPort?: number;
  /** Extra environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Run it under libfaketime with this clock (clock faults). */
  readonly fakeClock?: FakeClock;
  /** How long to wait for it to come up. */
  readonly readyTimeoutMs?: number;
}

/** The config file's text. */
export function redisConfig(port: number, dir: string, options: RedisServerOptions): string {
  return [
    '# written by locksim live mode (sim/live/redis-server.ts)',
    `bind ${LOOPBACK}`,
    'protected-mode yes',
    `port ${port}`,
    'daemonize no',
    'supervised no',
    `dir ${dir}`,
    'logfile ""',
    'save ""',
    `appendonly ${options.aof === 'none' ? 'no' : 'yes'}`,
    `appendfsync ${options.aof === 'always' ? 'always' : 'everysec'}`,
    'notify-keyspace-events Egx',
    'hz 100',
    ...(options.fakeClock === undefined ? [] : ['jemalloc-bg-thread no']),
    ...(options.replicaOfPort === undefined ? [] : [`replicaof ${LOOPBACK} ${options.replicaOfPort}`, 'replica-read-only yes']),
    '',
  ].join('\n');
}

export class RedisServer extends ManagedServer {
  private constructor(
    registry: LiveProcesses,
    readonly options: RedisServerOptions,
    /** The port it listens on (127.0.0.1 only). */
    readonly port: number,
    /** Its folder: config, log, AOF. */
    readonly dir: string,
    first: TrackedProcess,
  ) {
    super(registry, first);
  }

  /** Starts a server on a free port (a fresh one if another process took the first between pick and bind) and waits until it answers PING. */
  static async start(registry: LiveProcesses, options: RedisServerOptions): Promise<RedisServer> {
    const binary = locate('redis-server');
    const dir = registry.tempDir(`redis-${options.name}`);
    for (let tries = 1; ; tries++) {
      const port = await freePort();
      writeFileSync(join(dir, 'redis.conf'), redisConfig(port, dir, options));
      const process_ = launch(registry, binary, dir, options);
      try {
        await waitReady(process_, redisPing(port), `redis-server ${options.name} (port ${port})`, options.readyTimeoutMs);
        if (options.fakeClock !== undefined) {
          forgetShm(process_.pid);
          options.fakeClock.probe = () => wallClockOffsetMs(port);
        }
        return new RedisServer(registry, options, port, dir, process_);
      } catch (error) {
        await registry.kill(process_);
        if (tries >= 3 || !/Address already in use/i.test(String(error))) throw error;
      }
    }
  }

  get name(): string {
    return this.options.name;
  }

  /** Removes what it persisted (the AOF folder and any dump): a crash that lost the disk. Only while it is down. */
  wipeData(): void {
    if (this.alive()) throw new Error(`redis-server ${this.options.name} is running: crash it before wiping its data`);
    for (const entry of readdirSync(this.dir)) {
      if (entry === 'appendonlydir' || entry.endsWith('.rdb') || entry.endsWith('.aof')) rmSync(join(this.dir, entry), { recursive: true, force: true });
    }
  }

  /** Starts it again on the same port and folder (it reloads its AOF, if any) and waits until it serves. */
  async restart(): Promise<void> {
    if (this.alive()) throw new Error(`redis-server ${this.options.name} is still running`);
    this.current = launch(this.registry, locate('redis-server'), this.dir, this.options);
    await waitReady(this.current, redisPing(this.port), `redis-server ${this.options.name} (restart, port ${this.port})`, this.options.readyTimeoutMs);
    if (this.options.fakeClock !== undefined) forgetShm(this.current.pid);
  }

}

/** Runs the server on the config file in `dir` (written by `start`; a restart reads what `CONFIG REWRITE` may have put there since). */
function launch(registry: LiveProcesses, binary: string, dir: string, options: RedisServerOptions): TrackedProcess {
  const conf = join(dir, 'redis.conf');
  return registry.spawn(`redis-server ${options.name}`, binary, [conf], {
    cwd: dir,
    env: { ...process.env, ...options.env, ...options.fakeClock?.env() },
    logFile: join(dir, 'redis.log'),
  });
}

/**
 * The server's wall clock minus ours (ms), from its `TIME` reply taken
 * halfway through the round trip; null when it does not answer within
 * 200 ms (paused, down).
 */
export async function wallClockOffsetMs(port: number): Promise<number | null> {
  const sentMs = Date.now();
  const answer = await tcpAsk(port, 'TIME\r\n', (a) => /^\*2\r\n\$\d+\r\n\d+\r\n\$\d+\r\n\d+\r\n/.test(a), 200);
  const doneMs = Date.now();
  const match = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n/.exec(answer);
  if (match === null) return null;
  const serverMs = Number(match[1]) * 1000 + Number(match[2]) / 1000;
  return serverMs - (sentMs + doneMs) / 2;
}
