/**
 * Real etcd: one node or a cluster of N, each member a process with its own
 * temporary folder, every URL on 127.0.0.1 (`--listen-client-urls`,
 * `--listen-peer-urls` and the advertised ones), a fresh cluster token per
 * run. `--heartbeat-interval` and `--election-timeout` come from the
 * design's knobs when it has them (etcd's defaults: 100 ms and 1000 ms).
 * Ready when every member's `/health` says true (that needs a leader).
 *
 * Peer links (`peerRelay`): etcd members must all be given the same peer URL
 * for each member (`--initial-cluster`; member ids are hashed from them), so
 * a plain proxy per member cannot tell which peer a connection comes from.
 * With `peerRelay`, each member listens on a private port and advertises
 * the relay's port instead; the relay (sim/live/peer-relay.ts) finds
 * which member opened each connection and sends it through that pair's own
 * proxy, so partitions cut server↔server links too. Without it, members
 * reach each other directly. Client links can always be proxied (the client
 * port is per member).
 *
 * Restarts: the same command on the same ports and folder. `untilHealthy:
 * false` resolves once the member serves its peer port — a restarted member
 * of a cluster is healthy only once it has a leader, which may need members
 * that restart after it (every member crashed at once). A member whose data
 * was wiped cannot come back as itself (its peers would send it a commit
 * index beyond its empty log, and etcd panics): it rejoins as a new member
 * (`join`: `--initial-cluster-state existing` with the cluster MemberAdd
 * returned), or, when every member lost its data, the cluster starts over
 * (`fresh`: the original flags, a new cluster with the old token).
 */
import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { basename, join } from 'node:path';
import { locate } from './binaries.ts';
import { LOOPBACK, reservePorts } from './ports.ts';
import type { LiveProcesses, TrackedProcess } from './processes.ts';
import { etcdHealth, waitReady, type Probe } from './ready.ts';
import { ManagedServer } from './server.ts';

export interface EtcdOptions {
  /** Member names, `s1…` (one for a single node). */
  readonly names: readonly string[];
  readonly heartbeatMs?: number;
  readonly electionTimeoutMs?: number;
  /** Extra environment per member (libfaketime for clock faults). */
  readonly env?: (name: string) => NodeJS.ProcessEnv | undefined;
  readonly readyTimeoutMs?: number;
  /**
   * Puts a relay in front of member `name`'s peer port (`listenPort`) and
   * returns the port to advertise instead (see the header). Called once per
   * member before any starts.
   */
  readonly peerRelay?: (name: string, listenPort: number) => Promise<number>;
  /**
   * etcd's `--strict-reconfig-check` (default true): with it, MemberAdd is
   * refused until every member has been connected for 5 s (HealthInterval),
   * which a wiped member rejoining soon after the cluster started would wait
   * out. Only membership changes are checked by it.
   */
  readonly strictReconfigCheck?: boolean;
  /** Called with every member as soon as all are launched, before they are ready (a relay needs their processes). */
  readonly onLaunched?: (members: readonly EtcdMember[]) => void;
}

interface MemberPlan {
  readonly name: string;
  readonly clientPort: number;
  /** Where the member listens for its peers. */
  readonly peerPort: number;
  /** What the others are told to dial (a relay's port, or `peerPort`). */
  readonly advertisedPeerPort: number;
  readonly dir: string;
}

const url = (port: number): string => `http://${LOOPBACK}:${port}`;

/** `--initial-cluster` for the plans. */
function initialCluster(all: readonly MemberPlan[]): string {
  return all.map((m) => `${m.name}=${url(m.advertisedPeerPort)}`).join(',');
}

/** The command-line flags of one member; `join` makes it join a running cluster instead of forming a new one. */
export function etcdArgs(member: MemberPlan, all: readonly MemberPlan[], token: string, options: EtcdOptions, join_?: { readonly initialCluster: string }): string[] {
  return [
    '--name', member.name,
    '--data-dir', join(member.dir, 'data'),
    '--listen-client-urls', url(member.clientPort),
    '--advertise-client-urls', url(member.clientPort),
    '--listen-peer-urls', url(member.peerPort),
    '--initial-advertise-peer-urls', url(member.advertisedPeerPort),
    '--initial-cluster', join_?.initialCluster ?? initialCluster(all),
    '--initial-cluster-state', join_ === undefined ? 'new' : 'existing',
    '--initial-cluster-token', token,
    ...(options.heartbeatMs === undefined ? [] : ['--heartbeat-interval', String(options.heartbeatMs)]),
    ...(options.electionTimeoutMs === undefined ? [] : ['--election-timeout', String(options.electionTimeoutMs)]),
    ...(options.strictReconfigCheck === false ? ['--strict-reconfig-check=false'] : []),
    '--logger', 'zap',
    '--log-outputs', 'stderr',
  ];
}

/**
 * True once the member serves its peer port (`GET /version`): the process
 * is up and talking to its peers. (Its client port serves only once the
 * member is ready, which needs a quorum.)
 */
export const etcdPeerAnswers = (peerPort: number): Probe => () =>
  new Promise((resolve) => {
    const req = request({ host: LOOPBACK, port: peerPort, path: '/version', method: 'GET', timeout: 500 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });

export interface EtcdRestartOptions {
  /** Wait until `/health` says true (default), or only until the member serves its peers (false). */
  readonly untilHealthy?: boolean;
  /** Join a running cluster as a new member (its data was wiped and it was re-added with MemberAdd). */
  readonly join?: { readonly initialCluster: string };
}

/** One etcd member. */
export class EtcdMember extends ManagedServer {
  constructor(
    registry: LiveProcesses,
    private readonly plan: MemberPlan,
    private readonly all: readonly MemberPlan[],
    private readonly token: string,
    private readonly options: EtcdOptions,
    current: TrackedProcess,
  ) {
    super(registry, current);
  }

  get name(): string {
    return this.plan.name;
  }
  get port(): number {
    return this.plan.clientPort;
  }
  /** The port it listens on for its peers. */
  get peerPort(): number {
    return this.plan.peerPort;
  }
  /** The peer URL the cluster knows it by (`http://127.0.0.1:<advertised peer port>`). */
  get peerUrl(): string {
    return url(this.plan.advertisedPeerPort);
  }
  get dir(): string {
    return this.plan.dir;
  }
  wipeData(): void {
    if (this.alive()) throw new Error(`etcd ${this.name} is running: crash it before wiping its data`);
    rmSync(join(this.dir, 'data'), { recursive: true, force: true });
  }
  async restart(options: EtcdRestartOptions = {}): Promise<void> {
    if (this.alive()) throw new Error(`etcd ${this.name} is still running`);
    const args = etcdArgs(this.plan, this.all, this.token, this.options, options.join);
    this.current = launch(this.registry, this.plan, args, this.options.env?.(this.plan.name));
    const probe = options.untilHealthy === false ? etcdPeerAnswers(this.peerPort) : etcdHealth(this.port);
    await waitReady(this.current, probe, `etcd ${this.name} (restart)`, this.options.readyTimeoutMs);
  }
}

function launch(registry: LiveProcesses, plan: MemberPlan, args: readonly string[], env: NodeJS.ProcessEnv | undefined): TrackedProcess {
  return registry.spawn(`etcd ${plan.name}`, locate('etcd'), args, { cwd: plan.dir, env: { ...process.env, ...env }, logFile: join(plan.dir, 'etcd.log') });
}

/** Starts every member at once (a cluster needs them together) and waits until each is healthy. */
export async function startEtcd(registry: LiveProcesses, options: EtcdOptions): Promise<EtcdMember[]> {
  locate('etcd');
  const reserved = await reservePorts(options.names.length * 2);
  const { ports } = reserved;
  const plans: MemberPlan[] = [];
  try {
    for (const [i, name] of options.names.entries()) {
      const peerPort = ports[2 * i + 1];
      const advertisedPeerPort = options.peerRelay === undefined ? peerPort : await options.peerRelay(name, peerPort);
      plans.push({ name, clientPort: ports[2 * i], peerPort, advertisedPeerPort, dir: registry.tempDir(`etcd-${name}`) });
    }
  } finally {
    await reserved.release();
  }
  const token = `locksim-${basename(plans[0].dir)}`;
  const members = plans.map((plan) => new EtcdMember(registry, plan, plans, token, options, launch(registry, plan, etcdArgs(plan, plans, token, options), options.env?.(plan.name))));
  options.onLaunched?.(members);
  await Promise.all(members.map((m) => waitReady(m.process, etcdHealth(m.port), `etcd ${m.name} (port ${m.port})`, options.readyTimeoutMs)));
  return members;
}
