/**
 * Real Apache ZooKeeper 3.8 (Debian's `zookeeper` package, run by `java`):
 * standalone or an ensemble of N, each server a JVM with its own temporary
 * folder holding `zoo.cfg`, `data/myid` and its log.
 *
 * zoo.cfg: `tickTime` (and so the session-timeout bounds 2–20 ticks),
 * `initLimit`, `syncLimit` from the design's knobs; `clientPortAddress`
 * 127.0.0.1; quorum and election ports on 127.0.0.1 (`server.N=…`);
 * `admin.enableServer=false` (the AdminServer would bind 0.0.0.0:8080);
 * four-letter words limited to `srvr` and `ruok` (the readiness probe); no
 * JMX (the JVM is started without its remote agent). Logs go to stderr
 * through slf4j-simple, into the folder's `zookeeper.log`.
 *
 * Not yet: quorum links through the proxies (the same problem as etcd's
 * peers: every server is given one address per peer).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { locate } from './binaries.ts';
import { freePorts, LOOPBACK } from './ports.ts';
import type { LiveProcesses, TrackedProcess } from './processes.ts';
import { waitReady, zookeeperServing } from './ready.ts';
import type { ServerProcess } from './server.ts';

export interface ZooKeeperOptions {
  /** Server names `s1…` (one: standalone). */
  readonly names: readonly string[];
  readonly tickTimeMs: number;
  readonly initLimit?: number;
  readonly syncLimit?: number;
  readonly env?: (name: string) => NodeJS.ProcessEnv | undefined;
  readonly readyTimeoutMs?: number;
}

interface ServerPlan {
  readonly id: number;
  readonly name: string;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly dir: string;
}

/** zoo.cfg for one server. */
export function zooCfg(plan: ServerPlan, all: readonly ServerPlan[], options: ZooKeeperOptions): string {
  return [
    '# written by locksim live mode (sim/live/zookeeper-server.ts)',
    `tickTime=${options.tickTimeMs}`,
    `initLimit=${options.initLimit ?? 10}`,
    `syncLimit=${options.syncLimit ?? 5}`,
    `dataDir=${join(plan.dir, 'data')}`,
    `clientPort=${plan.clientPort}`,
    `clientPortAddress=${LOOPBACK}`,
    'admin.enableServer=false',
    '4lw.commands.whitelist=srvr,ruok',
    'quorumListenOnAllIPs=false',
    'standaloneEnabled=true',
    ...(all.length === 1 ? [] : all.map((s) => `server.${s.id}=${LOOPBACK}:${s.quorumPort}:${s.electionPort}`)),
    '',
  ].join('\n');
}

const SLF4J_SIMPLE = '/usr/share/java/slf4j-simple.jar';

/** One ZooKeeper server. */
export class ZooKeeperServer implements ServerProcess {
  constructor(
    private readonly registry: LiveProcesses,
    private readonly plan: ServerPlan,
    private readonly env: NodeJS.ProcessEnv | undefined,
    private current: TrackedProcess,
    private readonly readyTimeoutMs: number | undefined,
  ) {}

  get name(): string {
    return this.plan.name;
  }
  get port(): number {
    return this.plan.clientPort;
  }
  get dir(): string {
    return this.plan.dir;
  }
  get pid(): number {
    return this.current.pid;
  }
  get process(): TrackedProcess {
    return this.current;
  }
  alive(): boolean {
    return this.current.alive();
  }
  pause(): boolean {
    return this.registry.signal(this.current, 'SIGSTOP');
  }
  resume(): boolean {
    return this.registry.signal(this.current, 'SIGCONT');
  }
  async crash(): Promise<void> {
    await this.registry.kill(this.current);
  }
  wipeData(): void {
    if (this.alive()) throw new Error(`zookeeper ${this.name} is running: crash it before wiping its data`);
    const data = join(this.dir, 'data');
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data);
    writeFileSync(join(data, 'myid'), `${this.plan.id}\n`);
  }
  async restart(): Promise<void> {
    if (this.alive()) throw new Error(`zookeeper ${this.name} is still running`);
    this.current = launch(this.registry, this.plan, this.env);
    await waitReady(this.current, zookeeperServing(this.port), `zookeeper ${this.name} (restart)`, this.readyTimeoutMs);
  }
  async stop(): Promise<void> {
    await this.registry.stop(this.current);
  }
}

function launch(registry: LiveProcesses, plan: ServerPlan, env: NodeJS.ProcessEnv | undefined): TrackedProcess {
  const classpath = [locate('zookeeper'), ...(existsSync(SLF4J_SIMPLE) ? [SLF4J_SIMPLE] : [])].join(':');
  return registry.spawn(
    `zookeeper ${plan.name}`,
    locate('java'),
    ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-Dorg.slf4j.simpleLogger.defaultLogLevel=info', '-cp', classpath, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(plan.dir, 'zoo.cfg')],
    { cwd: plan.dir, env: { ...process.env, ...env }, logFile: join(plan.dir, 'zookeeper.log') },
  );
}

/** Starts every server at once and waits until each serves (an ensemble: once it has a leader). */
export async function startZooKeeper(registry: LiveProcesses, options: ZooKeeperOptions): Promise<ZooKeeperServer[]> {
  locate('java');
  locate('zookeeper');
  const ports = await freePorts(options.names.length * 3);
  const plans: ServerPlan[] = options.names.map((name, i) => ({
    id: i + 1,
    name,
    clientPort: ports[3 * i],
    quorumPort: ports[3 * i + 1],
    electionPort: ports[3 * i + 2],
    dir: registry.tempDir(`zookeeper-${name}`),
  }));
  const servers = plans.map((plan) => {
    mkdirSync(join(plan.dir, 'data'), { recursive: true });
    writeFileSync(join(plan.dir, 'data', 'myid'), `${plan.id}\n`);
    writeFileSync(join(plan.dir, 'zoo.cfg'), zooCfg(plan, plans, options));
    const env = options.env?.(plan.name);
    return new ZooKeeperServer(registry, plan, env, launch(registry, plan, env), options.readyTimeoutMs);
  });
  await Promise.all(servers.map((s) => waitReady(s.process, zookeeperServing(s.port), `zookeeper ${s.name} (port ${s.port})`, options.readyTimeoutMs ?? 60_000)));
  return servers;
}
