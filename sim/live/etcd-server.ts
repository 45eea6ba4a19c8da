/**
 * Real etcd: one node or a cluster of N, each member a process with its own
 * temporary folder, every URL on 127.0.0.1 (`--listen-client-urls`,
 * `--listen-peer-urls` and the advertised ones), a fresh cluster token per
 * run. `--heartbeat-interval` and `--election-timeout` come from the
 * design's knobs when it has them (etcd's defaults: 100 ms and 1000 ms).
 * Ready when every member's `/health` says true (that needs a leader).
 *
 * Not yet: peer links through the proxies. Every member must be given the
 * same peer URL for each member (`--initial-cluster`), so one proxy per
 * member cannot tell which peer a connection comes from; cutting a single
 * server→server link needs per-source addresses, which live mode does not
 * use (it binds 127.0.0.1 only). Client links can be proxied (the client
 * port is per member).
 */
import { basename, join } from 'node:path';
import { rmSync } from 'node:fs';
import { locate } from './binaries.ts';
import { freePorts, LOOPBACK } from './ports.ts';
import type { LiveProcesses, TrackedProcess } from './processes.ts';
import { etcdHealth, waitReady } from './ready.ts';
import type { ServerProcess } from './server.ts';

export interface EtcdOptions {
  /** Member names, `s1…` (one for a single node). */
  readonly names: readonly string[];
  readonly heartbeatMs?: number;
  readonly electionTimeoutMs?: number;
  /** Extra environment per member (libfaketime for clock faults). */
  readonly env?: (name: string) => NodeJS.ProcessEnv | undefined;
  readonly readyTimeoutMs?: number;
}

interface MemberPlan {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dir: string;
}

/** The command-line flags of one member. */
export function etcdArgs(member: MemberPlan, all: readonly MemberPlan[], token: string, options: EtcdOptions): string[] {
  const url = (port: number): string => `http://${LOOPBACK}:${port}`;
  return [
    '--name', member.name,
    '--data-dir', join(member.dir, 'data'),
    '--listen-client-urls', url(member.clientPort),
    '--advertise-client-urls', url(member.clientPort),
    '--listen-peer-urls', url(member.peerPort),
    '--initial-advertise-peer-urls', url(member.peerPort),
    '--initial-cluster', all.map((m) => `${m.name}=${url(m.peerPort)}`).join(','),
    '--initial-cluster-state', 'new',
    '--initial-cluster-token', token,
    ...(options.heartbeatMs === undefined ? [] : ['--heartbeat-interval', String(options.heartbeatMs)]),
    ...(options.electionTimeoutMs === undefined ? [] : ['--election-timeout', String(options.electionTimeoutMs)]),
    '--logger', 'zap',
    '--log-outputs', 'stderr',
  ];
}

/** One etcd member. */
export class EtcdMember implements ServerProcess {
  constructor(
    private readonly registry: LiveProcesses,
    private readonly plan: MemberPlan,
    private readonly args: readonly string[],
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
  get peerPort(): number {
    return this.plan.peerPort;
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
    if (this.alive()) throw new Error(`etcd ${this.name} is running: crash it before wiping its data`);
    rmSync(join(this.dir, 'data'), { recursive: true, force: true });
  }
  async restart(): Promise<void> {
    if (this.alive()) throw new Error(`etcd ${this.name} is still running`);
    this.current = launch(this.registry, this.plan, this.args, this.env);
    // A restarted member of a cluster is healthy again once it has rejoined a leader.
    await waitReady(this.current, etcdHealth(this.port), `etcd ${this.name} (restart)`, this.readyTimeoutMs);
  }
  async stop(): Promise<void> {
    await this.registry.stop(this.current);
  }
}

function launch(registry: LiveProcesses, plan: MemberPlan, args: readonly string[], env: NodeJS.ProcessEnv | undefined): TrackedProcess {
  return registry.spawn(`etcd ${plan.name}`, locate('etcd'), args, { cwd: plan.dir, env: { ...process.env, ...env }, logFile: join(plan.dir, 'etcd.log') });
}

/** Starts every member at once (a cluster needs them together) and waits until each is healthy. */
export async function startEtcd(registry: LiveProcesses, options: EtcdOptions): Promise<EtcdMember[]> {
  locate('etcd');
  const ports = await freePorts(options.names.length * 2);
  const plans: MemberPlan[] = options.names.map((name, i) => ({ name, clientPort: ports[2 * i], peerPort: ports[2 * i + 1], dir: registry.tempDir(`etcd-${name}`) }));
  const token = `locksim-${basename(plans[0].dir)}`;
  const members = plans.map((plan) => {
    const args = etcdArgs(plan, plans, token, options);
    const env = options.env?.(plan.name);
    return new EtcdMember(registry, plan, args, env, launch(registry, plan, args, env), options.readyTimeoutMs);
  });
  await Promise.all(members.map((m) => waitReady(m.process, etcdHealth(m.port), `etcd ${m.name} (port ${m.port})`, options.readyTimeoutMs)));
  return members;
}
